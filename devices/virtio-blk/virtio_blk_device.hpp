// virtio-blk: the device half, a disk held in memory (VirtIO 1.2 §5.2). vgen wrote the first
// version of this file; it is the device's own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "virtio_blk_device_base.hpp"

namespace virtio_blk {

/// Bytes of a sector: the unit of `sector` in requests and of `capacity` (§5.2.4).
inline constexpr std::uint64_t kSectorBytes = 512;

/// The environment variable naming a disk image file. With it the disk starts as the file's
/// bytes and FLUSH writes changed blocks back to it; without it the disk is 1 MiB of zeros.
inline constexpr const char* kImageVariable = "VIRTIO_BLK_IMAGE";

/// A block device over a byte vector: reads, writes, flushes and the device ID request. It
/// announces a write-back cache (CONFIG_WCE with writeback 1) so drivers send FLUSH, which
/// commits the changed blocks to the image file when there is one.
class VirtioBlkDevice : public VirtioBlkDeviceBase {
 public:
  /// The disk from kImageVariable, or `sectors` zeroed sectors. Throws vgen::Error when the
  /// image cannot be read or is not a non-zero whole number of sectors.
  explicit VirtioBlkDevice(std::uint64_t sectors = 2048);
  ~VirtioBlkDevice() override;
  VirtioBlkDevice(const VirtioBlkDevice&) = delete;
  VirtioBlkDevice& operator=(const VirtioBlkDevice&) = delete;

  /// The spec's features without VIRTIO_BLK_F_RO (this disk is writable, §5.2.3) and without
  /// GEOMETRY and TOPOLOGY, which describe no real hardware here.
  std::uint64_t offered_features() const override;

 protected:
  VirtioBlkConfig config_defaults() const override;
  BlkRequestStatus on_requestq(const BlkRequestHeader& request, std::span<const std::byte> data_in,
                               std::span<std::byte> data_out, std::uint32_t& written) override;

 private:
  // The disk bytes a request touches, or an empty span when they lie outside the disk.
  std::span<std::byte> extent(std::uint64_t sector, std::size_t bytes);
  // Marks the write-back chunks of [offset, offset + bytes) as changed.
  void mark_dirty(std::uint64_t offset, std::size_t bytes);
  // §5.2.6.2: everything written before a FLUSH reaches the image before it completes.
  bool flush();

  std::vector<std::byte> disk_;
  int image_fd_ = -1;         // the image file, or -1 for a disk in memory only
  std::vector<bool> dirty_;   // per write-back chunk: changed since the last FLUSH
  std::uint64_t flushes_ = 0;
};

}  // namespace virtio_blk
