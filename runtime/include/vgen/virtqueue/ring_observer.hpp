// Watching a split virtqueue without taking part: a RingObserver reads a ring that a driver
// and a device (of any origin) share, and reports what appears in it to a trace sink, as
// AvailSeen (each avail ring entry: the chain's descriptors and readable bytes) and UsedSeen
// (each used ring entry: id, len, the chain's writable descriptors and the bytes written).
// It never writes the ring and neither side can tell it is there. `vgen trace attach` (a ring
// in a file or another process's memfd) and `vgen trace tap` (the rings of a vhost-user
// connection, in the regions it maps read-only) both watch rings with it.
//
// The observer reads through an ObservedMemory, so the ring may be in this process, in
// mapped regions, or be read with pread() from a file: a read that fails (outside the memory,
// a file cut short) is reported, never a fault. What it reads is untrusted: every index,
// descriptor and length is checked before it is followed, addresses outside the memory end
// the bytes copied, and a buffer's bytes are read only up to the snap length. A ring that
// breaks a rule of §2.7 is either tolerated (what can be read of it is still reported) or
// stopped (one QueueBroken event, nothing more), as ObservedRing::on_broken_rule says.
//
// Being a bystander, it sees the ring at the moments it polls: entries a side published and
// then overwrote between two polls (more than a queue size apart) are counted as missed (or
// stop the ring), and a chain made available before the observer saw its avail entry is read
// as it is when its used entry is seen, which the driver may already have reused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/trace/hooks.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

/// Memory the observer reads, by guest address.
class ObservedMemory {
 public:
  virtual ~ObservedMemory() = default;
  /// Fills `out` with the bytes at `address`; false when any of them cannot be read.
  virtual bool read(std::uint64_t address, std::span<std::byte> out) = 0;
};

/// What the observer does with a ring that breaks a rule: a head or next index past its
/// table, a chain that loops, a bad indirect table, an idx that jumps by more than the queue
/// size, a part that can no longer be read.
enum class OnBrokenRule : std::uint8_t {
  /// Report what can be read: a chain up to the descriptor that broke the rule, a head past
  /// the table with no descriptors, entries overwritten between polls counted as missed; a
  /// ring part that can no longer be read throws (`vgen trace attach`).
  Tolerate,
  /// Record one QueueBroken event (index: the ObserverError) and follow the ring no more;
  /// broken() and error() say why (`vgen trace tap`).
  Stop,
};

/// The QueueBroken codes a stopped ring records (the event's index).
enum class ObserverError : std::uint32_t {
  Unmapped = 1,     ///< a ring part or descriptor cannot be read
  AvailJump = 2,    ///< the avail idx moved by more than the queue size
  BadHead = 3,      ///< a head, used id or next index past its table
  Loop = 4,         ///< a chain that does not end within its tables (a loop)
  BadIndirect = 5,  ///< an indirect table unreadable, empty, not a multiple of 16 bytes or nested
  UsedJump = 6,     ///< the used idx moved by more than the queue size
};

/// Where the observed queue is and how to report it.
struct ObservedRing {
  std::uint32_t size = 0;   ///< queue size: a power of two up to 32768
  RingAddresses addresses;  ///< guest addresses of the descriptor table, avail and used rings
  std::uint16_t queue = 0;  ///< queue index the events carry (interface vqN)
  /// Payload bytes read per chain. A buffer's host pointer holds only its share of these, so
  /// the sink must copy no more per event than this (a Recorder: snap_length <= snap).
  std::uint32_t snap = 256;
  /// The first avail ring position reported (0: everything the ring holds; a vhost-user
  /// back end's SET_VRING_BASE); none: the avail idx when the observer is made.
  std::optional<std::uint16_t> first_avail;
  /// The first used ring position reported; none: the used idx when the observer is made.
  std::optional<std::uint16_t> first_used;
  OnBrokenRule on_broken_rule = OnBrokenRule::Tolerate;  ///< see OnBrokenRule
};

