#include <vgen/virtio/driver_core.hpp>

#include <vgen/format.hpp>
#include <vgen/trace/config_access.hpp>

#include <thread>
#include <utility>

namespace vgen::virtio {
namespace {

std::string queue_name(std::uint16_t index) { return "queue " + std::to_string(index); }

// Polls `done` up to `polls` times, yielding the processor between tries.
template <class Done>
bool poll(unsigned polls, Done&& done) {
  for (unsigned i = 0; i < polls; ++i) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return false;
}

}  // namespace

// The kick notifier of one driver queue: an available buffer notification through the
// transport, held back until DRIVER_OK is set (§3.1.1) and dropped once the driver reset or
// failed the device.
class DriverCore::QueueKick final : public notify::Notifier {
 public:
  QueueKick(DriverCore& driver, std::uint16_t index) : driver_(driver), index_(index) {}

  void signal() override {
    const std::uint8_t status = driver_.status_;
    if ((status & kStatusFailed) != 0) return;
    if ((status & kStatusDriverOk) == 0) {
      held_ = status != 0;
      return;
    }
    send();
  }
  /// Nobody waits on the driver side of a kick.
  bool wait(std::chrono::nanoseconds) override { return false; }
  /// Sends the notification held back before DRIVER_OK, if any.
  void release() {
    if (!held_) return;
    held_ = false;
    send();
  }

 private:
  void send() {
    driver_.transport_.notify(index_);
    count_signal();
  }

