// `from: {header, struct}` verified: a spec struct's layout against the C struct it names,
// parsed with clang as `vgen import` parses it.
#pragma once

#include <string>
#include <vector>

#include "vgen/gen/spec/types.hpp"

namespace vgen::import {

/// Every difference between the structs of `types` that have `from:` and their C structs, one
/// error line each (`spec:line:col: error: ...`, naming the header's field by its position):
/// a field missing on either side, or differing in offset, size, integer type (an enum's or
/// flags type's for those) or byte order, and a different struct size. Empty when every such struct matches.
std::vector<std::string> verify_sources(const vgen::gen::TypeTable& types);

}  // namespace vgen::import
