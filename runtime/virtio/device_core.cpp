#include <vgen/virtio/device_core.hpp>

#include <utility>

#include <vgen/format.hpp>
#include <vgen/trace/config_access.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtqueue/split_ring.hpp>

namespace vgen::virtio {
namespace {

std::string queue_name(std::uint32_t index) { return "queue " + std::to_string(index); }

// §3.1.1: each initialisation bit follows the one before it.
struct Step {
  std::uint8_t bit;
  std::uint8_t predecessor;
};
constexpr Step kSteps[] = {
    {kStatusDriver, kStatusAcknowledge}, {kStatusFeaturesOk, kStatusDriver}, {kStatusDriverOk, kStatusFeaturesOk}};

// The first feature bit set in `mask`.
unsigned lowest_bit(std::uint64_t mask) {
  unsigned bit = 0;
  while ((mask & feature_bit(bit)) == 0) ++bit;
  return bit;
}

}  // namespace

// Locks the core for one public call. Interrupts raised meanwhile are signalled when the
// outermost guard ends: finish() on the normal path (errors propagate), the destructor when
// an exception left the call (errors are counted, since a destructor cannot throw).
class DeviceCore::Access {
 public:
  explicit Access(DeviceCore& core) : core_(core), lock_(core.mutex_) { ++core_.depth_; }
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;
  ~Access() {
    if (!lock_.owns_lock()) return;
    notify::Notifier* line = leave();
    if (line == nullptr) return;
    try {
      line->signal();
    } catch (...) {
      core_.lost_interrupts_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  /// Leaves the core and signals a pending interrupt; the notifier's errors propagate.
  void finish() {
    notify::Notifier* line = leave();
    if (line != nullptr) line->signal();
  }

 private:
  // Releases the lock; returns the line to signal when this was the outermost guard and an
  // interrupt is pending.
  notify::Notifier* leave() {
    notify::Notifier* line = nullptr;
    if (--core_.depth_ == 0 && core_.interrupt_pending_) {
      core_.interrupt_pending_ = false;
      line = core_.interrupt_line_;
    }
    lock_.unlock();
    return line;
  }

  DeviceCore& core_;
  std::unique_lock<std::recursive_mutex> lock_;
};

// The notifier a live device queue signals for a used buffer notification: it raises the
// used-buffer bit of the interrupt status (the core's lock is held: queues are only used
// inside model hooks).
class DeviceCore::QueueInterrupt final : public notify::Notifier {
 public:
  explicit QueueInterrupt(DeviceCore& core) : core_(core) {}
  void signal() override {
    count_signal();
    core_.raise_interrupt(kInterruptUsedBuffer);
  }
  /// Nobody waits on the device side of an interrupt.
  bool wait(std::chrono::nanoseconds) override { return false; }

 private:
  DeviceCore& core_;
};

struct DeviceCore::QueueState {
  std::uint32_t max_size = 0;
  std::uint32_t size = 0;
  virtqueue::RingAddresses addresses;
  virtqueue::RingPosition start;
  bool ready = false;
  std::unique_ptr<QueueInterrupt> interrupt;
  std::unique_ptr<virtqueue::SplitDeviceQueue> live;
};

DeviceCore::DeviceCore(const shm::GuestMemory& memory, DeviceModel& model)
    : memory_(memory),
      model_(model),
      identity_(model.identity()),
      offered_(model.offered_features()),
      config_(model.initial_config()) {
  config_size_ = config_.size();
  const std::vector<std::uint32_t> sizes = model.queue_max_sizes();
  if (sizes.size() > 0xffff) {
    throw Error(ErrorCode::InvalidArgument, "device model declares " + std::to_string(sizes.size()) +
                                                " queues; a queue index is 16 bits (at most 65535 queues)");
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] != 0 && !virtqueue::valid_queue_size(sizes[i])) {
      throw Error(ErrorCode::InvalidArgument, "device model: maximum size " + std::to_string(sizes[i]) + " of " +
                                                  queue_name(static_cast<std::uint32_t>(i)) +
                                                  " is not 0 or a power of two up to 32768");
    }
    auto state = std::make_unique<QueueState>();
    state->max_size = sizes[i];
    state->size = sizes[i];
    state->interrupt = std::make_unique<QueueInterrupt>(*this);
    queues_.push_back(std::move(state));
  }
  check_offer();
}

DeviceCore::~DeviceCore() = default;

void DeviceCore::check_offer() const {
  if (identity_.device_id == 0) {
    throw Error(ErrorCode::InvalidArgument, "device model: device ID 0 marks a placeholder, not a device (§4.2.2)");
  }
  if ((offered_ & kFeatureVersion1Mask) == 0) {
    throw Error(ErrorCode::InvalidArgument,
                "device model does not offer VIRTIO_F_VERSION_1; vgen devices have no legacy interface (§6.1)");
  }
  const std::uint64_t unsupported = offered_ & kReservedFeatureRange & ~kSupportedReservedFeatures;
  if (unsupported != 0) {
    throw Error(ErrorCode::InvalidArgument,
                "device model offers " + feature_name(lowest_bit(unsupported)) + ", which vgen does not implement");
  }
  if (const auto problem = model_.feature_rules().violation(offered_)) {
    throw Error(ErrorCode::InvalidArgument, "device model offer breaks a feature dependency (§2.2.2): " + *problem);
  }
}

void DeviceCore::reject(const std::string& message) {
  rejections_.record(message);
  throw Error(ErrorCode::Rejected, message);
}

DeviceCore::QueueState& DeviceCore::existing_queue(std::uint32_t index, const char* what) {
  if (index >= queues_.size() || queues_[index]->max_size == 0) {
    reject(std::string(what) + " for " + queue_name(index) + ": the queue is not available (QueueNumMax 0)");
  }
  return *queues_[index];
}

bool DeviceCore::running() const noexcept {
  return (status_ & kStatusDriverOk) != 0 && (status_ & (kStatusDeviceNeedsReset | kStatusFailed)) == 0;
}

template <class Hook>
void DeviceCore::guarded(const char* what, Hook&& hook) {
  try {
    hook();
  } catch (const vgen::Error& e) {
    enter_needs_reset(std::string(what) + ": " + e.what());
  }
}

void DeviceCore::change_status(std::uint8_t value) {
  const std::uint8_t old = status_;
  status_ = value;
  if (trace_ != nullptr && old != value) trace_->record({trace::EventKind::StateChanged, 0, 0, 1, old, value});
}

void DeviceCore::raise_interrupt(std::uint32_t bits) {
  // §2.1.2 / §2.4.1: no notification before DRIVER_OK, nor after a reset.
  if ((status_ & kStatusDriverOk) == 0) return;
  interrupt_status_ |= bits;
  interrupt_pending_ = true;
}

// --- status ---------------------------------------------------------------------------------

std::uint8_t DeviceCore::status() {
  Access access(*this);
  return status_;
}

void DeviceCore::reset() {
  Access access(*this);
  reset_locked();
  access.finish();
}

void DeviceCore::reset_locked() {
  for (auto& queue : queues_) {
    queue->live.reset();
    queue->ready = false;
    queue->size = queue->max_size;
    queue->addresses = {};
    queue->start = {};
  }
  interrupt_status_ = 0;
  interrupt_pending_ = false;
  driver_features_ = 0;
  needs_reset_reason_.clear();
  change_status(0);
  guarded("device reset", [&] { model_.reset(*this); });
}

void DeviceCore::set_status(std::uint8_t value) {
  Access access(*this);
  if (value == 0) {
    reset_locked();
    access.finish();
    return;
  }
  const std::string what = "Status write " + hex(value) + " (" + status_text(value) + ") over " + hex(status_);
  if ((value & ~kStatusDefinedBits) != 0)
    reject(what + ": bits " + hex(value & ~kStatusDefinedBits) + " are undefined (§2.1)");
  if ((status_ & kStatusFailed) != 0) reject(what + ": the driver set FAILED and must reset the device first (§2.1.1)");
  if ((value & kStatusDeviceNeedsReset) != 0 && (status_ & kStatusDeviceNeedsReset) == 0) {
    reject(what + ": DEVICE_NEEDS_RESET is set by the device only (§2.1)");
  }
  const std::uint8_t written = value & ~kStatusDeviceNeedsReset;
  const std::uint8_t cleared = status_ & ~kStatusDeviceNeedsReset & ~written;
  if (cleared != 0) reject(what + ": it clears " + status_text(cleared) + "; a driver never clears a bit (§2.1.1)");
  for (const Step& step : kSteps) {
    if ((written & step.bit) != 0 && (written & step.predecessor) == 0) {
      reject(what + ": " + status_text(step.bit) + " without " + status_text(step.predecessor) + " (§3.1.1)");
    }
  }
  add_status_bits(status_, written & ~status_);
  access.finish();
}

void DeviceCore::add_status_bits(std::uint8_t old_status, std::uint8_t added) {
  std::uint8_t next = old_status | added;
  if ((added & kStatusFeaturesOk) != 0) {
    // §2.2.2: a device that cannot accept the driver's subset leaves FEATURES_OK clear, and
    // DRIVER_OK cannot follow in the same write.
    if (const auto problem = feature_problem(driver_features_)) {
      refusal_ = *problem;
      next &= static_cast<std::uint8_t>(~(kStatusFeaturesOk | kStatusDriverOk));
    }
  }
  change_status(next);
  if ((next & kStatusFeaturesOk) != 0 && (old_status & kStatusFeaturesOk) == 0 && trace_ != nullptr) {
    trace_->record({trace::EventKind::FeaturesNegotiated, 0, 0, 1, offered_, driver_features_});
  }
  if ((added & kStatusDriverOk) != 0 && (next & kStatusDriverOk) != 0) activate();
}

std::optional<std::string> DeviceCore::feature_problem(std::uint64_t accepted) const {
  const std::uint64_t unoffered = accepted & ~offered_;
  if (unoffered != 0) {
    return "the driver accepted " + feature_name(lowest_bit(unoffered)) + ", which the device does not offer (§2.2.1)";
  }
  if ((accepted & kFeatureVersion1Mask) == 0) {
    return std::string("the driver did not accept VIRTIO_F_VERSION_1; vgen devices have no legacy interface (§6.1)");
  }
  if (const auto problem = model_.feature_rules().violation(accepted)) {
    return "the accepted features break a dependency (§2.2.1): " + *problem;
  }
  if (const auto problem = model_.check_features(accepted))
    return "the device cannot work with these features: " + *problem;
  return std::nullopt;
}

void DeviceCore::activate() {
  if (!running()) return;
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    if (queues_[i]->ready && !make_live(static_cast<std::uint16_t>(i))) return;
  }
  guarded("activate", [&] { model_.activate(*this); });
}

