#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::virtio::mmio {

RegisterInfo register_info(std::uint32_t offset) noexcept {
  using D = Direction;
  switch (offset) {
    case kMagicValue:
      return {"MagicValue", D::Read};
    case kVersion:
      return {"Version", D::Read};
    case kDeviceId:
      return {"DeviceID", D::Read};
    case kVendorId:
      return {"VendorID", D::Read};
    case kDeviceFeatures:
      return {"DeviceFeatures", D::Read};
    case kDeviceFeaturesSel:
      return {"DeviceFeaturesSel", D::Write};
    case kDriverFeatures:
      return {"DriverFeatures", D::Write};
    case kDriverFeaturesSel:
      return {"DriverFeaturesSel", D::Write};
    case kQueueSel:
      return {"QueueSel", D::Write};
    case kQueueNumMax:
      return {"QueueNumMax", D::Read};
    case kQueueNum:
      return {"QueueNum", D::Write};
    case kQueueReady:
      return {"QueueReady", D::ReadWrite};
    case kQueueNotify:
      return {"QueueNotify", D::Write};
    case kInterruptStatus:
      return {"InterruptStatus", D::Read};
    case kInterruptAck:
      return {"InterruptACK", D::Write};
    case kStatus:
      return {"Status", D::ReadWrite};
    case kQueueDescLow:
      return {"QueueDescLow", D::Write};
    case kQueueDescHigh:
      return {"QueueDescHigh", D::Write};
    case kQueueDriverLow:
      return {"QueueDriverLow", D::Write};
    case kQueueDriverHigh:
      return {"QueueDriverHigh", D::Write};
    case kQueueDeviceLow:
      return {"QueueDeviceLow", D::Write};
    case kQueueDeviceHigh:
      return {"QueueDeviceHigh", D::Write};
    case kShmSel:
      return {"SHMSel", D::Write};
    case kShmLenLow:
      return {"SHMLenLow", D::Read};
    case kShmLenHigh:
      return {"SHMLenHigh", D::Read};
    case kShmBaseLow:
      return {"SHMBaseLow", D::Read};
    case kShmBaseHigh:
      return {"SHMBaseHigh", D::Read};
    case kQueueReset:
      return {"QueueReset", D::ReadWrite};
    case kConfigGeneration:
      return {"ConfigGeneration", D::Read};
    default:
      return {};
  }
}

bool set_queue_address(virtqueue::RingAddresses& addresses, std::uint32_t offset, std::uint32_t value) noexcept {
  shm::GuestAddress* target = nullptr;
  switch (offset & ~7u) {
    case kQueueDescLow:
      target = &addresses.desc;
      break;
    case kQueueDriverLow:
      target = &addresses.avail;
      break;
    case kQueueDeviceLow:
      target = &addresses.used;
      break;
    default:
      return false;
  }
  if ((offset & 3u) != 0) return false;
  const bool high = (offset & 4u) != 0;
  const std::uint64_t mask = high ? 0x00000000ffffffffull : 0xffffffff00000000ull;
  *target = (*target & mask) | (high ? std::uint64_t{value} << 32 : std::uint64_t{value});
  return true;
}

}  // namespace vgen::virtio::mmio
