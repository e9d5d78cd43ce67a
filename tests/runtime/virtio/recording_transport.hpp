// A Transport that forwards to another one and logs every operation, with a hook that runs
// before each: the fake peer of the driver-core tests (mid-read configuration changes, a
// device that never resets, the order of register operations).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <vgen/virtio/transport.hpp>

namespace vgen::test {

/// Logs "name(args)" for every operation, then calls `before` with that text, then forwards.
class RecordingTransport : public virtio::Transport {
 public:
  explicit RecordingTransport(virtio::Transport& inner) : inner_(inner) {}

  std::vector<std::string> log;
  std::function<void(const std::string&)> before;

  /// Number of log entries that start with `prefix`.
  std::size_t count(const std::string& prefix) const {
    std::size_t n = 0;
    for (const std::string& entry : log) n += entry.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

  std::string name() const override { return "recording"; }
  std::uint32_t device_id() override { return inner_.device_id(); }
  std::uint32_t vendor_id() override { return inner_.vendor_id(); }
  std::uint8_t status() override { return (note("status()"), inner_.status()); }
  void set_status(std::uint8_t s) override { note("set_status(" + std::to_string(s) + ")"), inner_.set_status(s); }
  std::uint32_t device_features(std::uint32_t sel) override {
    return (note("device_features(" + std::to_string(sel) + ")"), inner_.device_features(sel));
  }
  void set_driver_features(std::uint32_t sel, std::uint32_t v) override {
    note("set_driver_features(" + std::to_string(sel) + "," + std::to_string(v) + ")");
    inner_.set_driver_features(sel, v);
  }
  std::uint32_t queue_max_size(std::uint16_t i) override {
    return (note("queue_max_size(" + std::to_string(i) + ")"), inner_.queue_max_size(i));
  }
  bool queue_ready(std::uint16_t i) override { return (note("queue_ready(" + std::to_string(i) + ")"), inner_.queue_ready(i)); }
  void set_queue_size(std::uint16_t i, std::uint32_t n) override {
    note("set_queue_size(" + std::to_string(i) + "," + std::to_string(n) + ")");
    inner_.set_queue_size(i, n);
  }
  void set_queue_addresses(std::uint16_t i, const virtqueue::RingAddresses& a) override {
    note("set_queue_addresses(" + std::to_string(i) + ")");
    inner_.set_queue_addresses(i, a);
  }
  void set_queue_ready(std::uint16_t i, bool r) override {
    note("set_queue_ready(" + std::to_string(i) + "," + std::to_string(r) + ")");
    inner_.set_queue_ready(i, r);
  }
  void reset_queue(std::uint16_t i) override { note("reset_queue(" + std::to_string(i) + ")"), inner_.reset_queue(i); }
  void notify(std::uint16_t i) override { note("notify(" + std::to_string(i) + ")"), inner_.notify(i); }
  std::uint32_t interrupt_status() override { return (note("interrupt_status()"), inner_.interrupt_status()); }
  void acknowledge_interrupt(std::uint32_t b) override {
    note("acknowledge_interrupt(" + std::to_string(b) + ")"), inner_.acknowledge_interrupt(b);
  }
  notify::Notifier& interrupt() override { return inner_.interrupt(); }
  std::uint32_t config_generation() override { return (note("config_generation()"), inner_.config_generation()); }
  std::uint32_t read_config(std::uint32_t o, unsigned w) override {
    return (note("read_config(" + std::to_string(o) + "," + std::to_string(w) + ")"), inner_.read_config(o, w));
  }
  void write_config(std::uint32_t o, unsigned w, std::uint32_t v) override {
    note("write_config(" + std::to_string(o) + "," + std::to_string(w) + "," + std::to_string(v) + ")");
    inner_.write_config(o, w, v);
  }

 private:
  void note(const std::string& entry) {
    log.push_back(entry);
    if (before) before(entry);
  }

  virtio::Transport& inner_;
};

}  // namespace vgen::test
