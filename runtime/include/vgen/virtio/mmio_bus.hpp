// One virtio-mmio device's register window as a bus master sees it: reads and writes of a
// given width at an offset, each answered with a value or a fault. The device's register file
// implements it directly; the shared-memory bus carries the same accesses between processes.
#pragma once

#include <cstdint>

namespace vgen::virtio {

/// Why the device refused an access. A refused read returns 0; a refused write changes nothing.
enum class AccessFault : std::uint32_t {
  None = 0,   ///< the access was served
  BadWidth,   ///< not the width the register or field needs, or not naturally aligned
  Undefined,  ///< no register at this offset (or beyond the configuration space)
  ReadOnly,   ///< a write to a read-only register
  WriteOnly,  ///< a read of a write-only register
  Rejected,   ///< the register exists but the device refused the value or the moment
};

/// Short name of a fault, e.g. "BadWidth".
const char* to_string(AccessFault fault) noexcept;

/// The answer to one access.
struct AccessResult {
  std::uint32_t value = 0;  ///< the value read (0 for writes and faults)
  AccessFault fault = AccessFault::None;
};

/// Performs register accesses on one device's window. Offsets are from the window's base;
/// widths are 1, 2 or 4 bytes; values are little-endian register contents.
class MmioBus {
 public:
  virtual ~MmioBus() = default;
  /// Reads `width` bytes at `offset`.
  virtual AccessResult read(std::uint32_t offset, unsigned width) = 0;
  /// Writes the low `width` bytes of `value` at `offset`.
  virtual AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) = 0;
};

}  // namespace vgen::virtio
