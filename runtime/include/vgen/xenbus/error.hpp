// Errors of the Xenbus layer: protocol misuse by the caller (a state change the protocol
// does not allow) and bad store contents written by the other end or the toolstack. Each
// message names the store node and the value involved.
#pragma once

#include <string>
#include <vgen/error.hpp>

namespace vgen::xenbus {

/// What went wrong.
enum class ErrorCode {
  BadTransition,  ///< a state change the protocol does not allow for this side
  BadValue,       ///< a node holds something unparsable (non-numeric ring-ref, state 9...)
  MissingNode,    ///< a node the protocol requires is absent
  Invalid,        ///< a malformed argument: compatible string, topology entry
};

/// "BadTransition", "BadValue", "MissingNode" or "Invalid".
constexpr const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::BadTransition:
      return "BadTransition";
    case ErrorCode::BadValue:
      return "BadValue";
    case ErrorCode::MissingNode:
      return "MissingNode";
    case ErrorCode::Invalid:
      return "Invalid";
  }
  return "Unknown";
}

/// The single error type of vgen::xenbus (store failures stay store::ClientError).
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::xenbus