  DriverCore& driver_;
  std::uint16_t index_;
  bool held_ = false;
};

struct DriverCore::QueueEntry {
  std::unique_ptr<QueueKick> kick;
  std::unique_ptr<virtqueue::SplitDriverQueue> queue;
};

DriverCore::DriverCore(Transport& transport, const shm::GuestMemory& memory, FeatureRules rules)
    : transport_(transport), memory_(memory), rules_(std::move(rules)) {}

DriverCore::~DriverCore() = default;

// --- steps ----------------------------------------------------------------------------------

void DriverCore::add_status(std::uint8_t bit) {
  const std::uint8_t old = status_;
  status_ |= bit;  // §2.1.1: bits are only ever added
  transport_.set_status(status_);
  if (trace_ != nullptr) trace_->record({trace::EventKind::StateChanged, 0, 0, 0, old, status_});
}

void DriverCore::require_status(std::uint8_t bits, const char* step) const {
  if ((status_ & bits) != bits) {
    throw Error(ErrorCode::InvalidState, std::string(step) + ": needs status " + status_text(bits) + ", but it is " +
                                             status_text(status_) + " (§3.1.1 order)");
  }
}

void DriverCore::fail_with(ErrorCode code, const std::string& message) {
  try {
    fail();
  } catch (const vgen::Error&) {
    // The original failure is what the caller needs to see.
  }
  throw Error(code, transport_.name() + ": " + message);
}

void DriverCore::fail() {
  if ((status_ & kStatusFailed) != 0) return;
  add_status(kStatusFailed);
}

void DriverCore::wait_for_reset() {
  // A device may take time to reset; re-initialising before it reads 0 would race it.
  if (!poll(kResetPolls, [&] { return transport_.status() == 0; })) {
    throw Error(ErrorCode::Timeout, transport_.name() + ": the device status did not read 0 after a reset request");
  }
}

void DriverCore::reset() {
  if (!queues_.empty()) {
    throw Error(ErrorCode::InvalidState, "reset: " + std::to_string(queues_.size()) +
                                             " queues still hold buffers; shutdown() reclaims them (§3.3)");
  }
  const std::uint8_t old = status_;
  transport_.set_status(0);
  wait_for_reset();
  status_ = 0;
  offered_ = accepted_ = 0;
  negotiated_ = confirmed_ = false;
  if (trace_ != nullptr && old != 0) trace_->record({trace::EventKind::StateChanged, 0, 0, 0, old, 0});
}

void DriverCore::acknowledge() {
  if (status_ != 0) {
    throw Error(ErrorCode::InvalidState,
                "acknowledge: status is " + status_text(status_) + "; reset first (§3.1.1 step 1)");
  }
  add_status(kStatusAcknowledge);
}

void DriverCore::set_driver() {
  require_status(kStatusAcknowledge, "set_driver");
  add_status(kStatusDriver);
}

std::uint64_t DriverCore::read_offered() {
  std::uint64_t offered = 0;
  for (std::uint32_t select = 0; select < kFeatureWindows; ++select) {
    offered |= std::uint64_t{transport_.device_features(select)} << (kFeatureWindowBits * select);
  }
  return offered;
}

std::uint64_t DriverCore::negotiate_features(std::uint64_t wanted) {
  require_status(kStatusAcknowledge | kStatusDriver, "negotiate_features");
  if ((status_ & kStatusFeaturesOk) != 0) {
    throw Error(ErrorCode::InvalidState, "negotiate_features: FEATURES_OK is set; features are final (§3.1.1 step 5)");
  }
  offered_ = read_offered();
  if ((offered_ & kFeatureVersion1Mask) == 0) {
    fail_with(ErrorCode::FeatureMissing,
              "the device offers " + hex(offered_) +
                  " without VIRTIO_F_VERSION_1: a legacy device, which vgen does not drive (§6.2)");
  }
  // §2.2.1: only offered features, only those vgen implements, none whose requirement is missing.
  const std::uint64_t implementable = kDeviceTypeFeatureRange | kSupportedReservedFeatures;
  accepted_ = rules_.prune((wanted & offered_ & implementable) | kFeatureVersion1Mask);
  for (std::uint32_t select = 0; select < kFeatureWindows; ++select) {
    transport_.set_driver_features(select, static_cast<std::uint32_t>(accepted_ >> (kFeatureWindowBits * select)));
  }
  negotiated_ = true;
  return accepted_;
}

void DriverCore::confirm_features() {
  if (!negotiated_)
    throw Error(ErrorCode::InvalidState, "confirm_features: negotiate_features() first (§3.1.1 step 4)");
  add_status(kStatusFeaturesOk);
  const std::uint8_t seen = transport_.status();
  if ((seen & kStatusFeaturesOk) == 0) {
    fail_with(ErrorCode::FeaturesRefused, "the device refused features " + hex(accepted_) + ": status reads " +
                                              status_text(seen) + " after FEATURES_OK was written (§3.1.1 step 6)");
  }
  confirmed_ = true;
  if (trace_ != nullptr) trace_->record({trace::EventKind::FeaturesNegotiated, 0, 0, 0, offered_, accepted_});
}

virtqueue::SplitDriverQueue& DriverCore::setup_queue(std::uint16_t index, std::uint32_t size,
                                                     const virtqueue::RingAddresses& addresses,
                                                     virtqueue::IndirectPool pool) {
  const std::string what = "setup_queue(" + std::to_string(index) + ")";
  if (!confirmed_) throw Error(ErrorCode::InvalidState, what + ": FEATURES_OK is not confirmed (§3.1.1 step 7)");
  if ((status_ & kStatusDriverOk) != 0 && !has_feature(virtqueue::kFeatureRingReset)) {
    throw Error(ErrorCode::InvalidState,
                what + ": after DRIVER_OK a queue is only re-enabled after a queue reset (§2.6.1)");
  }
  if (has_queue(index)) throw Error(ErrorCode::InvalidState, what + ": the queue is already set up");
  // §4.2.3.2: the queue must not be in use, and must exist.
  if (transport_.queue_ready(index)) {
    throw Error(ErrorCode::QueueInUse, transport_.name() + ": " + queue_name(index) + " already reads ready");
  }
  const std::uint32_t max_size = transport_.queue_max_size(index);
  if (max_size == 0) {
    throw Error(ErrorCode::QueueUnavailable, transport_.name() + ": " + queue_name(index) + " is not available");
  }
  if (!virtqueue::valid_queue_size(size) || size > max_size) {
    throw Error(ErrorCode::InvalidArgument, what + ": size " + std::to_string(size) +
                                                " is not a power of two no larger than QueueNumMax " +
                                                std::to_string(max_size) + " (§4.2.2.2)");
  }
  virtqueue::QueueConfig config;
  config.size = size;
  config.addresses = addresses;
  config.features = virtqueue::RingFeatures::from(accepted_);
  config.index = index;
  auto entry = std::make_unique<QueueEntry>();
  entry->queue = std::make_unique<virtqueue::SplitDriverQueue>(memory_, config, pool);
  entry->kick = std::make_unique<QueueKick>(*this, index);
  entry->queue->set_notifier(entry->kick.get());
  entry->queue->set_trace(trace_, trace_ends_);
  transport_.set_queue_size(index, size);
  transport_.set_queue_addresses(index, addresses);
  transport_.set_queue_ready(index, true);
  virtqueue::SplitDriverQueue& queue = *entry->queue;
  queues_[index] = std::move(entry);
  return queue;
}

virtqueue::SplitDriverQueue& DriverCore::setup_queue(std::uint16_t index, std::uint32_t size,
                                                     shm::Allocator& allocator) {
  if (!virtqueue::valid_queue_size(size)) {
    throw Error(ErrorCode::InvalidArgument, "setup_queue(" + std::to_string(index) + "): size " + std::to_string(size) +
                                                " is not a power of two up to 32768");
  }
  // §2.7.1: descriptor table 16-byte, available ring 2-byte, used ring 4-byte aligned.
  virtqueue::RingAddresses addresses;
  addresses.desc = allocator.allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  addresses.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  addresses.used = allocator.allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  return setup_queue(index, size, addresses);
}

void DriverCore::driver_ok() {
  if (!confirmed_) throw Error(ErrorCode::InvalidState, "driver_ok: FEATURES_OK is not confirmed (§3.1.1 step 8)");
  if ((status_ & kStatusDriverOk) != 0) throw Error(ErrorCode::InvalidState, "driver_ok: DRIVER_OK is already set");
  add_status(kStatusDriverOk);
  const std::uint8_t seen = transport_.status();
  if ((seen & kStatusDeviceNeedsReset) != 0) {
    fail_with(ErrorCode::DeviceNeedsReset,
              "the device set DEVICE_NEEDS_RESET when it went live (status " + status_text(seen) + ")");
  }
  for (auto& [index, entry] : queues_) entry->kick->release();
}

std::uint64_t DriverCore::initialize(std::uint64_t wanted, const std::function<void(DriverCore&)>& setup) {
  if (!queues_.empty()) {
    throw Error(ErrorCode::InvalidState, "initialize: queues of the previous session exist; shutdown() first (§3.3)");
  }
  try {
    reset();
    acknowledge();
    set_driver();
    negotiate_features(wanted);
    confirm_features();
    if (setup) setup(*this);
    driver_ok();
  } catch (...) {
    // §3.1.1: a driver that cannot complete the sequence sets FAILED.
    try {
      if (status_ != 0) fail();
    } catch (const vgen::Error&) {
      // Keep the original error.
    }
    throw;
  }
  return accepted_;
}

// --- state and operation --------------------------------------------------------------------

virtqueue::SplitDriverQueue& DriverCore::queue(std::uint16_t index) {
  const auto it = queues_.find(index);
  if (it == queues_.end()) {
    throw Error(ErrorCode::InvalidArgument, queue_name(index) + " is not set up");
  }
  return *it->second->queue;
}

InterruptEvents DriverCore::handle_interrupt() {
  InterruptEvents events;
  // §4.2.3.4.1: read what caused the interrupt, acknowledge it; §4.2.2.2: ignore undefined bits.
  events.bits = transport_.interrupt_status() & kInterruptDefinedBits;
  if (events.bits != 0) transport_.acknowledge_interrupt(events.bits);
  events.used = (events.bits & kInterruptUsedBuffer) != 0;
  events.config = (events.bits & kInterruptConfigChange) != 0;
  if (events.config) events.needs_reset = (transport_.status() & kStatusDeviceNeedsReset) != 0;
  return events;
}

std::optional<InterruptEvents> DriverCore::wait_interrupt(std::chrono::nanoseconds timeout) {
  if (!transport_.interrupt().wait(timeout)) return std::nullopt;
  return handle_interrupt();
}

void DriverCore::check_field_feature(std::uint32_t offset, std::optional<unsigned> required_feature) {
  if (!required_feature) return;
  const unsigned bit = *required_feature;
  const std::uint64_t known = confirmed_ ? accepted_ : (negotiated_ ? offered_ : read_offered());
  if (bit >= 64 || (known & feature_bit(bit)) == 0) {
    throw Error(ErrorCode::FeatureMissing, "config field at offset " + std::to_string(offset) + " needs " +
                                               feature_name(bit) + ", which is not " +
                                               (confirmed_ ? "negotiated" : "offered") + " (§2.5.1)");
  }
}

template <class ReadAll>
void DriverCore::read_stable(std::uint32_t offset, ReadAll&& read_all) {
  // §2.5.1: a read made of several accesses is only consistent if the generation did not move.
  for (unsigned attempt = 0; attempt < kConfigAttempts; ++attempt) {
    const std::uint32_t before = transport_.config_generation();
    read_all();
    if (transport_.config_generation() == before) return;
  }
  throw Error(ErrorCode::ConfigUnstable, transport_.name() + ": the configuration generation changed on each of " +
                                             std::to_string(kConfigAttempts) + " reads at offset " +
                                             std::to_string(offset));
}

void DriverCore::read_config(std::uint32_t offset, std::span<std::byte> out, std::optional<unsigned> required_feature) {
  const std::size_t size = out.size();
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    throw Error(ErrorCode::InvalidArgument, "read_config: a field is 1, 2, 4 or 8 bytes, not " + std::to_string(size) +
                                                " (read_config_bytes() reads byte arrays)");
  }
  check_field_feature(offset, required_feature);
  // §4.2.2.2: 8-bit, 16-bit and 32-bit fields with one access of their width, 64-bit fields
  // with two 32-bit accesses.
  const unsigned width = size == 8 ? 4 : static_cast<unsigned>(size);
  read_stable(offset, [&] {
    for (std::size_t done = 0; done < size; done += width) {
      const std::uint32_t value = config_read(offset + static_cast<std::uint32_t>(done), width);
      for (unsigned i = 0; i < width; ++i) out[done + i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
    }
  });
}

void DriverCore::read_config_bytes(std::uint32_t offset, std::span<std::byte> out) {
  read_stable(offset, [&] {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<std::byte>(config_read(offset + static_cast<std::uint32_t>(i), 1) & 0xff);
    }
  });
}

