// The driver side of a VirtIO 1.2 device, written once against the Transport interface: the
// initialisation sequence of §3.1.1 step by step, feature negotiation (§2.2.1, §6), queue
// creation with SplitDriverQueue, configuration reads that honour the generation counter
// (§2.5.1), interrupt handling, virtqueue reset (§2.6.1) and device cleanup (§3.3).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/features.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtio/transport.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::virtio {

/// What one interrupt reported, after the driver read and acknowledged InterruptStatus.
struct InterruptEvents {
  std::uint32_t bits = 0;    ///< the defined bits that were set (and were acknowledged)
  bool used = false;         ///< some queue has used buffers: reclaim them
  bool config = false;       ///< the configuration changed (or the device needs a reset)
  bool needs_reset = false;  ///< the device set DEVICE_NEEDS_RESET (§2.1.2)
};

/// Buffers given back when queues are torn down: queue index -> tokens of the chains the
/// device had not returned (SplitDriverQueue::detach_unused()).
using DetachedBuffers = std::map<std::uint16_t, std::vector<std::uint64_t>>;

/// Drives one device through a Transport. Single-threaded: one thread (or the caller's
/// serialisation) makes every call, including handle_interrupt(). Every step checks the
/// device's answer and stops with virtio::Error naming the step; once initialise() fails the
/// driver has set FAILED (§3.1.1), and only reset() or shutdown() are useful.
class DriverCore {
 public:
  /// Status reads while waiting for a reset (or a queue reset) to complete before giving up.
  static constexpr unsigned kResetPolls = 10000;
  /// Attempts at reading a configuration field before the generation is declared unstable.
  static constexpr unsigned kConfigAttempts = 64;

  /// `transport` and `memory` (where the rings go) must outlive the driver. `rules` are the
  /// device type's feature dependencies, the same object the device side uses.
  DriverCore(Transport& transport, const shm::GuestMemory& memory, FeatureRules rules = {});
  ~DriverCore();
  DriverCore(const DriverCore&) = delete;
  DriverCore& operator=(const DriverCore&) = delete;

  // --- §3.1.1, one function per step ----------------------------------------------------
  /// Step 1: writes 0 to the status and waits until it reads 0 (virtio::Error(Timeout)
  /// otherwise). InvalidState while queues exist: shutdown() reclaims their buffers.
  void reset();
  /// Step 2: sets ACKNOWLEDGE.
  void acknowledge();
  /// Step 3: sets DRIVER.
  void set_driver();
  /// Step 4: reads the offered features, accepts `wanted` & offered, minus features vgen's
  /// runtime does not implement, minus features whose requirements are not accepted
  /// (§2.2.1), plus VIRTIO_F_VERSION_1, which must be offered (FeatureMissing otherwise, after
  /// setting FAILED). Writes the accepted set and returns it.
  std::uint64_t negotiate_features(std::uint64_t wanted);
  /// Steps 5 and 6: sets FEATURES_OK and reads the status back; FeaturesRefused (after setting
  /// FAILED) when the device left FEATURES_OK clear.
  void confirm_features();
  /// Step 7: sets up queue `index` with `size` entries at `addresses` and enables it
  /// (§4.2.3.2: checks the queue is not in use and size <= its maximum). Also used after
  /// DRIVER_OK to re-enable a queue after reset_queue(). The queue's kicks before DRIVER_OK
  /// are held back and sent by driver_ok() (§3.1.1: no notification before DRIVER_OK).
  virtqueue::SplitDriverQueue& setup_queue(std::uint16_t index, std::uint32_t size,
                                           const virtqueue::RingAddresses& addresses,
                                           virtqueue::IndirectPool pool = {});
  /// Step 7 with the rings taken from `allocator` (16/2/4-byte alignment, §2.7.1).
  virtqueue::SplitDriverQueue& setup_queue(std::uint16_t index, std::uint32_t size, shm::Allocator& allocator);
  /// Step 8: sets DRIVER_OK, sends the kicks held back, and checks the device did not set
  /// DEVICE_NEEDS_RESET while activating (DeviceNeedsReset otherwise).
  void driver_ok();
  /// Sets FAILED (§3.1.1: the driver gave up on the device).
  void fail();

  /// Steps 1 to 8: `setup` runs in step 7 (create queues, read or write configuration).
  /// Any failure sets FAILED and rethrows. Returns the negotiated features.
  std::uint64_t initialize(std::uint64_t wanted, const std::function<void(DriverCore&)>& setup);