bool DeviceCore::make_live(std::uint16_t index) {
  QueueState& queue = *queues_[index];
  virtqueue::QueueConfig config;
  config.size = queue.size;
  config.addresses = queue.addresses;
  config.features = virtqueue::RingFeatures::from(driver_features_);
  config.index = index;
  config.start = queue.start;
  try {
    queue.live = std::make_unique<virtqueue::SplitDeviceQueue>(memory_, config);
  } catch (const vgen::Error& e) {
    enter_needs_reset(queue_name(index) + ": " + e.what());
    return false;
  }
  queue.live->set_notifier(queue.interrupt.get());
  queue.live->set_trace(trace_, trace_ends_);
  return true;
}

void DeviceCore::enter_needs_reset(const std::string& reason) {
  if ((status_ & kStatusDeviceNeedsReset) != 0) return;  // the first reason is the one that counts
  needs_reset_reason_ = reason;
  change_status(status_ | kStatusDeviceNeedsReset);
  // §2.1.2: with DRIVER_OK set, DEVICE_NEEDS_RESET comes with a configuration change notification.
  raise_interrupt(kInterruptConfigChange);
}

void DeviceCore::set_needs_reset(const std::string& reason) {
  Access access(*this);
  enter_needs_reset(reason);
  access.finish();
}

