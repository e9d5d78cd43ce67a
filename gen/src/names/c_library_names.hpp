// Names the C library and POSIX headers take from generated code: macros (which replace any
// identifier they match, in every scope) and declarations at global scope. The lists are
// data made from the system headers by gen/tools/c_library_names.py.
#pragma once

#include <optional>
#include <string_view>

namespace vgen::gen::detail {

/// The header that defines `name` as a macro ("<cstdio>" for EOF), or nothing.
std::optional<std::string_view> c_macro_header(std::string_view name);

/// True when the C headers declare `name` at global scope (a function, variable, type, tag
/// or enumerator: `clock`, `stat`, `timespec`).
bool is_c_global_name(std::string_view name);

}  // namespace vgen::gen::detail
