// The device half of a VirtIO pair, written once for every spec: a virtio::DeviceModel whose
// identity, features, queue sizes and configuration space come from the spec, and whose
// hooks frame the queues' traffic (VirtIO 1.2 §2.7.4: device-readable buffers first, then
// device-writable ones):
// - driver-to-device: each chain's readable bytes are one message, consumed;
// - device-to-driver: each buffer the driver posts is held until a message is sent or the
//   half produces one, then filled and returned;
// - bidirectional: a request header and data in the readable part; data and the reply in
//   the writable part, the reply at its end or, as the spec places it, at its start.
// A message may be followed by data up to the queue's bound (QueueSpec::data_bytes); chains
// past a bounded queue's buffer, or with a part the queue's chain does not have, are refused.
// A generated base class derives from VirtioDevice<Config, kSpec> and decodes the bytes into
// typed handler calls. Everything here runs under the DeviceCore's lock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <vgen/halves/handler_check.hpp>  // for the generated bases' Overrides
#include <vgen/halves/virtio_spec.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/wire/codec.hpp>

namespace vgen::halves {

/// Writes the message a producer returned, if any, at the front of `buffer`; returns the bytes
/// written (0 for none: the buffer waits).
template <wire::Message M>
std::size_t encode_produced(const std::optional<M>& message, std::span<std::byte> buffer) noexcept {
  return message ? wire::encode(*message, buffer) : 0;
}

/// Asks `producer(data, written)` for a message whose data it writes into the room after the
/// message in `buffer` (setting `written`); returns the bytes of both, 0 when it gave nothing.
template <wire::Message M, class Producer>
std::size_t produce_with_data(std::span<std::byte> buffer, Producer&& producer) {
  if (buffer.size() < sizeof(M)) return 0;
  std::uint32_t written = 0;
  const std::span<std::byte> data = buffer.subspan(sizeof(M));
  const std::optional<M> message = producer(data, written);
  if (!message) return 0;
  return wire::encode(*message, buffer) + std::min<std::size_t>(written, data.size());
}

/// One request taken from a bidirectional queue, as its handler sees it.
struct DeviceRequest {
  std::span<const std::byte> header;   ///< the request header (the queue's message size)
  std::span<const std::byte> data_in;  ///< the readable bytes after the header
  std::span<std::byte> data_out;       ///< the writable bytes before the reply
  std::span<std::byte> reply;          ///< where the reply goes (empty without a reply type)
  std::uint32_t written = 0;           ///< set by the handler: bytes of data_out it used
};

/// The device's queue framing (see the file comment).
class VirtioDeviceFraming : public virtio::DeviceModel {
 public:
  /// Most bytes a device-to-driver queue holds back while the driver has no buffer for them.
  static constexpr std::size_t kMaxPendingBytes = 1 << 20;
  /// Largest device-readable (and device-writable) chain accepted; larger ones are returned
  /// unused and counted in malformed().
  static constexpr std::uint64_t kMaxMessageBytes = 1 << 20;

  /// `spec` must outlive the device.
  explicit VirtioDeviceFraming(const VirtioSpec& spec) : spec_(spec), rules_(halves::feature_rules(spec)) {}

  virtio::DeviceIdentity identity() const override { return {spec_.device_id, spec_.vendor_id}; }
  std::uint64_t offered_features() const override { return spec_.offered_features; }
  const virtio::FeatureRules& feature_rules() const override;
  std::vector<std::uint32_t> queue_max_sizes() const override;
  std::vector<std::byte> initial_config() const override;
  std::optional<std::string> config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override;
  void activate(virtio::DeviceCore& core) override;
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override;
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t index) override;
  void queue_stopped(virtio::DeviceCore& core, std::uint16_t index) override;
  void reset(virtio::DeviceCore& core) override;

  /// Chains refused: shorter than their message type, longer than kMaxMessageBytes, or on a
  /// queue that takes nothing from the driver.
  std::uint64_t malformed() const noexcept { return malformed_; }
  /// The spec this device follows.
  const VirtioSpec& spec() const noexcept { return spec_; }

 protected:
  /// Driver-to-device queue `index` brought `bytes` (at least the message's size on a typed
  /// queue). Generated bases decode and dispatch.
  virtual void on_queue_message(std::uint16_t index, std::span<const std::byte> bytes);
  /// Device-to-driver queue `index` has a buffer waiting and nothing sent is pending: write
  /// into `buffer` and return the bytes written, or 0 to keep the buffer for later.
  virtual std::size_t on_queue_produce(std::uint16_t index, std::span<std::byte> buffer);
  /// Bidirectional queue `index` brought `request`: fill its data_out, written and reply.
  virtual void on_queue_request(std::uint16_t index, DeviceRequest& request);
  /// The configuration bytes after a reset (the spec's size; zeros by default).
  virtual std::vector<std::byte> config_default_bytes() const;
  /// The driver wrote configuration bytes; `config` already holds them. Return why the write
  /// is refused, or nothing to accept it (the default refuses: the space is read-only).
  virtual std::optional<std::string> on_config_bytes_written(std::span<const std::byte> config, std::uint32_t offset);
  /// The device was reset (VirtIO 1.2 §2.4): return to the initial state.
  virtual void on_reset() {}

