// Errors of the trace module: logs that cannot be written, and logs (or records) that cannot
// be read, with the byte offset where reading stopped.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/error.hpp>

namespace vgen::trace {

/// What went wrong.
enum class ErrorCode {
  Truncated,      ///< the log ends inside a block or a record
  Corrupt,        ///< a block or record breaks the format (lengths, magic, fields)
  FutureVersion,  ///< a section or record of a version newer than this vgen reads
  Invalid,        ///< a bad argument (options, addresses to snoop)
  System,         ///< a system call failed; the message carries errno's text
};

/// The single error type of vgen::trace. For the reading errors, offset() is the byte of
/// the log where the offending block starts (what() says it too).
class Error : public vgen::CodedError<ErrorCode> {
 public:
  /// An error not tied to a place in a log.
  Error(ErrorCode code, const std::string& message) : CodedError(code, message) {}
  /// An error at byte `offset` of a log: what() reads "byte <offset>: <message>".
  Error(ErrorCode code, std::uint64_t offset, const std::string& message)
      : CodedError(code, "byte " + std::to_string(offset) + ": " + message), offset_(offset), located_(true) {}
  /// The byte offset the error refers to (0 when located() is false).
  std::uint64_t offset() const noexcept { return offset_; }
  /// True for an error tied to a place in a log.
  bool located() const noexcept { return located_; }

 private:
  std::uint64_t offset_ = 0;
  bool located_ = false;
};

}  // namespace vgen::trace
