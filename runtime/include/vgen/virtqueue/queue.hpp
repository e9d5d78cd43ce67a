// The two sides of a virtqueue as abstract interfaces. The split ring (§2.7) implements them
// today; a packed ring (§2.8) fits behind the same interfaces later.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include <vgen/cache_line.hpp>
#include <vgen/notify/notifier.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/features.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

/// Where the device side of a ring stands: the next avail entry to take and the next used
/// entry to fill (free-running 16-bit indexes). A new ring starts at {0, 0}; a transport that
/// stops and resumes rings (vhost-user's GET_VRING_BASE / SET_VRING_BASE) starts elsewhere.
struct RingPosition {
  std::uint16_t avail = 0;  ///< next avail ring entry the device takes
  std::uint16_t used = 0;   ///< next used ring entry the device fills (= used idx published)
};

/// How a queue is set up: what the driver wrote to the transport's queue registers plus the
/// negotiated ring features.
struct QueueConfig {
  std::uint32_t size = 256;  ///< entries, a power of two up to 32768
  RingAddresses addresses;   ///< where the three parts are
  RingFeatures features;     ///< negotiated INDIRECT_DESC / EVENT_IDX
  std::uint16_t index = 0;   ///< queue number, for trace events and messages
  RingPosition start;        ///< where the device side starts (device queues only)
};

/// A buffer the driver offers: guest address and length.
struct Buffer {
  shm::GuestAddress addr = 0;
  std::uint32_t length = 0;
};

/// A chain the device returned, as the driver reclaims it.
struct UsedBuffer {
  std::uint64_t token = 0;   ///< what the driver passed to add()
  std::uint32_t length = 0;  ///< bytes the device wrote (validated <= writable bytes; 0 without any)
};

/// Receives a queue's warnings, one line each (prefixed "queue N: ").
using LogSink = std::function<void(const std::string& line)>;

/// State every queue keeps: broken flag, error, notifier, trace sink, log sink; and the
/// publishing both sides share. On its own cache line pair: a queue's two ends run on two
/// threads and are often declared side by side, and each writes its fields on every call.
class alignas(kCacheLinePair) QueueBase {
 public:
  virtual ~QueueBase() = default;
  /// True once hostile input was seen. From then on every call that works the ring (add,
  /// publish, kick, reclaim, take, put, notify, available and the interrupt and notification
  /// switches) throws Error(Broken) before it touches shared memory. Observers (broken(),
  /// counters, ring()), the setters and SplitDriverQueue::detach_unused() (the recovery after
  /// a device reset) keep working.
  bool broken() const noexcept { return broken_; }
  /// The notifier used to signal the peer (kick or interrupt); may be null.
  void set_notifier(notify::Notifier* notifier) noexcept { notifier_ = notifier; }
  /// Where ring events go; null to stop tracing. `ends`: whether the peer's end records into
  /// `sink` too, in which case this end's records of the chains it consumes hold their numbers
  /// only (trace::Ends::Both).
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One) noexcept {
    // What the old sink is owed goes to it, and reaches its log.
    if (trace_ != nullptr && record_deferred()) trace_->end_group();
    trace_ = sink;
    trace_both_ends_ = ends == trace::Ends::Both;
  }
  /// Makes the trace records this end holds back to make later (SplitDriverQueue: those of the
  /// chains added since the last publish); true if it made any. The end makes them itself
  /// before anything else it records; call this before a queue is destroyed or reset, or
  /// before events about it are recorded elsewhere (a device reset), as their records would
  /// otherwise be lost or come after those events.
  virtual bool record_deferred() noexcept { return false; }
  /// Where warnings about a peer that bends a rule harmlessly go; empty: standard error.
  void set_log(LogSink sink) { log_ = std::move(sink); }

  /// Makes the chains this side placed (added or returned) visible to the peer; returns true
  /// if the peer asked to be notified.
  virtual bool publish() = 0;
  /// Makes them visible without deciding about a notification, which saves the full barrier
  /// that decision needs; for a peer that busy-polls.
  virtual void publish_unchecked() = 0;

 protected:
  /// With a notifier: publish(), then signal if the peer asked for it. Without one (a polling
  /// peer): publish_unchecked(). Returns true if it signalled.
  bool publish_and_signal() {
    if (notifier_ == nullptr) {
      publish_unchecked();
      return false;
    }
    const bool needed = publish();
    if (needed) notifier_->signal();
    return needed;
  }
  /// Marks the queue broken, traces it and throws Error(code, message).
  [[noreturn]] void fail(ErrorCode code, const std::string& message);
  /// Throws Error(Broken) if the queue is broken.
  void check_usable() const;
  void emit(const trace::Event& e) const noexcept {
    if (trace_ != nullptr) trace_->record(e);
  }
  /// Hands `e` to the trace sink as part of this thread's group: the chains between publishes
  /// share one record and one clock read (trace::TraceSink::record_in_group()).
  void emit_in_group(const trace::Event& e) const noexcept {
    if (trace_ != nullptr) trace_->record_in_group(e);
  }
  /// Ends the trace group: at a publish, and when a poll finds nothing new.
  void end_trace_group() const noexcept {
    if (trace_ != nullptr) trace_->end_group();
  }
  /// Hands "queue N: <line>" to the log sink (standard error without one).
  void log(const std::string& line) const;

  notify::Notifier* notifier_ = nullptr;
  trace::TraceSink* trace_ = nullptr;
  LogSink log_;
  std::uint16_t queue_index_ = 0;
  bool broken_ = false;
  bool trace_both_ends_ = false;  // the peer records into trace_ too (set_trace())
};

