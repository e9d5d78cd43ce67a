// What `vgen import` is asked for: the headers, the compiler options that parse them, and
// the structs, enums and #define groups to turn into spec types.
#pragma once

#include <string>
#include <vector>

namespace vgen::import {

/// One `--define PREFIX[=NAME]`: the integer macros whose names start with `prefix` become the
/// enum `name` (default: the prefix in lower case without its trailing '_').
struct DefineGroup {
  std::string prefix;
  std::string name;
};

/// The headers' language: C unless asked otherwise (or a header ends in .hpp, .hh, .hxx).
enum class Language { c, cxx };

/// Everything the importer reads. Headers are included in order; a header that is not an
/// existing file is included as `<header>`, found on the include path.
struct ImportRequest {
  std::vector<std::string> headers;
  std::vector<std::string> structs;  ///< struct names (tag or typedef), in output order
  std::vector<std::string> enums;    ///< C enum names (tag or typedef)
  std::vector<DefineGroup> defines;
  std::vector<std::string> include_dirs;  ///< -I
  std::vector<std::string> macros;        ///< -D MACRO[=VALUE]
  Language language = Language::c;
};

/// The language the headers are parsed as: C++ when asked, or when a header's extension is
/// a C++ one.
Language language_of(const ImportRequest& request);

}  // namespace vgen::import
