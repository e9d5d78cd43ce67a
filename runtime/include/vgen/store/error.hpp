// Errors of the XenStore-compatible store. Every failure a client can cause carries one of
// the errno names XenStore puts on the wire (xs_wire.h, table `xsd_errors`) plus a message
// that names the path, field and values involved.
#pragma once

#include <string>
#include <string_view>

#include <vgen/error.hpp>

namespace vgen::store {

/// What went wrong. The first sixteen mirror xs_wire.h's `xsd_errors` table, in its order;
/// `Protocol` is the one vgen adds for framing violations that end a connection.
enum class ErrorCode {
  Invalid,       ///< EINVAL: malformed path, argument or message
  Access,        ///< EACCES: the caller lacks the permission
  Exists,        ///< EEXIST: a watch with the same path and token is registered
  IsDirectory,   ///< EISDIR: (kept for the table; not produced)
  NotFound,      ///< ENOENT: no such node, watch, transaction or domain
  NoMemory,      ///< ENOMEM: an allocation failed
  NoSpace,       ///< ENOSPC: a node, transaction or permission quota is exhausted
  IO,            ///< EIO: (kept for the table; not produced)
  NotEmpty,      ///< ENOTEMPTY: (kept for the table; not produced)
  NotSupported,  ///< ENOSYS: unknown message type
  ReadOnly,      ///< EROFS: (kept for the table; not produced)
  Busy,          ///< EBUSY: operation not allowed inside a transaction
  Again,         ///< EAGAIN: the transaction conflicts with a concurrent change
  IsConnected,   ///< EISCONN: (kept for the table; not produced)
  TooBig,        ///< E2BIG: value, reply or watch quota too large
  NotPermitted,  ///< EPERM: an unprivileged caller tried to change a node's owner
  Protocol,      ///< framing violation (length over 4096): the connection is closed
};

/// The errno name XenStore sends for `code` in an XS_ERROR reply ("EINVAL", "EACCES", ...).
/// `Protocol` is never sent; it maps to "EINVAL".
std::string_view wire_name(ErrorCode code) noexcept;

/// The single error type of vgen::store; `wire_name(error.code())` is what a client receives.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::store
