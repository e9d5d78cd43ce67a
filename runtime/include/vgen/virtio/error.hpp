// Errors of the virtio module: a device or driver that breaks a rule of VirtIO 1.2, a step of
// the initialisation that the peer refused, or a caller that used the API out of order.
#pragma once

#include <string>

#include <vgen/error.hpp>

namespace vgen::virtio {

/// What went wrong.
enum class ErrorCode {
  InvalidArgument,   ///< a bad value from the caller (offset, width, size, duplicate registration)
  InvalidState,      ///< a call out of order (e.g. a queue set up before FEATURES_OK)
  Rejected,          ///< the device refused a register access or call that breaks a rule
  FeaturesRefused,   ///< the device did not keep FEATURES_OK after the driver set it (§3.1.1 step 6)
  FeatureMissing,    ///< a feature that must be offered or negotiated is not (VERSION_1, an optional field)
  QueueUnavailable,  ///< QueueNumMax reads 0, or the queue index does not exist
  QueueInUse,        ///< the queue is already enabled (§4.2.3.2: QueueReady must read 0 first)
  DeviceNeedsReset,  ///< the device set DEVICE_NEEDS_RESET (§2.1.2)
  BadMagic,          ///< virtio-mmio MagicValue is not 0x74726976
  BadVersion,        ///< virtio-mmio Version is not 2
  RegisterFault,     ///< a virtio-mmio access the device answered with a fault
  Timeout,           ///< the peer did not answer in time (mmio cycle, reset, queue reset)
  ConfigUnstable,    ///< the configuration generation kept changing while the driver read a field
};

/// Short name of a code, e.g. "FeaturesRefused".
const char* to_string(ErrorCode code) noexcept;

/// The single error type of vgen::virtio.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::virtio
