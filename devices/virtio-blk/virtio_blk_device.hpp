// virtio-blk: the device half, a RAM-backed disk (VirtIO 1.2 §5.2). vgen wrote the first
// version of this file; it is the device's own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "virtio_blk_device_base.hpp"

namespace virtio_blk {

/// Bytes of a sector: the unit of `sector` in requests and of `capacity` (§5.2.4).
inline constexpr std::uint64_t kSectorBytes = 512;

/// A block device over a byte vector of `sectors` sectors: reads, writes, flushes (a no-op:
/// RAM has no write cache to commit) and the device ID request.
class VirtioBlkDevice : public VirtioBlkDeviceBase {
 public:
  explicit VirtioBlkDevice(std::uint64_t sectors = 2048) : disk_(sectors * kSectorBytes) {}

  /// The spec's features without VIRTIO_BLK_F_RO: this disk is writable (§5.2.3).
  std::uint64_t offered_features() const override {
    return kSpec.offered_features & ~vgen::virtio::feature_bit(kFeatureVirtioBlkFRo);
  }

 protected:
  VirtioBlkConfig config_defaults() const override;
  BlkRequestStatus on_requestq(const BlkRequestHeader& request, std::span<const std::byte> data_in,
                               std::span<std::byte> data_out, std::uint32_t& written) override;

 private:
  // The disk bytes a request touches, or an empty span when they lie outside the disk.
  std::span<std::byte> extent(std::uint64_t sector, std::size_t bytes);

  std::vector<std::byte> disk_;
};

}  // namespace virtio_blk
