// Loading spec and topology files: YAML parsing, structural checks (keys, value types),
// the layout pass and the semantic rules of each kind. Every problem found is reported as a
// Diagnostic; a model is returned only for a file without any.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vgen/gen/diagnostics/diagnostics.hpp"
#include "vgen/gen/spec/spec.hpp"
#include "vgen/gen/spec/topology.hpp"

namespace vgen::gen {

/// What a file holds: a device spec or a topology.
using Document = std::variant<Spec, Topology>;

/// The outcome of loading one file.
struct LoadResult {
  std::optional<Document> document;  ///< present exactly when `diagnostics` is empty
  Diagnostics diagnostics;           ///< every error found, in this file and in specs it uses

  bool ok() const { return document.has_value(); }
};

/// Loads the file at `path` (either kind). Errors name the file as `path` is spelled.
LoadResult load_file(const std::string& path);

/// Loads `text` as if read from `file_name` (used in messages, and as the base of the
/// relative spec paths of a topology).
LoadResult load_text(std::string_view text, const std::string& file_name);

/// Loads the device spec at `path`, or throws SpecError (also when it is a topology).
Spec load_spec_or_throw(const std::string& path);

/// Loads the topology at `path` and the specs it uses, or throws SpecError.
Topology load_topology_or_throw(const std::string& path);

}  // namespace vgen::gen
