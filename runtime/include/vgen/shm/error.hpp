// Errors of the shared-memory module.
#pragma once

#include <vgen/error.hpp>

namespace vgen::shm {

/// What went wrong in a shared-memory operation.
enum class ErrorCode {
  OutOfBounds,  ///< an access [addr, addr+len) is not inside one region
  Overflow,     ///< addr + len wraps around 2^64
  Overlap,      ///< a region added to a table overlaps an existing one
  Invalid,      ///< a malformed argument or message (zero size, bad alignment, bad table)
  System,       ///< a system call failed; the message carries errno's text
};

/// The single error type of vgen::shm.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::shm
