// The device side of a vhost-user back end: a DeviceCore (over the connection's mapped
// memory) driven the way vhost-user drives a device. vhost-user has no status register: the
// features of SET_FEATURES stand for the driver's FEATURES_OK and DRIVER_OK, a started and
// enabled ring for QueueReady, and the one interrupt line of the core is routed to the rings'
// call eventfds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/notifier.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/vhost_user/model_adapter.hpp>
#include <vgen/vhost_user/unique_fd.hpp>
#include <vgen/virtio/device_core.hpp>

namespace vgen::vhost_user {

/// Where log lines go (one line per call, no trailing newline).
using LogSink = std::function<void(const std::string&)>;

/// One device behind a vhost-user socket. Used from the back end's thread; the interrupt
/// routing (call/err eventfds, the back-end channel) may also be reached from a thread running
/// device work through DeviceCore::run().
class Device {
 public:
  /// `model` and `memory` must outlive the device. Throws virtio::Error for a model the core
  /// refuses.
  Device(virtio::DeviceModel& model, const shm::GuestMemory& memory, LogSink log);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  /// The virtio feature bits offered (the model's plus transport_ring_features()).
  std::uint64_t offered_features() const noexcept { return core_.offered_features(); }
  /// Queue indexes the model declares.
  std::uint32_t queue_count() const noexcept { return core_.queue_count(); }
  /// Queues the front end may use (declared and available).
  std::uint32_t available_queues();
  /// True if queue `index` exists and is available.
  bool queue_available(std::uint32_t index);
  /// Size of the configuration space.
  std::size_t config_size() const noexcept { return core_.config_size(); }

  /// Applies the front end's virtio features: the driver's side of §3.1.1 up to DRIVER_OK.
  /// Nothing happens when they are already in force. Throws Error(Device) when the core
  /// refuses them, Error(OutOfOrder) when they change while `rings_live` is true.
  void negotiate(std::uint64_t features, bool rings_live);
  /// True once negotiate() succeeded and the device has not been reset since.
  bool negotiated();

  /// Makes queue `index` live at `size` entries, the ring parts at guest addresses, resuming
  /// at avail and used index `base`. Throws Error(Invalid) when the core refuses the ring.
  void start_ring(std::uint16_t index, std::uint32_t size, const virtqueue::RingAddresses& rings, std::uint16_t base);
  /// Stops live queue `index` and returns the avail index to resume at: the used idx the device
  /// published, because vgen devices return chains in the order they take them, so every chain
  /// after the last used one is taken again on resume (none lost, none answered twice).
  /// nullopt when the queue was not live.
  std::optional<std::uint16_t> stop_ring(std::uint16_t index);
  /// An available buffer notification (a kick) for live queue `index`.
  void kick(std::uint16_t index);

  /// The configuration space, zero-filled up to `length` bytes past its end.
  std::vector<std::byte> read_config(std::uint32_t offset, std::uint32_t length);
  /// A configuration write from the front end, split into naturally aligned 1/2/4-byte writes.
  /// Returns why the device refused it, or nullopt.
  std::optional<std::string> write_config(std::uint32_t offset, std::span<const std::byte> bytes);
  /// Device reset (§2.4): every queue stopped, features forgotten, the model's reset hook run.
  void reset();

  /// The eventfd to signal for used buffers of queue `index` (null: none).
  void set_call(std::uint16_t index, std::unique_ptr<notify::EventfdNotifier> call);
  /// The eventfd to signal when queue `index` fails (null: none).
  void set_err(std::uint16_t index, std::unique_ptr<notify::EventfdNotifier> err);
  /// The back-end channel (SET_BACKEND_REQ_FD); with `config_notices`, configuration changes
  /// are announced on it (VHOST_USER_BACKEND_CONFIG_CHANGE_MSG).
  void set_backend_channel(UniqueFd channel, bool config_notices);

  /// Where the device's events go (null: nowhere): the core's status changes and rings, the
  /// features SET_FEATURES put in force (FeaturesNegotiated, index 1), each kick received
  /// (NotifySent, head 0, index the avail idx the driver published) and each back-end channel
  /// notice (VhostUserMessage, head 1). Set before serving.
  void set_trace(trace::TraceSink* sink);

  /// The core, for diagnostics and device work (DeviceCore::run()).
  virtio::DeviceCore& core() noexcept { return core_; }

 private:
  class InterruptRoute;
  struct Signals {
    std::unique_ptr<notify::EventfdNotifier> call;
    std::unique_ptr<notify::EventfdNotifier> err;
    std::uint16_t last_called_used = 0;  // used idx at the last call
  };

  void route_interrupt();
  void signal_used(std::uint32_t index, Signals& signals);
  void announce_config_change();
  void report_needs_reset();
  void record_kick(std::uint16_t index);
  [[noreturn]] void refused(const std::string& what, const std::exception& error);

  const shm::GuestMemory& memory_;
  ModelAdapter adapter_;
  virtio::DeviceCore core_;
  trace::TraceSink* trace_ = nullptr;
  LogSink log_;
  std::unique_ptr<InterruptRoute> route_;
  std::mutex signals_mutex_;
  std::vector<Signals> signals_;
  UniqueFd backend_channel_;
  bool config_notices_ = false;
  bool needs_reset_reported_ = false;
};

}  // namespace vgen::vhost_user