std::string DeviceCore::needs_reset_reason() {
  Access access(*this);
  return needs_reset_reason_;
}

// --- features -------------------------------------------------------------------------------

std::uint32_t DeviceCore::device_features(std::uint32_t select) {
  if (select >= kFeatureWindows) return 0;
  return static_cast<std::uint32_t>(offered_ >> (kFeatureWindowBits * select));
}

void DeviceCore::set_driver_features(std::uint32_t select, std::uint32_t value) {
  Access access(*this);
  const std::string what = "DriverFeatures write " + hex(value) + " to window " + std::to_string(select);
  if ((status_ & kStatusFeaturesOk) != 0) {
    reject(what + ": features are fixed once FEATURES_OK is set (§3.1.1 step 5)");
  }
  if (select >= kFeatureWindows) {
    if (value != 0) reject(what + ": no feature bits beyond 63 exist");
    return;
  }
  const unsigned shift = kFeatureWindowBits * select;
  driver_features_ = (driver_features_ & ~(std::uint64_t{0xffffffff} << shift)) | (std::uint64_t{value} << shift);
}

std::uint64_t DeviceCore::driver_features() {
  Access access(*this);
  return driver_features_;
}

std::uint64_t DeviceCore::negotiated_features() {
  Access access(*this);
  return (status_ & kStatusFeaturesOk) != 0 ? driver_features_ : 0;
}

