// A small VirtIO device written by hand in the shape vgen generates, for the halves' tests:
// events (device-to-driver pings), commands (driver-to-device pings), log (raw bytes), calls
// (requests with a status reply) and extra (driver-to-device, only with feature bit 1). Each
// half records what its handlers got.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/halves/virtio_device.hpp>
#include <vgen/halves/virtio_driver.hpp>

namespace ping {

struct Ping {
  std::uint32_t value_ = 0;
  std::uint32_t value() const noexcept { return vgen::wire::le(value_); }
  void set_value(std::uint32_t value) noexcept { value_ = vgen::wire::le(value); }
};
struct Status {
  std::uint8_t code_ = 0;
};
struct Config {
  std::uint32_t counter_ = 0;
  std::uint16_t limit_ = 0;
};

inline constexpr unsigned kFeatureBase = 0;
inline constexpr unsigned kFeatureExtra = 1;
inline constexpr std::uint16_t kEvents = 0;
inline constexpr std::uint16_t kCommands = 1;
inline constexpr std::uint16_t kLog = 2;
inline constexpr std::uint16_t kCalls = 3;
inline constexpr std::uint16_t kExtra = 4;

inline constexpr vgen::halves::QueueSpec kQueues[] = {
    {.size = 8, .direction = vgen::halves::Direction::device_to_driver, .message_bytes = sizeof(Ping)},
    {.size = 8, .direction = vgen::halves::Direction::driver_to_device, .message_bytes = sizeof(Ping)},
    {.size = 8, .direction = vgen::halves::Direction::driver_to_device, .raw = true},
    {.size = 8,
     .direction = vgen::halves::Direction::bidirectional,
     .message_bytes = sizeof(Ping),
     .reply_bytes = sizeof(Status)},
    {.size = 4, .direction = vgen::halves::Direction::driver_to_device, .message_bytes = sizeof(Ping), .feature = 1},
};
inline constexpr vgen::halves::ConfigField kConfigFields[] = {{0, 4}, {4, 2}};
inline constexpr vgen::virtio::FeatureDependency kDependencies[] = {{kFeatureExtra, kFeatureBase}};
inline constexpr vgen::halves::VirtioSpec kSpec{.name = "ping",
                                                .device_id = 0x7f10,
                                                .vendor_id = 0x1234,
                                                .offered_features = vgen::halves::offered_features(0x3),
                                                .dependencies = kDependencies,
                                                .queues = kQueues,
                                                .config = kConfigFields,
                                                .config_bytes = 6};

/// The device: answers a call with status value % 256, echoes commands onto events, keeps
/// the log, accepts configuration writes to `limit` only.
class Device : public vgen::halves::VirtioDevice<Config, kSpec> {
 public:
  std::vector<std::uint32_t> commands;
  std::vector<std::string> log;
  std::vector<std::uint32_t> extra;
  std::uint32_t produced = 0;  ///< pings made up for events while nothing was sent
  bool produce = false;        ///< make up pings when asked

  using VirtioDevice::config;
  using VirtioDevice::send_bytes;
  using VirtioDevice::update_config;

 protected:
  Config config_defaults() const override {
    Config config;
    config.counter_ = vgen::wire::le(std::uint32_t{41});
    return config;
  }
  std::optional<std::string> on_config_written(const Config& config, std::uint32_t offset) override {
    if (offset != 4) return VirtioDevice::on_config_written(config, offset);
    return std::nullopt;
  }
  void on_queue_message(std::uint16_t index, std::span<const std::byte> bytes) override {
    if (index == kCommands) {
      const Ping ping = vgen::wire::decode<Ping>(bytes);
      commands.push_back(ping.value());
      send_bytes(kEvents, vgen::wire::bytes_of(ping));
    }
    if (index == kLog) log.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (index == kExtra) extra.push_back(vgen::wire::decode<Ping>(bytes).value());
  }
  std::size_t on_queue_produce(std::uint16_t index, std::span<std::byte> buffer) override {
    if (index != kEvents || !produce) return 0;
    Ping ping;
    ping.set_value(1000 + produced++);
    return vgen::wire::encode(ping, buffer);
  }
  void on_queue_request(std::uint16_t index, vgen::halves::DeviceRequest& request) override {
    if (index != kCalls) return;
    const Ping ping = vgen::wire::decode<Ping>(request.header);
    Status status;
    status.code_ = static_cast<std::uint8_t>(ping.value() % 256);
    for (std::size_t at = 0; at < request.data_out.size() && at < request.data_in.size(); ++at) {
      request.data_out[at] = request.data_in[at];
    }
    request.written = static_cast<std::uint32_t>(std::min(request.data_out.size(), request.data_in.size()));
    vgen::wire::encode(status, request.reply);
  }
};

/// The driver: records events, raw replies and call answers.
class Driver : public vgen::halves::VirtioDriver<Config, kSpec> {
 public:
  using VirtioDriver::VirtioDriver;
  using VirtioDriver::post_buffers;
  using VirtioDriver::send_bytes;
  using VirtioDriver::submit_request;

  std::vector<std::uint32_t> events;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> answers;  ///< (request value, status)
  std::vector<std::string> data_in;
  bool started = false;

 protected:
  void on_started() override { started = true; }
  void on_queue_buffer(std::uint16_t index, std::span<const std::byte> bytes) override {
    if (index == kEvents) events.push_back(vgen::wire::decode<Ping>(bytes).value());
  }
  void on_queue_reply(std::uint16_t index, const vgen::halves::Reply& reply) override {
    if (index != kCalls) return;
    answers.emplace_back(vgen::wire::decode<Ping>(reply.request).value(), vgen::wire::decode<Status>(reply.reply).code_);
    data_in.emplace_back(reinterpret_cast<const char*>(reply.data_in.data()), reply.data_in.size());
  }
};

/// A ping with `value`.
inline Ping ping(std::uint32_t value) {
  Ping message;
  message.set_value(value);
  return message;
}

}  // namespace ping
