// One driver access as the harness device records it: a virtio-mmio register access, or the
// in-process transport operation written as the register access it stands for.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/virtio/mmio_bus.hpp>

namespace vgen::conform::virtio_checks {

/// A register access by the driver under test.
struct Access {
  std::uint32_t offset = 0;                               ///< register offset; configuration fields at 0x100 + offset
  unsigned width = 4;                                     ///< bytes accessed
  bool write = false;                                     ///< a write (else a read)
  std::uint32_t value = 0;                                ///< the value written, or the value the driver was answered
  virtio::AccessFault fault = virtio::AccessFault::None;  ///< the device's answer
  bool synthetic = false;                                 ///< written by the in-process adapter: width and order of the
                                                          ///< selector writes are the adapter's, not the driver's
  std::uint32_t queue = 0;                                ///< QueueSel in force
  std::uint32_t select = 0;                               ///< the feature selector in force for feature windows
};

/// "write Status 0x7", "read DeviceFeatures[1]" and so on, for reasons.
std::string describe(const Access& access);

}  // namespace vgen::conform::virtio_checks