void DriverCore::write_config(std::uint32_t offset, unsigned width, std::uint32_t value) {
  require_status(kStatusFeaturesOk, "write_config");
  if (width != 1 && width != 2 && width != 4) {
    throw Error(ErrorCode::InvalidArgument, "write_config: width " + std::to_string(width) + " is not 1, 2 or 4");
  }
  config_write(offset, width, value);
}

std::uint32_t DriverCore::config_read(std::uint32_t offset, unsigned width) {
  if (trace_ == nullptr) return transport_.read_config(offset, width);
  const auto record = [&](std::uint32_t value, std::uint64_t refused) {
    trace_->record({trace::EventKind::ConfigRead, 0, static_cast<std::uint16_t>(width), offset, value,
                    trace::kConfigByDriver | refused});
  };
  std::uint32_t value = 0;
  try {
    value = transport_.read_config(offset, width);
  } catch (...) {
    record(0, trace::kConfigRefused);
    throw;
  }
  record(value, 0);
  return value;
}

void DriverCore::config_write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  if (trace_ == nullptr) return transport_.write_config(offset, width, value);
  const auto record = [&](std::uint64_t refused) {
    trace_->record({trace::EventKind::ConfigWrite, 0, static_cast<std::uint16_t>(width), offset, value,
                    trace::kConfigByDriver | refused});
  };
  try {
    transport_.write_config(offset, width, value);
  } catch (...) {
    record(trace::kConfigRefused);
    throw;
  }
  record(0);
}