bool DeviceCore::has_feature(unsigned bit) { return bit < 64 && (negotiated_features() & feature_bit(bit)) != 0; }

std::string DeviceCore::refusal() {
  Access access(*this);
  return refusal_;
}

// --- queues ---------------------------------------------------------------------------------

std::uint32_t DeviceCore::queue_max_size(std::uint32_t index) {
  Access access(*this);
  return index < queues_.size() ? queues_[index]->max_size : 0;
}

std::uint32_t DeviceCore::queue_size(std::uint32_t index) {
  Access access(*this);
  return index < queues_.size() ? queues_[index]->size : 0;
}

void DeviceCore::set_queue_size(std::uint32_t index, std::uint32_t size) {
  Access access(*this);
  const std::string what = "QueueNum write " + std::to_string(size);
  QueueState& queue = existing_queue(index, what.c_str());
  if (queue.ready) reject(what + " for ready " + queue_name(index) + " (§4.2.2.2: write QueueReady 0 first)");
  if (!virtqueue::valid_queue_size(size) || size > queue.max_size) {
    reject(what + " for " + queue_name(index) + ": not a power of two from 1 to QueueNumMax " +
           std::to_string(queue.max_size) + " (§4.2.2.2)");
  }
  queue.size = size;
}

virtqueue::RingAddresses DeviceCore::queue_addresses(std::uint32_t index) {
  Access access(*this);
  return index < queues_.size() ? queues_[index]->addresses : virtqueue::RingAddresses{};
}

void DeviceCore::set_queue_addresses(std::uint32_t index, const virtqueue::RingAddresses& addresses) {
  Access access(*this);
  QueueState& queue = existing_queue(index, "queue address write");
  if (queue.ready) {
    reject("queue address write for ready " + queue_name(index) + " (§4.2.2.2: write QueueReady 0 first)");
  }
  queue.addresses = addresses;
}

void DeviceCore::set_queue_start(std::uint32_t index, const virtqueue::RingPosition& start) {
  Access access(*this);
  QueueState& queue = existing_queue(index, "queue start write");
  if (queue.ready) reject("queue start write for ready " + queue_name(index) + " (stop the queue first)");
  queue.start = start;
}

std::optional<virtqueue::RingPosition> DeviceCore::queue_position(std::uint32_t index) {
  Access access(*this);
  if (index >= queues_.size() || !queues_[index]->live) return std::nullopt;
  return queues_[index]->live->position();
}

bool DeviceCore::queue_ready(std::uint32_t index) {
  Access access(*this);
  return index < queues_.size() && queues_[index]->ready;
}

void DeviceCore::set_queue_ready(std::uint32_t index, bool ready) {
  Access access(*this);
  QueueState& queue = existing_queue(index, ready ? "QueueReady write 1" : "QueueReady write 0");
  const auto queue_index = static_cast<std::uint16_t>(index);
  if (!ready) {
    if (queue.ready) stop_queue(queue_index);
    access.finish();
    return;
  }
  if (queue.ready) return;
  if ((status_ & kStatusFeaturesOk) == 0) {
    reject("QueueReady write 1 for " + queue_name(index) + " before FEATURES_OK (§3.1.1 step 7)");
  }
  try {
    [[maybe_unused]] const virtqueue::SplitRing check(memory_, queue.size, queue.addresses);
  } catch (const virtqueue::Error& e) {
    reject("QueueReady write 1 for " + queue_name(index) + ": " + e.what());
  }
  queue.ready = true;
  if (running() && make_live(queue_index)) {
    guarded("queue enabled", [&] { model_.queue_enabled(*this, queue_index); });
  }
  access.finish();
}

void DeviceCore::stop_queue(std::uint16_t index) {
  QueueState& queue = *queues_[index];
  queue.live.reset();
  queue.ready = false;
  guarded("queue stopped", [&] { model_.queue_stopped(*this, index); });
}

void DeviceCore::reset_queue(std::uint32_t index) {
  Access access(*this);
  QueueState& queue = existing_queue(index, "QueueReset write 1");
  if ((status_ & kStatusFeaturesOk) == 0 || (driver_features_ & feature_bit(virtqueue::kFeatureRingReset)) == 0) {
    reject("QueueReset write 1 for " + queue_name(index) + ": VIRTIO_F_RING_RESET is not negotiated (§2.6.1)");
  }
  // §2.6.1: stop using the queue and return its state to the reset values.
  stop_queue(static_cast<std::uint16_t>(index));
  queue.size = queue.max_size;
  queue.addresses = {};
  queue.start = {};
  access.finish();
}

