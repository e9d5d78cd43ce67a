#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::PayloadTooLarge:
      return "PayloadTooLarge";
    case ErrorCode::InvalidAddress:
      return "InvalidAddress";
    case ErrorCode::AddressInUse:
      return "AddressInUse";
    case ErrorCode::NoDestination:
      return "NoDestination";
    case ErrorCode::InvalidName:
      return "InvalidName";
    case ErrorCode::ChannelExists:
      return "ChannelExists";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::LinkDown:
      return "LinkDown";
    case ErrorCode::InvalidConfig:
      return "InvalidConfig";
    case ErrorCode::InvalidState:
      return "InvalidState";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::System:
      return "System";
  }
  return "Unknown";
}

}  // namespace vgen::rpmsg
