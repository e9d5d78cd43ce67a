// Shared set-up for the virtio tests: borrowed guest memory, a configurable test device model
// that counts every hook, and register-level helpers that play a driver by hand.
#pragma once

#include <linux/virtio_ids.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vgen/notify/notifier.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/features.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::test {

/// VIRTIO_F_VERSION_1 and VIRTIO_F_RING_RESET as feature words.
inline constexpr std::uint64_t kVersion1 = virtio::kFeatureVersion1Mask;
inline constexpr std::uint64_t kRingReset = virtio::feature_bit(virtqueue::kFeatureRingReset);

/// 1 MiB of zeroed, page-aligned guest memory at kBase with an allocator over it.
struct GuestArea {
  static constexpr shm::GuestAddress kBase = 0x200000;
  static constexpr std::uint64_t kBytes = 1 << 20;

  GuestArea() : storage(static_cast<std::byte*>(std::aligned_alloc(4096, kBytes))), allocator(kBase, kBytes) {
    std::memset(storage.get(), 0, kBytes);
    memory.add_borrowed(kBase, storage.get(), kBytes);
  }
  std::byte* host(shm::GuestAddress address) const { return memory.translate(address, 0); }
  /// Rings for a queue of `size` entries.
  virtqueue::RingAddresses rings(std::uint32_t size) {
    return {allocator.allocate(virtqueue::desc_table_bytes(size), 16),
            allocator.allocate(virtqueue::avail_ring_bytes(size), 2),
            allocator.allocate(virtqueue::used_ring_bytes(size), 4)};
  }

  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> storage;
  shm::GuestMemory memory;
  shm::Allocator allocator;
};

/// Device-type feature bits of the test model: kFeatureC requires kFeatureB.
inline constexpr unsigned kFeatureA = 0;
inline constexpr unsigned kFeatureB = 1;
inline constexpr unsigned kFeatureC = 2;

/// A device model whose shape tests set before building a DeviceCore, and which counts its
/// hooks. A notified queue returns every chain with its writable bytes filled with 0xab.
class TestModel final : public virtio::DeviceModel {
 public:
  virtio::DeviceIdentity id{VIRTIO_ID_NET, 0x1af4};
  std::uint64_t offered = virtio::kFeatureVersion1Mask | virtio::feature_bit(virtqueue::kFeatureEventIdx) |
                          virtio::feature_bit(virtqueue::kFeatureIndirectDesc) |
                          virtio::feature_bit(virtqueue::kFeatureRingReset) | virtio::feature_bit(kFeatureA) |
                          virtio::feature_bit(kFeatureB) | virtio::feature_bit(kFeatureC);
  virtio::FeatureRules rules{{kFeatureC, kFeatureB}};
  std::vector<std::uint32_t> sizes{8, 0, 16};  // queue 1 is not available
  std::vector<std::byte> config = std::vector<std::byte>(16);
  std::uint64_t veto = 0;  ///< accepted features the device refuses to work with
  bool fail_activation = false;  ///< activate() throws, as a device whose setup failed

  int activations = 0;
  int resets = 0;
  std::vector<int> notified = std::vector<int>(3);
  std::vector<int> stopped = std::vector<int>(3);
  std::vector<int> enabled = std::vector<int>(3);
  int chains = 0;

  virtio::DeviceIdentity identity() const override { return id; }
  std::uint64_t offered_features() const override { return offered; }
  const virtio::FeatureRules& feature_rules() const override { return rules; }
  std::vector<std::uint32_t> queue_max_sizes() const override { return sizes; }
  std::vector<std::byte> initial_config() const override { return config; }
  std::optional<std::string> check_features(std::uint64_t accepted) const override {
    if ((accepted & veto) != 0) return std::string("the test model vetoes these features");
    return std::nullopt;
  }
  std::optional<std::string> config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override {
    if (offset != 8 || bytes.size() != 4) return std::string("only the field at 8 is writable");
    core.update_config(offset, bytes, false);
    return std::nullopt;
  }
  void activate(virtio::DeviceCore&) override {
    ++activations;
    if (fail_activation) throw virtio::Error(virtio::ErrorCode::InvalidState, "the test model failed to activate");
  }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override {
    ++notified.at(index);
    virtqueue::DeviceQueue* queue = core.queue(index);
    virtqueue::DescriptorChain chain;
    do {
      while (queue->take(chain)) {
        for (const virtqueue::Segment& s : chain.writable()) std::memset(s.data, 0xab, s.length);
        queue->put(chain.head(), static_cast<std::uint32_t>(chain.writable_bytes()));
        ++chains;
      }
      queue->notify();
    } while (queue->enable_notifications());
  }
  void queue_enabled(virtio::DeviceCore&, std::uint16_t index) override { ++enabled.at(index); }
  void queue_stopped(virtio::DeviceCore&, std::uint16_t index) override { ++stopped.at(index); }
  void reset(virtio::DeviceCore&) override { ++resets; }
};

/// Counts the interrupts a DeviceCore signals.
class CountingLine final : public notify::Notifier {
 public:
  void signal() override { count_signal(); }
  bool wait(std::chrono::nanoseconds) override { return false; }
};

/// The status bits of an initialisation that reached `bits`, written one step at a time.
inline void write_status_steps(virtio::DeviceCore& core, std::uint8_t bits) {
  std::uint8_t status = 0;
  for (std::uint8_t bit : {virtio::kStatusAcknowledge, virtio::kStatusDriver, virtio::kStatusFeaturesOk,
                           virtio::kStatusDriverOk}) {
    if ((bits & bit) == 0) continue;
    status |= bit;
    core.set_status(status);
  }
}

/// Writes `features` through both select windows, as a driver does.
inline void write_features(virtio::DeviceCore& core, std::uint64_t features) {
  core.set_driver_features(0, static_cast<std::uint32_t>(features));
  core.set_driver_features(1, static_cast<std::uint32_t>(features >> 32));
}

}  // namespace vgen::test