void DeviceCore::notify_queue(std::uint32_t index) {
  Access access(*this);
  const std::string what = "QueueNotify " + std::to_string(index);
  if ((status_ & kStatusDriverOk) == 0) {
    reject(what + " before DRIVER_OK (§3.1.1: no available buffer notification before DRIVER_OK)");
  }
  QueueState& queue = existing_queue(index, what.c_str());
  if (!queue.ready) reject(what + ": the queue is not ready, so the device does not access it (§4.2.2.1)");
  if (!running() || !queue.live) return;  // the device needs a reset or the driver failed it
  guarded(queue_name(index).c_str(), [&] { model_.queue_notified(*this, static_cast<std::uint16_t>(index)); });
  access.finish();
}

virtqueue::DeviceQueue* DeviceCore::queue(std::uint32_t index) {
  Access access(*this);
  if (!running() || index >= queues_.size()) return nullptr;
  return queues_[index]->live.get();
}

void DeviceCore::run(const std::function<void()>& work) {
  Access access(*this);
  guarded("device work", work);
  access.finish();
}

// --- interrupts -----------------------------------------------------------------------------

std::uint32_t DeviceCore::interrupt_status() {
  Access access(*this);
  return interrupt_status_;
}

void DeviceCore::acknowledge_interrupt(std::uint32_t bits) {
  Access access(*this);
  if ((bits & ~kInterruptDefinedBits) != 0) {
    reject("InterruptACK write " + hex(bits) + ": bits " + hex(bits & ~kInterruptDefinedBits) +
           " are undefined (§4.2.2.2)");
  }
  interrupt_status_ &= ~bits;
}

void DeviceCore::set_interrupt_notifier(notify::Notifier* line) {
  Access access(*this);
  interrupt_line_ = line;
}

// --- configuration --------------------------------------------------------------------------

std::uint32_t DeviceCore::config_generation() {
  Access access(*this);
  return config_.generation();
}

std::uint32_t DeviceCore::read_config(std::uint32_t offset, unsigned width) {
  Access access(*this);
  if (!config_.valid_access(offset, width)) {
    reject("config read of " + std::to_string(width) + " bytes at offset " + std::to_string(offset) +
           ": not a naturally aligned 1, 2 or 4-byte access inside the " + std::to_string(config_.size()) +
           "-byte space (§4.2.2.2)");
  }
  const std::uint32_t value = config_.read(offset, width);
  if (trace_ != nullptr) {
    trace_->record({trace::EventKind::ConfigRead, 0, static_cast<std::uint16_t>(width), offset, value});
  }
  return value;
}

void DeviceCore::write_config(std::uint32_t offset, unsigned width, std::uint32_t value) {
  Access access(*this);
  const std::string what =
      "config write of " + hex(value) + " (" + std::to_string(width) + " bytes) at offset " + std::to_string(offset);
  if ((status_ & kStatusFeaturesOk) == 0) {
    reject(what + " before FEATURES_OK (§3.1.1 step 4: configuration may be read, not written)");
  }
  if (!config_.valid_access(offset, width)) {
    reject(what + ": not a naturally aligned 1, 2 or 4-byte access inside the " + std::to_string(config_.size()) +
           "-byte space (§4.2.2.2)");
  }
  std::byte bytes[4];
  for (unsigned i = 0; i < width; ++i) bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  std::optional<std::string> refused;
  guarded("config write", [&] { refused = model_.config_written(*this, offset, std::span(bytes, width)); });
  if (trace_ != nullptr) {
    trace_->record({trace::EventKind::ConfigWrite, 0, static_cast<std::uint16_t>(width), offset, value,
                    refused ? trace::kConfigRefused : 0});
  }
  if (refused) reject(what + ": " + *refused);
  access.finish();
}

void DeviceCore::update_config(std::uint32_t offset, std::span<const std::byte> bytes, bool notify_driver) {
  Access access(*this);
  config_.update(offset, bytes);
  if (notify_driver) raise_interrupt(kInterruptConfigChange);
  access.finish();
}

std::vector<std::byte> DeviceCore::config_bytes() {
  Access access(*this);
  return {config_.bytes().begin(), config_.bytes().end()};
}

void DeviceCore::set_trace(trace::TraceSink* sink, trace::Ends ends) {
  Access access(*this);
  trace_ = sink;
  trace_ends_ = ends;
  for (auto& queue : queues_) {
    if (queue->live) queue->live->set_trace(sink, ends);
  }
}

}  // namespace vgen::virtio
