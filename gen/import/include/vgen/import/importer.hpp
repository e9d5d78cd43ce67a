// Parses headers with Clang LibTooling and turns the requested structs, enums and #define
// groups into spec types.
#pragma once

#include <string>
#include <vector>

#include "vgen/import/request.hpp"
#include "vgen/import/types.hpp"

namespace vgen::import {

/// The outcome of an import: the types, and every error and warning as one line each
/// (`file:line:col: error: ...`). Clang's own diagnostics go straight to standard error.
struct ImportResult {
  ImportedTypes types;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  bool parse_failed = false;  ///< clang reported errors; nothing was imported

  /// True when there is nothing to refuse: no parse failure and no error.
  bool ok() const { return !parse_failed && errors.empty(); }
};

/// Parses `request.headers` (as one translation unit, in order) and imports what it names.
ImportResult import_headers(const ImportRequest& request);

}  // namespace vgen::import
