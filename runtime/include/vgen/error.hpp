// Common base of every vgen error. Each runtime module has one error type, CodedError over
// its own ErrorCode enum, carrying that code and a message that names the field and the values.
#pragma once

#include <stdexcept>
#include <string>

namespace vgen {

/// Base of all vgen errors; `what()` is the full human-readable message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The error type of one module: `Code` is the module's ErrorCode enum, so a handler can
/// catch one module's errors (`catch (const virtqueue::Error&)`) and switch on code().
template <typename Code>
class CodedError : public Error {
 public:
  CodedError(Code code, const std::string& message) : Error(message), code_(code) {}
  /// The category of the failure.
  Code code() const noexcept { return code_; }

 private:
  Code code_;
};

}  // namespace vgen
