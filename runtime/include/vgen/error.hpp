// Common base of every vgen error. Each runtime module has one error type derived from it,
// carrying a module-specific code and a message that names the field and the values.
#pragma once

#include <stdexcept>
#include <string>

namespace vgen {

/// Base of all vgen errors; `what()` is the full human-readable message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace vgen
