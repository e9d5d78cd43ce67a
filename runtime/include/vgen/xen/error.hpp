// Errors of the Xen-style module (grant tables, event channels, shared rings). Messages name
// the reference, port or ring index involved, the domains concerned and the reason.
#pragma once

#include <string>

#include <vgen/error.hpp>

namespace vgen::xen {

/// What went wrong.
enum class ErrorCode {
  Invalid,       ///< a malformed argument or setup (sizes, alignment, counts)
  BadReference,  ///< a grant reference outside the table
  NotGranted,    ///< a grant reference that is free or was revoked
  WrongDomain,   ///< a grant or port that belongs to another domain
  ReadOnly,      ///< a write access to a read-only grant
  BadFrame,      ///< a grant entry naming a frame outside the granter's memory
  Busy,          ///< revoking a grant that is still mapped
  TableFull,     ///< no free grant reference or port left
  BadPort,       ///< a port that is not allocated (never, or closed)
  PortState,     ///< a port in the wrong state for the operation (double bind, peer closed)
  Protocol,      ///< a malformed control message from a peer
  RingOverflow,  ///< the peer published more entries than the ring allows
  RingBroken,    ///< the ring already failed; it refuses further work
  RingFull,      ///< the caller queued more than the ring holds
  System,        ///< a system call failed; the message carries errno's text
};

/// Short name of a code, e.g. "NotGranted".
constexpr const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Invalid:
      return "Invalid";
    case ErrorCode::BadReference:
      return "BadReference";
    case ErrorCode::NotGranted:
      return "NotGranted";
    case ErrorCode::WrongDomain:
      return "WrongDomain";
    case ErrorCode::ReadOnly:
      return "ReadOnly";
    case ErrorCode::BadFrame:
      return "BadFrame";
    case ErrorCode::Busy:
      return "Busy";
    case ErrorCode::TableFull:
      return "TableFull";
    case ErrorCode::BadPort:
      return "BadPort";
    case ErrorCode::PortState:
      return "PortState";
    case ErrorCode::Protocol:
      return "Protocol";
    case ErrorCode::RingOverflow:
      return "RingOverflow";
    case ErrorCode::RingBroken:
      return "RingBroken";
    case ErrorCode::RingFull:
      return "RingFull";
    case ErrorCode::System:
      return "System";
  }
  return "Unknown";
}

/// The single error type of vgen::xen.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::xen
