#include <vgen/virtio/mmio_register_file.hpp>

#include <vgen/format.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::virtio {
namespace {

// All ones: the value of SHMLen and SHMBase for a region that does not exist (§4.2.2).
constexpr std::uint32_t kNoSharedMemory = 0xffffffff;

}  // namespace

/// One access as the bus master made it.
struct MmioRegisterFile::Access {
  std::uint32_t offset;
  unsigned width;
  bool is_write;
  std::uint32_t value;

  /// "virtio-mmio write of 0x5 (4 bytes) at 0x38 (QueueNum)": built only for a report.
  std::string text() const {
    std::string result = "virtio-mmio " + (is_write ? "write of " + hex(value) + " (" : std::string("read (")) +
                         std::to_string(width) + " bytes) at " + hex(offset);
    if (offset < mmio::kConfig) return result + " (" + mmio::register_info(offset & ~3u).name + ")";
    return result + " (config offset " + std::to_string(offset - mmio::kConfig) + ")";
  }
};

bool MmioRegisterFile::field_access(std::uint64_t field, unsigned width) const noexcept {
  if (width != 1 && width != 2 && width != 4) return false;
  return field % width == 0 && field + width <= core_.config_size();
}

std::uint32_t MmioRegisterFile::window_size() const noexcept {
  return mmio::kConfig + static_cast<std::uint32_t>(core_.config_size());
}

const char* MmioRegisterFile::malformed(const Access& access, AccessFault& kind) const noexcept {
  if (access.offset >= mmio::kConfig) {
    const std::uint64_t field = access.offset - mmio::kConfig;
    if (field >= core_.config_size()) {
      kind = AccessFault::Undefined;
      return "beyond the configuration space";
    }
    kind = AccessFault::BadWidth;
    if (!field_access(field, access.width)) {
      return "configuration fields take naturally aligned 1, 2 or 4-byte accesses inside the space (§4.2.2.2)";
    }
    if (access.is_write && access.width < 4 && (access.value >> (8 * access.width)) != 0) {
      return "the value does not fit the access width";
    }
    return nullptr;
  }
  // §4.2.2.2: control registers take 32-bit aligned accesses only, in their direction.
  if (access.width != mmio::kRegisterWidth || access.offset % mmio::kRegisterWidth != 0) {
    kind = AccessFault::BadWidth;
    return "control registers take 32-bit aligned accesses (§4.2.2.2)";
  }
  const mmio::Direction direction = mmio::register_info(access.offset).direction;
  if (direction == mmio::Direction::None) {
    kind = AccessFault::Undefined;
    return "no register at this offset in version 2 (§4.2.2.2)";
  }
  if (access.is_write && direction == mmio::Direction::Read) {
    kind = AccessFault::ReadOnly;
    return "the register is read-only (§4.2.2.2)";
  }
  if (!access.is_write && direction == mmio::Direction::Write) {
    kind = AccessFault::WriteOnly;
    return "the register is write-only (§4.2.2.2)";
  }
  return nullptr;
}

AccessResult MmioRegisterFile::refuse(const Access& access, AccessFault kind, const std::string& why) {
  core_.rejections().record(access.text() + ": " + why);
  return {0, kind};
}

AccessResult MmioRegisterFile::read(std::uint32_t offset, unsigned width) {
  std::lock_guard<std::mutex> lock(mutex_);
  const AccessResult result = serve_read(offset, width);
  if (trace::TraceSink* sink = core_.trace()) {
    sink->record({trace::EventKind::MmioRead, 0, static_cast<std::uint16_t>(width), offset, result.value,
                  static_cast<std::uint64_t>(result.fault)});
  }
  return result;
}

AccessResult MmioRegisterFile::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  const AccessResult result = serve_write(offset, width, value);
  if (trace::TraceSink* sink = core_.trace()) {
    sink->record({trace::EventKind::MmioWrite, 0, static_cast<std::uint16_t>(width), offset, value,
                  static_cast<std::uint64_t>(result.fault)});
  }
  return result;
}

