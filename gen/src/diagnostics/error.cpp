#include "vgen/gen/diagnostics/error.hpp"

#include <string>

namespace vgen::gen {
namespace {

std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) {
      text += '\n';
    }
    text += diagnostic.to_string();
  }
  return text;
}

}  // namespace

SpecError::SpecError(std::vector<Diagnostic> diagnostics)
    : vgen::Error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace vgen::gen
