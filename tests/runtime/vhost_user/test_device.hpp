// The device model the vhost-user tests serve: queue 0 echoes each request reversed (or holds
// the chains while hold() is on, as a device waiting for data does, until release()), and an
// 8-byte configuration space: a read-only magic word and a writable word.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <vector>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtqueue/chain.hpp>

namespace vhost_test {

inline constexpr std::uint32_t kConfigMagic = 0x76676e21;

class EchoDevice final : public vgen::virtio::DeviceModel {
 public:
  vgen::virtio::DeviceIdentity identity() const override { return {0x7669, 0x76}; }
  std::uint64_t offered_features() const override { return vgen::virtio::kFeatureVersion1Mask | 1; }
  std::vector<std::uint32_t> queue_max_sizes() const override { return {64, 0, 64}; }
  std::vector<std::byte> initial_config() const override {
    std::vector<std::byte> bytes(8);
    std::memcpy(bytes.data(), &kConfigMagic, 4);
    return bytes;
  }
  std::optional<std::string> config_written(vgen::virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override {
    if (offset < 4) return std::string("the magic word is read-only");
    core.update_config(offset, bytes, false);
    return std::nullopt;
  }
  void activate(vgen::virtio::DeviceCore& core) override { serve(core); }
  void queue_notified(vgen::virtio::DeviceCore& core, std::uint16_t) override { serve(core); }
  void queue_enabled(vgen::virtio::DeviceCore& core, std::uint16_t) override { serve(core); }
  void queue_stopped(vgen::virtio::DeviceCore&, std::uint16_t) override { held_.clear(); }
  void reset(vgen::virtio::DeviceCore&) override {
    held_.clear();
    resets.fetch_add(1);
  }

  /// Hold chains instead of answering them.
  void hold(bool on) { holding_ = on; }
  /// Answers every held chain (run through DeviceCore::run()).
  void release(vgen::virtio::DeviceCore& core) {
    holding_ = false;
    core.run([&] {
      vgen::virtqueue::DeviceQueue* queue = core.queue(0);
      if (queue == nullptr) return;
      while (!held_.empty()) {
        answer(*queue, held_.front());
        held_.pop_front();
      }
      serve(core);
    });
  }
  std::size_t held() const { return held_count_.load(); }

  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::uint64_t> resets{0};

 private:
  void serve(vgen::virtio::DeviceCore& core) {
    vgen::virtqueue::DeviceQueue* queue = core.queue(0);
    if (queue == nullptr) return;
    for (;;) {
      bool moved = false;
      vgen::virtqueue::DescriptorChain chain;
      while (queue->take(chain)) {
        moved = true;
        if (holding_) {
          held_.push_back(chain);
        } else {
          answer(*queue, chain);
        }
      }
      held_count_ = held_.size();
      queue->notify();
      if (!moved || !queue->enable_notifications()) return;
    }
  }
  void answer(vgen::virtqueue::DeviceQueue& queue, const vgen::virtqueue::DescriptorChain& chain) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(chain.readable_bytes()));
    vgen::virtqueue::ChainReader reader(chain);
    bytes.resize(reader.read(bytes));
    std::reverse(bytes.begin(), bytes.end());
    vgen::virtqueue::ChainWriter writer(chain);
    writer.write(bytes);
    queue.put(chain.head(), writer.written());
    answered.fetch_add(1);
    held_count_ = held_.size();
  }

  std::atomic<bool> holding_{false};
  std::deque<vgen::virtqueue::DescriptorChain> held_;
  std::atomic<std::size_t> held_count_{0};
};

}  // namespace vhost_test
