// The generator's exception type, for callers that want a valid model or an exception.
#pragma once

#include <vector>

#include "vgen/error.hpp"
#include "vgen/gen/diagnostics/diagnostics.hpp"

namespace vgen::gen {

/// Thrown by the `*_or_throw` loaders when a spec is invalid. `what()` holds every
/// diagnostic, one `file:line:col: error: message` line each.
class SpecError : public vgen::Error {
 public:
  explicit SpecError(std::vector<Diagnostic> diagnostics);

  /// The diagnostics, sorted as `Diagnostics::sorted()` orders them.
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace vgen::gen