std::vector<std::uint64_t> DriverCore::reset_queue(std::uint16_t index) {
  if (!has_feature(virtqueue::kFeatureRingReset)) {
    throw Error(ErrorCode::FeatureMissing,
                "reset_queue(" + std::to_string(index) + "): VIRTIO_F_RING_RESET is not negotiated (§2.6.1)");
  }
  const auto it = queues_.find(index);
  if (it == queues_.end())
    throw Error(ErrorCode::InvalidArgument, "reset_queue: " + queue_name(index) + " is not set up");
  it->second->queue->record_deferred();  // its chains before the reset, in the trace too
  transport_.reset_queue(index);
  // §2.6.1.2: the driver verifies the reset before touching the queue's memory.
  if (transport_.queue_ready(index)) {
    throw Error(ErrorCode::InvalidState,
                transport_.name() + ": " + queue_name(index) + " still reads ready after its reset");
  }
  std::vector<std::uint64_t> tokens = it->second->queue->detach_unused();
  queues_.erase(it);
  return tokens;
}

DetachedBuffers DriverCore::shutdown() {
  const std::uint8_t old = status_;
  for (auto& [index, entry] : queues_) entry->queue->record_deferred();  // before the reset, in the trace too
  transport_.set_status(0);
  wait_for_reset();
  status_ = 0;
  if (trace_ != nullptr && old != 0) trace_->record({trace::EventKind::StateChanged, 0, 0, 0, old, 0});
  // §3.3.1: buffers come back only now that the device no longer uses the queues.
  DetachedBuffers detached;
  for (auto& [index, entry] : queues_) detached[index] = entry->queue->detach_unused();
  queues_.clear();
  offered_ = accepted_ = 0;
  negotiated_ = confirmed_ = false;
  return detached;
}

void DriverCore::set_trace(trace::TraceSink* sink, trace::Ends ends) noexcept {
  trace_ = sink;
  trace_ends_ = ends;
  for (auto& [index, entry] : queues_) entry->queue->set_trace(sink, ends);
}

}  // namespace vgen::virtio
