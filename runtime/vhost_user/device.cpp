#include <vgen/vhost_user/device.hpp>

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <vgen/endian.hpp>
#include <vgen/format.hpp>
#include <vgen/vhost_user/error.hpp>
#include <vgen/vhost_user/message.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/status.hpp>

namespace vgen::vhost_user {
namespace {

// The widest naturally aligned access (4, 2 or 1 bytes) at `offset` within `remaining`.
unsigned access_width(std::uint32_t offset, std::size_t remaining) {
  if (offset % 4 == 0 && remaining >= 4) return 4;
  if (offset % 2 == 0 && remaining >= 2) return 2;
  return 1;
}

}  // namespace

// The core's interrupt line: signalled after the core released its lock, it sends the raised
// reasons to the rings' eventfds and the back-end channel.
class Device::InterruptRoute final : public notify::Notifier {
 public:
  explicit InterruptRoute(Device& device) : device_(device) {}
  void signal() override {
    count_signal();
    device_.route_interrupt();
  }
  /// Nobody waits on this side of the line.
  bool wait(std::chrono::nanoseconds) override { return false; }

 private:
  Device& device_;
};

Device::Device(virtio::DeviceModel& model, const shm::GuestMemory& memory, LogSink log)
    : memory_(memory),
      adapter_(model),
      core_(memory, adapter_),
      log_(std::move(log)),
      route_(std::make_unique<InterruptRoute>(*this)),
      signals_(core_.queue_count()) {
  core_.set_interrupt_notifier(route_.get());
}

Device::~Device() { core_.set_interrupt_notifier(nullptr); }

void Device::set_trace(trace::TraceSink* sink) {
  trace_ = sink;
  core_.set_trace(sink);
}

std::uint32_t Device::available_queues() {
  std::uint32_t count = 0;
  for (std::uint32_t index = 0; index < queue_count(); ++index) {
    if (queue_available(index)) ++count;
  }
  return count;
}

bool Device::queue_available(std::uint32_t index) { return core_.queue_max_size(index) != 0; }

void Device::refused(const std::string& what, const std::exception& error) {
  throw Error(ErrorCode::Device, what + ": " + error.what());
}

bool Device::negotiated() {
  const std::uint8_t status = core_.status();
  return (status & virtio::kStatusDriverOk) != 0 &&
         (status & (virtio::kStatusDeviceNeedsReset | virtio::kStatusFailed)) == 0;
}

// vhost-user has no status register. The front end's SET_FEATURES is the driver's
// acknowledgement, feature write and FEATURES_OK in one (§3.1.1 steps 1-6), and DRIVER_OK
// follows (step 8): queues then go live one by one as the front end starts its rings.
void Device::negotiate(std::uint64_t features, bool rings_live) {
  if (negotiated() && core_.negotiated_features() == features) return;
  if (rings_live) {
    throw Error(ErrorCode::OutOfOrder, "VHOST_USER_SET_FEATURES: features " + hex(features) +
                                           " differ from those in force (" + hex(core_.negotiated_features()) +
                                           ") while rings run");
  }
  const std::string what = "VHOST_USER_SET_FEATURES " + hex(features);
  try {
    core_.reset();
    core_.set_status(virtio::kStatusAcknowledge);
    core_.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
    core_.set_driver_features(0, static_cast<std::uint32_t>(features));
    core_.set_driver_features(1, static_cast<std::uint32_t>(features >> 32));
    core_.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
    if ((core_.status() & virtio::kStatusFeaturesOk) == 0) {
      throw Error(ErrorCode::Device, what + ": the device refuses these features: " + core_.refusal());
    }
    core_.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                     virtio::kStatusDriverOk);
  } catch (const virtio::Error& error) {
    refused(what, error);
  }
  std::lock_guard lock(signals_mutex_);
  needs_reset_reported_ = false;
}

void Device::start_ring(std::uint16_t index, std::uint32_t size, const virtqueue::RingAddresses& rings,
                        std::uint16_t base) {
  {
    std::lock_guard lock(signals_mutex_);
    signals_[index].last_called_used = base;
  }
  try {
    core_.set_queue_size(index, size);
    core_.set_queue_addresses(index, rings);
    core_.set_queue_start(index, {base, base});
    core_.set_queue_ready(index, true);
  } catch (const virtio::Error& error) {
    throw Error(ErrorCode::Invalid, "ring " + std::to_string(index) + " cannot start: " + error.what());
  }
}

std::optional<std::uint16_t> Device::stop_ring(std::uint16_t index) {
  const std::optional<virtqueue::RingPosition> position = core_.queue_position(index);
  try {
    core_.set_queue_ready(index, false);
  } catch (const virtio::Error& error) {
    refused("ring " + std::to_string(index) + " cannot stop", error);
  }
  if (!position) return std::nullopt;
  return position->used;
}

