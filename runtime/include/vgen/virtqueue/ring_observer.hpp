// Watching a split virtqueue without taking part: a RingObserver reads a ring that a driver
// and a device (of any origin) share, and reports what appears in it to a trace sink, as
// AvailSeen (each avail ring entry: the chain's descriptors and readable bytes) and UsedSeen
// (each used ring entry: id, len, the chain's writable descriptors and the bytes written).
// It never writes the ring and neither side can tell it is there.
//
// The observer reads through an ObservedMemory, so the ring may be in this process or be read
// with pread() from another process's memfd (/proc/PID/fd/N) or a file: a read that fails
// (outside the memory, a file cut short) is reported, never a fault. What it reads is
// untrusted: chains are walked at most a queue size of descriptors (indirect tables at most
// their length), addresses outside the memory end the bytes copied, and a buffer's bytes are
// read only up to the snap length.
//
// Being a bystander, it sees the ring at the moments it polls: entries a side published and
// then overwrote between two polls (more than a queue size apart) are counted as missed, and
// a chain's descriptors are read as they are when the observer looks, which the driver may
// already have reused for a used entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
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

/// Where the observed queue is and how to report it.
struct ObservedRing {
  std::uint32_t size = 0;   ///< queue size: a power of two up to 32768
  RingAddresses addresses;  ///< guest addresses of the descriptor table, avail and used rings
  std::uint16_t queue = 0;  ///< queue index the events carry (interface vqN)
  /// Payload bytes read per chain. A buffer's host pointer holds only its share of these, so
  /// the sink must copy no more per event than this (a Recorder: snap_length <= snap).
  std::uint32_t snap = 256;
  bool from_start = false;  ///< report the entries from index 0, not from the current idx
};

/// Polls one split ring and reports each new avail and used entry.
class RingObserver {
 public:
  /// Throws virtqueue::Error(InvalidConfig) naming the problem for an invalid queue size,
  /// a misaligned part, or a part `memory` cannot read whole. `memory` and `sink` must
  /// outlive the observer.
  RingObserver(ObservedMemory& memory, trace::TraceSink& sink, const ObservedRing& ring);

  /// Reads both rings' idx once and reports every entry published since the last poll (at
  /// most a queue size of each: older ones were overwritten, see missed()). Returns how
  /// many entries it reported. Throws virtqueue::Error(InvalidConfig) when the rings can
  /// no longer be read (the file shrank).
  std::size_t poll();

  /// Avail entries reported so far.
  std::uint64_t avail_seen() const noexcept { return avail_seen_; }
  /// Used entries reported so far.
  std::uint64_t used_seen() const noexcept { return used_seen_; }
  /// Entries published and overwritten before a poll could see them.
  std::uint64_t missed() const noexcept { return missed_; }

 private:
  std::uint16_t read_u16(std::uint64_t address, const char* what);
  /// Collects the chain at `head` into buffers_ (all of it, or only the writable part).
  void walk(std::uint16_t head);
  void add_buffer(const Descriptor& descriptor);
  void report(trace::EventKind kind, std::uint16_t head, std::uint32_t position, std::uint64_t a, std::uint64_t b);

  ObservedMemory& memory_;
  trace::TraceSink& sink_;
  ObservedRing ring_;
  std::uint16_t next_avail_ = 0;
  std::uint16_t next_used_ = 0;
  std::uint64_t avail_seen_ = 0;
  std::uint64_t used_seen_ = 0;
  std::uint64_t missed_ = 0;
  std::vector<trace::BufferRef> buffers_;
  std::vector<std::vector<std::byte>> copies_;  // the bytes each buffer's host points at
};

}  // namespace vgen::virtqueue
