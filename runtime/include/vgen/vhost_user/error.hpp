// Errors of the vhost-user back end: a front end that broke the protocol, or a system call
// that failed on the connection.
#pragma once

#include <string>

#include <vgen/error.hpp>

namespace vgen::vhost_user {

/// What went wrong.
enum class ErrorCode {
  Malformed,    ///< a header or payload of the wrong size, version or flags
  Invalid,      ///< a value out of range: ring index, size, address, region, feature bit
  OutOfOrder,   ///< a message the session's state does not allow now
  Unsupported,  ///< a request this back end does not implement or did not offer
  Device,       ///< the device model refused what the front end asked for
  System,       ///< a system call failed (socket, mmap, eventfd)
};

/// The single error type of vgen::vhost_user. A protocol error closes the connection; the
/// message names the request and the offending values.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

/// Throws Error(System) for a failed system call: "`what`: strerror(`error`)".
[[noreturn]] void fail_system(const std::string& what, int error);

}  // namespace vgen::vhost_user