/// Polls one split ring and reports each new avail and used entry. Not thread-safe.
class RingObserver {
 public:
  /// Throws virtqueue::Error(InvalidConfig) naming the problem for an invalid queue size,
  /// a misaligned part, or a part `memory` cannot read whole. `memory` and `sink` must
  /// outlive the observer.
  RingObserver(ObservedMemory& memory, trace::TraceSink& sink, const ObservedRing& ring);

  /// Reads both rings' idx once and reports every entry published since the last poll (at
  /// most a queue size of each; entries and chains of at most 2^18 descriptors in all, the
  /// rest waits for the next poll). Returns how many events it recorded (a QueueBroken one included).
  /// Records nothing once broken(). When a ring part can no longer be read (the file shrank),
  /// a Tolerate observer throws virtqueue::Error(InvalidConfig), a Stop one breaks.
  std::size_t poll();

  /// Avail entries reported so far.
  std::uint64_t avail_seen() const noexcept { return avail_seen_; }
  /// Used entries reported so far.
  std::uint64_t used_seen() const noexcept { return used_seen_; }
  /// Entries published and overwritten before a poll could see them (Tolerate only).
  std::uint64_t missed() const noexcept { return missed_; }
  /// The next avail and used ring positions poll() reports (to carry on in a new observer).
  std::uint16_t next_avail() const noexcept { return next_avail_; }
  std::uint16_t next_used() const noexcept { return next_used_; }
  /// The avail idx the driver published, as last read (for a kick's record).
  std::uint16_t avail_idx() const noexcept { return avail_idx_; }
  /// The used idx the device published, as last read (for an interrupt's record).
  std::uint16_t used_idx() const noexcept { return used_idx_; }
  /// The avail idx the driver published, read now (the last one read when it cannot be).
  std::uint16_t read_avail_idx();
  /// True once a Stop observer's ring broke a rule; nothing more is recorded.
  bool broken() const noexcept { return !error_.empty(); }
  /// Why the ring is no longer followed, or "".
  const std::string& error() const noexcept { return error_; }

 private:
  struct Problem {
    ObserverError code;
    std::string why;
  };

  bool stops() const noexcept { return ring_.on_broken_rule == OnBrokenRule::Stop; }
  /// Reads `out` at `address`; when it cannot, throws (Tolerate) or breaks (Stop) and
  /// returns false.
  bool read_part(std::uint64_t address, std::span<std::byte> out, const char* what);
  bool read_u16(std::uint64_t address, const char* what, std::uint16_t& value);
  /// True when the first and the last of `length` bytes at `address` can be read.
  bool readable(std::uint64_t address, std::uint64_t length);
  /// Collects the chain at `head` into `out`; the rule it broke, if any (`out` then holds
  /// the descriptors read before it).
  std::optional<Problem> walk(std::uint16_t head, std::vector<trace::BufferRef>& out);
  /// Records QueueBroken and stops following the ring.
  void fail(ObserverError code, std::string why);
  /// Sets `pending` to the entries from `next` to `idx`; when more than the queue size,
  /// counts the overwritten ones as missed and moves `next` on (Tolerate), or breaks with
  /// `jump` and returns false (Stop).
  bool catch_up(std::uint16_t idx, std::uint16_t& next, ObserverError jump, const char* ring, std::uint16_t& pending);
  /// Forgets the chains remembered from their avail entries (some entries were missed).
  void forget_chains();
  void report(trace::EventKind kind, std::uint16_t head, std::uint32_t position, std::uint64_t a, std::uint64_t b);

  ObservedMemory& memory_;
  trace::TraceSink& sink_;
  ObservedRing ring_;
  std::uint16_t next_avail_ = 0;
  std::uint16_t next_used_ = 0;
  std::uint16_t avail_idx_ = 0;
  std::uint16_t used_idx_ = 0;
  std::uint64_t avail_seen_ = 0;
  std::uint64_t used_seen_ = 0;
  std::uint64_t missed_ = 0;
  std::string error_;
  std::vector<std::vector<trace::BufferRef>> chains_;  // by head: the chain as made available
  std::vector<trace::BufferRef> buffers_;
  std::vector<std::vector<std::byte>> copies_;  // the bytes each buffer's host points at
};

}  // namespace vgen::virtqueue
