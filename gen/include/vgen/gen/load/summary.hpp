// The layout summary `vgen check --verbose` prints: every type's size, alignment and member
// offsets, and the kind-specific facts (config layout, queue sizes, ring entries).
#pragma once

#include <ostream>

#include "vgen/gen/load/loader.hpp"

namespace vgen::gen {

/// Writes the summary of `document` to `out`, one indented line per fact.
void write_summary(std::ostream& out, const Document& document);

}  // namespace vgen::gen
