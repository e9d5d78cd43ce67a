// The device-specific configuration space (VirtIO 1.2 §2.5) as the device keeps it: bytes in
// little-endian order plus the configuration generation counter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vgen::virtio {

/// Largest configuration space vgen devices have: what fits in a 4 KiB virtio-mmio window
/// after the 0x100 bytes of control registers.
inline constexpr std::size_t kMaxConfigBytes = 0x1000 - 0x100;

/// Configuration bytes and generation. Not synchronised: DeviceCore serialises access.
class ConfigSpace {
 public:
  /// Starts with `initial` (at most kMaxConfigBytes; virtio::Error(InvalidArgument) otherwise)
  /// and generation 0.
  explicit ConfigSpace(std::vector<std::byte> initial = {});

  /// Size in bytes.
  std::size_t size() const noexcept { return bytes_.size(); }
  /// The current bytes.
  std::span<const std::byte> bytes() const noexcept { return bytes_; }
  /// §2.5: changes whenever a field changes, so a driver can detect a torn multi-access read.
  std::uint32_t generation() const noexcept { return generation_; }

  /// True if [offset, offset+width) is inside and `width` is 1, 2 or 4 with natural alignment
  /// (§4.2.2.2: the field's width, aligned).
  bool valid_access(std::uint32_t offset, unsigned width) const noexcept;
  /// The little-endian value at a valid access (see valid_access(); unchecked otherwise).
  std::uint32_t read(std::uint32_t offset, unsigned width) const noexcept;
  /// Stores a little-endian value at a valid access and bumps the generation.
  void write(std::uint32_t offset, unsigned width, std::uint32_t value) noexcept;
  /// Copies `data` to `offset` and bumps the generation once. Throws
  /// virtio::Error(InvalidArgument) when the range does not fit.
  void update(std::uint32_t offset, std::span<const std::byte> data);

 private:
  std::vector<std::byte> bytes_;
  std::uint32_t generation_ = 0;
};

}  // namespace vgen::virtio
