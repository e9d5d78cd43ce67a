// A RAM-backed virtio-blk device (VirtIO 1.2 §5.2) for the guest tests: the disk is an image
// file read into memory at start; reads and writes use the memory, and FLUSH writes the blocks
// changed since the last flush back to the file and syncs it. What a guest wrote reaches the
// file only through a flush, so the test can see that flushes are honoured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtqueue/chain.hpp>

namespace vgen::guest {

/// Request counters.
struct BlkCounters {
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t flushes = 0;
  std::uint64_t errors = 0;  ///< requests answered IOERR or UNSUPP
};

/// virtio-blk over an image file: VERSION_1, FLUSH, BLK_SIZE (512), SEG_MAX, one queue.
class BlkDevice final : public virtio::DeviceModel {
 public:
  /// Loads `image` (its size must be a multiple of 512). Throws vgen::Error.
  explicit BlkDevice(const std::string& image);
  ~BlkDevice() override;
  BlkDevice(const BlkDevice&) = delete;
  BlkDevice& operator=(const BlkDevice&) = delete;

  virtio::DeviceIdentity identity() const override { return {2, 0}; }
  std::uint64_t offered_features() const override;
  std::vector<std::uint32_t> queue_max_sizes() const override { return {256}; }
  std::vector<std::byte> initial_config() const override;
  void activate(virtio::DeviceCore& core) override { serve(core); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t) override { serve(core); }
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t) override { serve(core); }

  /// What the device has done.
  const BlkCounters& counters() const noexcept { return counters_; }

 private:
  void serve(virtio::DeviceCore& core);
  std::uint8_t handle(const virtqueue::DescriptorChain& chain, virtqueue::ChainWriter& writer);
  std::uint8_t read(std::uint64_t sector, virtqueue::ChainWriter& writer, std::uint64_t length);
  std::uint8_t write(std::uint64_t sector, virtqueue::ChainReader& reader);
  std::uint8_t flush();
  bool inside(std::uint64_t sector, std::uint64_t length) const noexcept;

  std::vector<std::byte> disk_;
  std::vector<bool> dirty_;  // per kChunkBytes of disk_
  int image_fd_ = -1;
  BlkCounters counters_;
};

}  // namespace vgen::guest