AccessResult MmioRegisterFile::serve_read(std::uint32_t offset, unsigned width) {
  const Access access{offset, width, false, 0};
  AccessFault kind = AccessFault::None;
  if (const char* why = malformed(access, kind)) return refuse(access, kind, why);
  try {
    if (offset >= mmio::kConfig) return {core_.read_config(offset - mmio::kConfig, width), AccessFault::None};
    return {read_control(offset), AccessFault::None};
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Rejected) throw;
    return {0, AccessFault::Rejected};  // the core recorded why
  }
}

AccessResult MmioRegisterFile::serve_write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  const Access access{offset, width, true, value};
  AccessFault kind = AccessFault::None;
  if (const char* why = malformed(access, kind)) return refuse(access, kind, why);
  try {
    if (offset >= mmio::kConfig) {
      core_.write_config(offset - mmio::kConfig, width, value);
    } else {
      write_control(access);
    }
    return {};
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Rejected) throw;
    return {0, AccessFault::Rejected};
  }
}

std::uint32_t MmioRegisterFile::read_control(std::uint32_t offset) {
  switch (offset) {
    case mmio::kMagicValue:
      return mmio::kMagic;
    case mmio::kVersion:
      return mmio::kDeviceVersion;
    case mmio::kDeviceId:
      return core_.identity().device_id;
    case mmio::kVendorId:
      return core_.identity().vendor_id;
    case mmio::kDeviceFeatures:
      return core_.device_features(device_features_select_);
    case mmio::kQueueNumMax:
      return core_.queue_max_size(queue_select_);
    case mmio::kQueueReady:
      return core_.queue_ready(queue_select_) ? 1 : 0;
    case mmio::kInterruptStatus:
      return core_.interrupt_status();
    case mmio::kStatus:
      return core_.status();
    case mmio::kShmLenLow:
    case mmio::kShmLenHigh:
    case mmio::kShmBaseLow:
    case mmio::kShmBaseHigh:
      return kNoSharedMemory;  // vgen devices have no shared memory regions
    case mmio::kQueueReset:
      return 0;  // a queue reset completes within its write
    case mmio::kConfigGeneration:
      return core_.config_generation();
    default:
      return 0;  // unreachable: register_info() admitted only the registers above
  }
}

void MmioRegisterFile::write_control(const Access& access) {
  const std::uint32_t value = access.value;
  const auto reject = [&](const std::string& why) {
    const std::string message = access.text() + ": " + why;
    core_.rejections().record(message);
    throw Error(ErrorCode::Rejected, message);
  };
  switch (access.offset) {
    case mmio::kDeviceFeaturesSel:
      device_features_select_ = value;
      return;
    case mmio::kDriverFeatures:
      core_.set_driver_features(driver_features_select_, value);
      return;
    case mmio::kDriverFeaturesSel:
      driver_features_select_ = value;
      return;
    case mmio::kQueueSel:
      queue_select_ = value;
      return;
    case mmio::kQueueNum:
      core_.set_queue_size(queue_select_, value);
      return;
    case mmio::kQueueReady:
      if (value > 1) reject("QueueReady takes 0 or 1");
      core_.set_queue_ready(queue_select_, value == 1);
      return;
    case mmio::kQueueNotify:
      // Without VIRTIO_F_NOTIFICATION_DATA the value is the 16-bit queue index (§4.2.3.3).
      if (value > 0xffff) reject("without VIRTIO_F_NOTIFICATION_DATA the value is a 16-bit queue index");
      core_.notify_queue(value);
      return;
    case mmio::kInterruptAck:
      core_.acknowledge_interrupt(value);
      return;
    case mmio::kStatus:
      if (value > 0xff) reject("the device status is 8 bits (§2.1)");
      core_.set_status(static_cast<std::uint8_t>(value));
      return;
    case mmio::kShmSel:
      shared_memory_select_ = value;
      return;
    case mmio::kQueueReset:
      if (value != 1) reject("only 1 may be written to QueueReset (§4.2.2)");
      core_.reset_queue(queue_select_);
      return;
    default:
      write_queue_address(access.offset, value);
      return;
  }
}

void MmioRegisterFile::write_queue_address(std::uint32_t offset, std::uint32_t value) {
  virtqueue::RingAddresses addresses = core_.queue_addresses(queue_select_);
  // Always an address half: register_info() admitted no other register here.
  if (mmio::set_queue_address(addresses, offset, value)) core_.set_queue_addresses(queue_select_, addresses);
}

}  // namespace vgen::virtio