  // --- state ----------------------------------------------------------------------------
  /// The status this driver last wrote (what it believes).
  std::uint8_t status() const noexcept { return status_; }
  /// Reads the status from the device.
  std::uint8_t device_status() { return transport_.status(); }
  /// The features the device offered, as read in step 4 (0 before).
  std::uint64_t offered_features() const noexcept { return offered_; }
  /// The negotiated features (valid once FEATURES_OK is confirmed, 0 before).
  std::uint64_t features() const noexcept { return confirmed_ ? accepted_ : 0; }
  /// True if feature `bit` is negotiated.
  bool has_feature(unsigned bit) const noexcept { return bit < 64 && (features() & feature_bit(bit)) != 0; }
  /// The queue at `index` (InvalidArgument if it was not set up).
  virtqueue::SplitDriverQueue& queue(std::uint16_t index);
  /// True if queue `index` is set up.
  bool has_queue(std::uint16_t index) const noexcept { return queues_.count(index) != 0; }
  /// The transport.
  Transport& transport() noexcept { return transport_; }

  // --- operation ------------------------------------------------------------------------
  /// Reads InterruptStatus, acknowledges the defined bits that were set, and on a
  /// configuration change checks the status for DEVICE_NEEDS_RESET (§4.2.3.4.1). Undefined
  /// bits are ignored (§4.2.2.2).
  InterruptEvents handle_interrupt();
  /// Calls handle_interrupt() if the transport's interrupt line is signalled within `timeout`.
  std::optional<InterruptEvents> wait_interrupt(std::chrono::nanoseconds timeout);

  /// Reads one configuration field of 1, 2, 4 or 8 bytes at `offset` into `out` with the
  /// widths §4.2.2.2 asks for (an 8-byte field as two 4-byte reads), retrying while the
  /// generation changes (§2.5.1; ConfigUnstable after kConfigAttempts). With
  /// `required_feature`, the field is optional: FeatureMissing unless that feature is
  /// negotiated (or, before negotiation, offered).
  void read_config(std::uint32_t offset, std::span<std::byte> out, std::optional<unsigned> required_feature = {});
  /// Reads an array of single bytes the same way (each byte one 1-byte access).
  void read_config_bytes(std::uint32_t offset, std::span<std::byte> out);
  /// Typed little-endian read of a 1/2/4/8-byte unsigned field.
  template <class T>
  T read_config(std::uint32_t offset, std::optional<unsigned> required_feature = {}) {
    static_assert(std::is_unsigned_v<T> && (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8));
    std::byte raw[sizeof(T)];
    read_config(offset, raw, required_feature);
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(std::to_integer<T>(raw[i]) << (8 * i));
    return value;
  }
  /// Writes a 1, 2 or 4-byte field; InvalidState before FEATURES_OK (§3.1.1 step 4).
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value);

  /// §2.6.1: resets queue `index` (needs VIRTIO_F_RING_RESET: FeatureMissing otherwise),
  /// waits for the device to report it done and QueueReady 0, then returns the tokens of the
  /// chains the device had not used and drops the queue. setup_queue() enables it again.
  std::vector<std::uint64_t> reset_queue(std::uint16_t index);
  /// §3.3: resets the device, then reclaims every buffer still in a queue (only now, since
  /// the device no longer uses them) and drops the queues. Returns the tokens per queue.
  DetachedBuffers shutdown();

  /// Where status writes (EventKind::StateChanged), negotiated features, every configuration
  /// access made through the transport (ConfigRead, ConfigWrite with trace::kConfigByDriver in
  /// `b`, vgen/trace/config_access.hpp) and the queues' events go. `ends`: trace::Ends::Both
  /// when the device records into `sink` too (UsedReclaimed records then hold their numbers only).
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One) noexcept;

 private:
  class QueueKick;
  struct QueueEntry;

  void add_status(std::uint8_t bit);
  void require_status(std::uint8_t bits, const char* step) const;
  void wait_for_reset();
  [[noreturn]] void fail_with(ErrorCode code, const std::string& message);
  std::uint64_t read_offered();
  // One configuration access through the transport, recorded when tracing; a refused access
  // is recorded as such and rethrown.
  std::uint32_t config_read(std::uint32_t offset, unsigned width);
  void config_write(std::uint32_t offset, unsigned width, std::uint32_t value);
  void check_field_feature(std::uint32_t offset, std::optional<unsigned> required_feature);
  template <class ReadAll>
  void read_stable(std::uint32_t offset, ReadAll&& read_all);

  Transport& transport_;
  const shm::GuestMemory& memory_;
  FeatureRules rules_;
  std::uint8_t status_ = 0;
  std::uint64_t offered_ = 0;
  std::uint64_t accepted_ = 0;
  bool negotiated_ = false;
  bool confirmed_ = false;
  std::map<std::uint16_t, std::unique_ptr<QueueEntry>> queues_;
  trace::TraceSink* trace_ = nullptr;
  trace::Ends trace_ends_ = trace::Ends::One;
};

}  // namespace vgen::virtio
