#include <vgen/store/error.hpp>

namespace vgen::store {

std::string_view wire_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Invalid:
      return "EINVAL";
    case ErrorCode::Access:
      return "EACCES";
    case ErrorCode::Exists:
      return "EEXIST";
    case ErrorCode::IsDirectory:
      return "EISDIR";
    case ErrorCode::NotFound:
      return "ENOENT";
    case ErrorCode::NoMemory:
      return "ENOMEM";
    case ErrorCode::NoSpace:
      return "ENOSPC";
    case ErrorCode::IO:
      return "EIO";
    case ErrorCode::NotEmpty:
      return "ENOTEMPTY";
    case ErrorCode::NotSupported:
      return "ENOSYS";
    case ErrorCode::ReadOnly:
      return "EROFS";
    case ErrorCode::Busy:
      return "EBUSY";
    case ErrorCode::Again:
      return "EAGAIN";
    case ErrorCode::IsConnected:
      return "EISCONN";
    case ErrorCode::TooBig:
      return "E2BIG";
    case ErrorCode::NotPermitted:
      return "EPERM";
    case ErrorCode::Protocol:
      return "EINVAL";
  }
  return "EINVAL";
}

}  // namespace vgen::store
