// virtio-rng: the device half. vgen wrote the first version of this file; it is the device's
// own code and vgen never overwrites it. The generated base class (virtio_rng_device_base.hpp)
// does the VirtIO work; the handler here is what the device does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "virtio_rng_device_base.hpp"

namespace virtio_rng {

/// The environment variable that fixes the seed of the device's stream (a decimal or 0x
/// number); without it the seed comes from std::random_device.
inline constexpr const char* kSeedVariable = "VIRTIO_RNG_SEED";

/// Byte `position` of the stream for `seed`: byte position % 8 (little-endian) of
/// SplitMix64's output function of seed + position / 8. Anyone who knows the seed can
/// recompute what the device handed out, which is how the tests check a guest's reads.
std::uint8_t stream_byte(std::uint64_t seed, std::uint64_t position) noexcept;

/// The virtio-rng device (VirtIO 1.2 §5.4): every buffer the driver posts on requestq comes
/// back filled with the next bytes of a seeded stream. The stream never rewinds: a device
/// reset (or a vhost-user front end reconnecting) continues where it stopped, since an entropy
/// source that repeated itself would hand out the same bytes twice.
class VirtioRngDevice : public VirtioRngDeviceBase {
 public:
  /// The seed from kSeedVariable, or a random one.
  VirtioRngDevice();

  /// The seed of the stream.
  std::uint64_t seed() const noexcept { return seed_; }
  /// Stream bytes handed out so far.
  std::uint64_t produced() const noexcept { return position_; }

 protected:
  std::size_t produce_requestq(std::span<std::byte> buffer) override;

 private:
  std::uint64_t seed_;
  std::uint64_t position_ = 0;  // the next stream byte
};

}  // namespace virtio_rng