void Device::kick(std::uint16_t index) {
  try {
    if (trace_ != nullptr) record_kick(index);
    core_.notify_queue(index);
  } catch (const virtio::Error& error) {
    log_("kick on ring " + std::to_string(index) + " refused: " + error.what());
  }
}

// The kick as the driver's NotifySent: the avail idx it published, read from its ring (0 when
// the ring is not mapped).
void Device::record_kick(std::uint16_t index) {
  std::uint16_t published = 0;
  const shm::GuestAddress idx = core_.queue_addresses(index).avail + 2;
  if (std::byte* host = memory_.find(idx, sizeof published)) {
    published = little_endian(std::atomic_ref(*reinterpret_cast<std::uint16_t*>(host)).load(std::memory_order_acquire));
  }
  trace_->record({trace::EventKind::NotifySent, index, 0, published});
}

std::vector<std::byte> Device::read_config(std::uint32_t offset, std::uint32_t length) {
  const std::vector<std::byte> space = core_.config_bytes();
  std::vector<std::byte> bytes(length, std::byte{0});
  for (std::uint32_t i = 0; i < length && std::uint64_t{offset} + i < space.size(); ++i) bytes[i] = space[offset + i];
  return bytes;
}

std::optional<std::string> Device::write_config(std::uint32_t offset, std::span<const std::byte> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto at = static_cast<std::uint32_t>(offset + done);
    const unsigned width = access_width(at, bytes.size() - done);
    std::uint32_t value = 0;
    for (unsigned i = 0; i < width; ++i) value |= std::to_integer<std::uint32_t>(bytes[done + i]) << (8 * i);
    try {
      core_.write_config(at, width, value);
    } catch (const virtio::Error& error) {
      return error.what();
    }
    done += width;
  }
  return std::nullopt;
}

void Device::reset() {
  core_.reset();
  std::lock_guard lock(signals_mutex_);
  for (Signals& signals : signals_) signals.last_called_used = 0;
  needs_reset_reported_ = false;
}

void Device::set_call(std::uint16_t index, std::unique_ptr<notify::EventfdNotifier> call) {
  std::lock_guard lock(signals_mutex_);
  signals_[index].call = std::move(call);
}

void Device::set_err(std::uint16_t index, std::unique_ptr<notify::EventfdNotifier> err) {
  std::lock_guard lock(signals_mutex_);
  signals_[index].err = std::move(err);
}

void Device::set_backend_channel(UniqueFd channel, bool config_notices) {
  std::lock_guard lock(signals_mutex_);
  backend_channel_ = std::move(channel);
  config_notices_ = config_notices;
}

void Device::route_interrupt() {
  const std::uint32_t bits = core_.interrupt_status();
  if (bits == 0) return;
  core_.acknowledge_interrupt(bits);
  std::lock_guard lock(signals_mutex_);
  if ((bits & virtio::kInterruptUsedBuffer) != 0) {
    for (std::uint32_t index = 0; index < signals_.size(); ++index) signal_used(index, signals_[index]);
  }
  if ((bits & virtio::kInterruptConfigChange) != 0) {
    if ((core_.status() & virtio::kStatusDeviceNeedsReset) != 0) {
      report_needs_reset();
    } else {
      announce_config_change();
    }
  }
}

// One core interrupt line, one call eventfd per ring: a ring is called when its used idx
// moved since its last call, so a quiet ring is not woken for another ring's buffers.
void Device::signal_used(std::uint32_t index, Signals& signals) {
  if (!signals.call) return;
  const std::optional<virtqueue::RingPosition> position = core_.queue_position(index);
  if (!position || position->used == signals.last_called_used) return;
  signals.last_called_used = position->used;
  try {
    signals.call->signal();
  } catch (const notify::Error& error) {
    log_("ring " + std::to_string(index) + ": call eventfd: " + error.what());
  }
}

// VHOST_USER_BACKEND_CONFIG_CHANGE_MSG: the front end reads the space again with GET_CONFIG.
void Device::announce_config_change() {
  if (!backend_channel_ || !config_notices_) return;
  const auto header = encode_header({static_cast<std::uint32_t>(BackendRequest::ConfigChange), kVersion, 0});
  if (trace_ != nullptr) {
    trace::Event event{trace::EventKind::VhostUserMessage, 0, 1};
    event.bytes = header;
    trace_->record(event);
  }
  if (::send(backend_channel_.get(), header.data(), header.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    log_(std::string("back-end channel: configuration change notice not sent: ") + std::strerror(errno));
  }
}

// §2.1.2: the device stopped using its queues; the front end learns it through the rings'
// error eventfds (SET_VRING_ERR).
void Device::report_needs_reset() {
  if (needs_reset_reported_) return;
  needs_reset_reported_ = true;
  log_("device needs a reset: " + core_.needs_reset_reason());
  for (Signals& signals : signals_) {
    if (!signals.err) continue;
    try {
      signals.err->signal();
    } catch (const notify::Error& error) {
      log_(std::string("error eventfd: ") + error.what());
    }
  }
}

}  // namespace vgen::vhost_user
