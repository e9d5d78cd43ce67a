#include <vgen/virtio/error.hpp>

namespace vgen::virtio {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::InvalidState:
      return "InvalidState";
    case ErrorCode::Rejected:
      return "Rejected";
    case ErrorCode::FeaturesRefused:
      return "FeaturesRefused";
    case ErrorCode::FeatureMissing:
      return "FeatureMissing";
    case ErrorCode::QueueUnavailable:
      return "QueueUnavailable";
    case ErrorCode::QueueInUse:
      return "QueueInUse";
    case ErrorCode::DeviceNeedsReset:
      return "DeviceNeedsReset";
    case ErrorCode::BadMagic:
      return "BadMagic";
    case ErrorCode::BadVersion:
      return "BadVersion";
    case ErrorCode::RegisterFault:
      return "RegisterFault";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::ConfigUnstable:
      return "ConfigUnstable";
  }
  return "unknown";
}

}  // namespace vgen::virtio
