// `vgen update`: a project brought in line with its changed spec. The generated files are
// rendered again; the user-owned files are edited by the clang module (user_update.hpp), and
// written only when every edit succeeded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vgen/gen/spec/spec.hpp"

namespace vgen::import {

struct UpdateRequest {
  std::filesystem::path directory;  ///< the project folder (user files, maybe generated ones)
  std::filesystem::path templates;
  std::optional<std::string> clang_format;
  std::vector<std::string> include_dirs;  ///< more -I for parsing the user's files
  /// `vgen stubs`: nothing is written; UpdateReport::stubs gets, per half, the overrides the
  /// user's class lacks (every handler of the spec with `every_handler`, or when the half's
  /// files are missing).
  bool stubs_only = false;
  bool every_handler = false;
};

struct UpdateReport {
  std::vector<std::string> lines;     ///< "updated DIR/x.hpp (added on_a; moved on_b)", one per file
  std::vector<std::string> warnings;  ///< file:line:col: warning: ...
  std::vector<std::string> errors;    ///< conflicts, file:line:col: error: ...; nothing was written
  std::vector<std::string> stubs;     ///< with stubs_only: per half, its missing overrides as C++ text
  bool ok() const { return errors.empty(); }
};

/// Updates the project in `request.directory` to `spec`. The generated files are written
/// there unless the folder's CMakeLists.txt generates them at build time (vgen_generate()).
/// Throws vgen::gen::FileError when a file cannot be read or written.
UpdateReport update_project(const vgen::gen::Spec& spec, const UpdateRequest& request);

/// The runtime's headers (which generated code includes): include/ beside bin/ when vgen is
/// installed, else the source tree's runtime/include.
std::string runtime_include_dir();

}  // namespace vgen::import