/// The driver's side: offers buffers, kicks the device, reclaims used buffers.
class DriverQueue : public QueueBase {
 public:
  /// Places a chain of `readable` then `writable` buffers; `token` comes back on reclaim.
  /// Returns the head index, or nullopt when not enough descriptors are free.
  /// Not visible to the device before publish(). Throws Error(InvalidConfig) for a chain of
  /// 0 buffers, Error(ChainTooLarge) when its readable or writable bytes exceed 2^32 - 1 or
  /// its total 2^32 (§2.7.5.2, §2.7.8); neither breaks the queue.
  std::optional<std::uint16_t> add(std::span<const Buffer> readable, std::span<const Buffer> writable,
                                   std::uint64_t token) {
    const std::uint32_t head = add_chain(readable, writable, token);
    if (head == kNoRoom) return std::nullopt;
    return static_cast<std::uint16_t>(head);
  }
  /// What add_chain() returns when not enough descriptors are free.
  static constexpr std::uint32_t kNoRoom = 0x10000;
  /// add() as a queue implements it: the head, or kNoRoom. A plain integer comes back in a
  /// register as it is, where GCC builds a returned std::optional<std::uint16_t> in a stack
  /// slot with two stores and reads it back with one wider load, a load no store can forward:
  /// it would wait for every store before it (the chain's bytes, the ring's lines) to reach
  /// the cache. add() builds its optional inline, in the caller.
  virtual std::uint32_t add_chain(std::span<const Buffer> readable, std::span<const Buffer> writable,
                                  std::uint64_t token) = 0;
  /// Makes every added chain visible and kicks the device if it asked for it
  /// (publish_and_signal()); returns true if it kicked.
  bool kick() { return publish_and_signal(); }
  /// The next used buffer, or nullopt when none. Throws Error on hostile device input: a
  /// used len beyond the writable bytes of a chain that has some is UsedLengthTooLarge. On a
  /// chain with no device-writable bytes any len is taken as 0 and counted instead (see
  /// ignored_used_lengths()): the device wrote nothing, so the driver has nothing to trust.
  virtual std::optional<UsedBuffer> reclaim() = 0;
  /// Asks the device for interrupts again; returns true if used buffers are already waiting
  /// (the caller should reclaim before sleeping).
  virtual bool enable_interrupts() = 0;
  /// Asks the device not to interrupt (a hint; spurious interrupts stay possible). Throws
  /// Error(Broken) on a broken queue, like every call that writes the ring.
  virtual void disable_interrupts() = 0;
  /// Descriptors free for add().
  virtual std::uint32_t free_descriptors() const noexcept = 0;
  /// Chains added and not yet reclaimed.
  virtual std::uint32_t in_flight() const noexcept = 0;
  /// Used entries whose len was ignored because their chain has no device-writable bytes
  /// (a device that reports the buffer length, against §2.7.8). The first is logged, each is
  /// traced (EventKind::UsedLengthIgnored).
  virtual std::uint64_t ignored_used_lengths() const noexcept = 0;
};

/// The device's side: takes available chains, returns them used, interrupts the driver.
class DeviceQueue : public QueueBase {
 public:
  /// Fills `chain` with the next available chain; false when none is available.
  /// Throws Error (and marks the queue broken) on hostile driver input.
  virtual bool take(DescriptorChain& chain) = 0;
  /// Returns a chain by head with `written` bytes (not visible before publish()).
  virtual void put(std::uint16_t head, std::uint32_t written) = 0;
  /// Makes returned chains visible and interrupts the driver if it asked for it
  /// (publish_and_signal()); returns true if it interrupted.
  bool notify() { return publish_and_signal(); }
  /// Asks the driver for kicks again; returns true if chains are already available
  /// (the caller should take them before sleeping).
  virtual bool enable_notifications() = 0;
  /// Asks the driver not to kick (a hint). Throws Error(Broken) on a broken queue, like every
  /// call that writes the ring.
  virtual void disable_notifications() = 0;
  /// Chains available and not yet taken. Throws Error on an impossible avail idx.
  virtual std::uint32_t available() = 0;
};

}  // namespace vgen::virtqueue