  /// Sends `bytes` on device-to-driver queue `index`: now, or when the driver posts a
  /// buffer. False when kMaxPendingBytes are already waiting. Throws
  /// virtio::Error(InvalidArgument) for another queue.
  bool send_bytes(std::uint16_t index, std::span<const std::byte> bytes);
  /// Sends `message` followed by `data` on device-to-driver queue `index`, as send_bytes does.
  /// Throws virtio::Error(InvalidArgument) for data beyond the queue's data_bytes.
  bool send_bytes(std::uint16_t index, std::span<const std::byte> message, std::span<const std::byte> data);
  /// The current configuration bytes.
  std::vector<std::byte> config_bytes() const;
  /// Replaces the configuration bytes; the driver is interrupted if `notify_driver`.
  void update_config_bytes(std::span<const std::byte> bytes, bool notify_driver);
  /// True if feature `bit` was negotiated.
  bool has_feature(unsigned bit) const { return core_ != nullptr && core_->has_feature(bit); }
  /// The core running this device (valid in handlers).
  virtio::DeviceCore* core() const noexcept { return core_; }

 private:
  /// A device-to-driver queue's posted buffers and the messages waiting for one.
  struct Outbox {
    std::deque<virtqueue::DescriptorChain> held;
    std::deque<std::vector<std::byte>> pending;
    std::size_t pending_bytes = 0;
  };

  void serve(std::uint16_t index);
  bool serve_once(std::uint16_t index, virtqueue::DeviceQueue& queue);
  bool deliver(std::uint16_t index, virtqueue::DeviceQueue& queue);
  std::vector<std::byte> produce(std::uint16_t index, std::uint64_t room);
  void consume(std::uint16_t index, virtqueue::DeviceQueue& queue, const virtqueue::DescriptorChain& chain);
  bool readable_too_long(const QueueSpec& spec, std::uint64_t bytes) const noexcept;
  std::optional<std::vector<std::byte>> answer(std::uint16_t index, const virtqueue::DescriptorChain& chain,
                                               std::span<const std::byte> in);

  const VirtioSpec& spec_;
  virtio::FeatureRules rules_;
  virtio::DeviceCore* core_ = nullptr;
  std::vector<Outbox> outboxes_ = std::vector<Outbox>(spec_.queues.size());
  std::uint64_t malformed_ = 0;
};

/// The device half of the device `Spec` describes, whose configuration space has the layout
/// of `Config` (a generated struct; NoConfig for a device without one): the configuration
/// hooks, typed.
template <class Config, const VirtioSpec& Spec>
class VirtioDevice : public VirtioDeviceFraming {
  static_assert(std::is_trivially_copyable_v<Config>);

 public:
  /// The spec this half follows.
  static constexpr const VirtioSpec& kSpec = Spec;

  /// A device of the type `Spec` describes, idle until a DeviceCore drives it.
  VirtioDevice() : VirtioDeviceFraming(Spec) {}

 protected:
  /// The configuration space after a reset (zeros by default).
  virtual Config config_defaults() const { return Config{}; }
  /// The driver wrote configuration bytes at `offset`; `config` already holds them. Return
  /// why the write is refused, or nothing to accept it (the default refuses: read-only).
  virtual std::optional<std::string> on_config_written(const Config& config, std::uint32_t offset) {
    return VirtioDeviceFraming::on_config_bytes_written(std::as_bytes(std::span(&config, 1)), offset);
  }
  /// The current configuration space.
  Config config() const {
    Config current{};
    const std::vector<std::byte> bytes = config_bytes();
    std::memcpy(static_cast<void*>(&current), bytes.data(), std::min(bytes.size(), sizeof(Config)));
    return current;
  }
  /// Changes the configuration space; the driver is interrupted if `notify_driver`.
  void update_config(const Config& config, bool notify_driver = true) {
    update_config_bytes(std::as_bytes(std::span(&config, 1)), notify_driver);
  }

 private:
  std::vector<std::byte> config_default_bytes() const override {
    const Config defaults = config_defaults();
    const auto bytes = std::as_bytes(std::span(&defaults, 1));
    return {bytes.begin(), bytes.end()};
  }
  std::optional<std::string> on_config_bytes_written(std::span<const std::byte> bytes, std::uint32_t offset) override {
    Config changed{};
    std::memcpy(static_cast<void*>(&changed), bytes.data(), std::min(bytes.size(), sizeof(Config)));
    return on_config_written(changed, offset);
  }
};

}  // namespace vgen::halves
