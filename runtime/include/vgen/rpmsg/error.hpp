// Errors of the rpmsg module: a caller that asks for something the bus cannot do (a payload
// that does not fit, an address in use), or a configuration that cannot work. What a peer
// sends is never an exception here: bad messages are dropped and counted (see Statistics).
#pragma once

#include <string>

#include <vgen/error.hpp>

namespace vgen::rpmsg {

/// What went wrong.
enum class ErrorCode {
  PayloadTooLarge,  ///< the payload exceeds the buffer size minus the 16-byte header
  InvalidAddress,   ///< kAnyAddress where a real address is needed, or a reserved address
  AddressInUse,     ///< an endpoint is already bound to the address
  NoDestination,    ///< send() on an endpoint that has no destination yet
  InvalidName,      ///< a channel name that is empty, too long or contains a NUL
  ChannelExists,    ///< a channel with this name and addresses exists already
  NotFound,         ///< an endpoint, channel or driver that is not registered here
  LinkDown,         ///< the link is being reset; nothing can be sent
  InvalidConfig,    ///< unusable sizes or layout (buffer size, queue size, addresses)
  InvalidState,     ///< a call that does not fit the bus's threading or current state
  Timeout,          ///< an announcement found no transmit buffer in time
  System,           ///< a system call failed; the message carries errno's text
};

/// Short name of a code, e.g. "PayloadTooLarge".
const char* to_string(ErrorCode code) noexcept;

/// The single error type of vgen::rpmsg.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::rpmsg
