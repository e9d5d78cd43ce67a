// The recorder's per-thread buffers: a pool of single-producer single-consumer byte rings in
// one shared anonymous mapping, so that a process forked after the recorder started records
// into buffers its parent's writer thread drains. A thread claims a free slot on its first
// record and gives it back when it exits; the writer drains every slot that is in use.
//
// An entry in a slot's ring is a whole pcapng enhanced packet block (pcapng.hpp), so that the
// writer hands it to the log file as it stands, after patching two fields in place:
//      0  u32 block type: pcapng::kEnhancedPacket (kWrap: skip to the next chunk of the ring)
//      4  u32 block total length, a multiple of 8
//      8  u32 interface: the producer stores channel << 16 | queue, the writer the interface id
//     12  u64 the producer's tick count; the writer stores the timestamp in nanoseconds there,
//         high word first
//     20  u32 captured record bytes, 24 u32 original record length
//     28  the record (record.hpp), padded with zeros to 4 bytes; an end-of-options option
//         when that leaves the block short of a multiple of 8; u32 block total length
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <vgen/cache_line.hpp>
#include <vgen/trace/pcapng.hpp>
#include <vgen/trace/record.hpp>

#include "clock.hpp"

namespace vgen::trace::detail {

// Entries go to the log as they stand, and vgen writes little-endian sections.
static_assert(std::endian::native == std::endian::little, "trace entries are written in the host's byte order");

/// Bytes of an entry before its record.
inline constexpr std::size_t kEntryPrefix = 28;
/// Bytes of an entry besides its record and the record's padding: the prefix and the trailer.
inline constexpr std::size_t kEntryOverhead = kEntryPrefix + 4;
/// The block type that sends the reader to the next chunk of the ring (the ring's start when the
/// ring is one chunk): the entry after it did not fit where it would have begun.
inline constexpr std::uint32_t kWrap = 0xffffffffu;
/// Chunks of an overwriting pool's ring. An entry never crosses from one chunk to the next, so a
/// producer that needs room gives up whole chunks without reading the entries in them.
inline constexpr std::size_t kChunks = 16;

/// States of a slot.
enum SlotState : std::uint32_t { kFree = 0, kActive = 1, kRetired = 2 };

/// One thread's ring. Positions are free-running byte counts.
///
/// The writer thread owns `head` while it drains. A pool that overwrites (a flight recorder)
/// lets the producer move `head` too, past its oldest entries when it needs room; the two
/// take turns by the `reclaiming` and `snapshot` flags (Dekker's way, with full fences on both
/// sides, which the producer pays only when its ring is full).
struct Slot {
  alignas(kCacheLinePair) std::atomic<std::uint64_t> tail{0};       ///< written by the producer
  std::atomic<std::uint64_t> drops{0};                              ///< written by the producer
  std::atomic<std::uint64_t> overwritten{0};                        ///< entries the producer reclaimed unread
  std::atomic<std::uint32_t> reclaiming{0};                         ///< 1 while the producer moves head
  std::uint64_t cached_head = 0;                                    ///< the producer's last look at head
  std::uint32_t chunk_entries[kChunks] = {};                        ///< an overwriting pool: entries in each chunk
  alignas(kCacheLinePair) std::atomic<std::uint64_t> head{0};       ///< the oldest entry not yet written
  std::atomic<std::uint32_t> snapshot{0};                           ///< 1 while the writer drains this ring
  alignas(kCacheLinePair) std::atomic<std::uint32_t> state{kFree};  ///< SlotState
  std::atomic<pid_t> pid{0};                                        ///< the claiming thread's process (0 while free)
};

/// The mapping: `count` slots, each followed by its ring of `capacity` bytes. On its own cache
/// line pair: every recording thread reads it on every record.
class alignas(kCacheLinePair) SlotPool {
 public:
  /// Maps the pool. Throws trace::Error(System) when the mapping fails, Invalid for a
  /// capacity that is not a power of two from 4 KiB to 1 GiB or a count of 0. When
  /// `overwrite`, a full ring makes room by giving up its oldest entries instead of the new one.
  SlotPool(std::size_t count, std::size_t capacity, bool overwrite = false);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;
  ~SlotPool();

  /// Claims a free slot for the calling process; null when every slot is taken.
  Slot* claim() noexcept;
  /// Maps every page of `slot` and its ring now, leaving their bytes as they are.
  void populate(const Slot& slot) const noexcept;
  /// Slot `i` (< count()).
  Slot& slot(std::size_t i) const noexcept { return *reinterpret_cast<Slot*>(base_ + i * stride_); }
  /// The ring of `slot`.
  std::byte* ring(const Slot& slot) const noexcept {
    return const_cast<std::byte*>(reinterpret_cast<const std::byte*>(&slot)) + sizeof(Slot);
  }
  std::size_t count() const noexcept { return count_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool overwrite() const noexcept { return overwrite_; }
  /// Bytes of a chunk: the whole ring, or a kChunks-th of it for an overwriting pool.
  std::size_t chunk() const noexcept { return overwrite_ ? capacity_ / kChunks : capacity_; }
  /// The chunk holding ring offset `at`: a shift, since a record's cost must not include a division.
  std::size_t chunk_of(std::size_t at) const noexcept { return at >> std::countr_zero(chunk()); }

 private:
  std::byte* base_ = nullptr;
  std::size_t count_;
  std::size_t capacity_;
  bool overwrite_;
  std::size_t stride_;
  std::size_t bytes_;
};

/// For an overwriting pool: moves `slot`'s head past its oldest entries, a whole chunk at a time,
/// until it is at least `wanted`, counting them as overwritten. Called by the producer; false
/// when the writer is draining the ring (the record is then dropped).
bool reclaim(const SlotPool& pool, Slot& slot, std::uint64_t wanted) noexcept;

/// For an overwriting pool: stops the producer of `slot` from moving its head, after waiting
/// for a reclaim under way to end, so that the writer may read and drain the ring. False (and
/// nothing held) when the producer does not come out of its reclaim.
bool begin_snapshot(Slot& slot) noexcept;
/// Lets the producer move its head again.
void end_snapshot(Slot& slot) noexcept;

/// The key an entry carries until the writer stores its interface id there: channel << 16 | queue.
constexpr std::uint32_t entry_key(Channel channel, std::uint16_t queue) noexcept {
  return (static_cast<std::uint32_t>(channel) << 16) | queue;
}

/// Bytes of the entry holding a record of `captured` bytes.
constexpr std::size_t entry_bytes(std::size_t captured) noexcept {
  return kEntryOverhead + ((captured + 7) & ~std::size_t{7});
}

/// What frames an entry (frame_entry()).
struct EntryFrame {
  std::uint32_t key = 0;       ///< channel << 16 | queue
  std::uint32_t total = 0;     ///< bytes of the entry, a multiple of 8
  std::uint32_t captured = 0;  ///< bytes of its record
  std::uint64_t original = 0;  ///< the record's length uncut
  std::uint32_t records = 1;   ///< records it holds: a group's count, else 1
};

/// Frames the entry at ring offset `entry_at` of `slot` as the block the writer expects (the
/// layout at the top: type, length, key, `ticks`, the record's lengths, the trailing length)
/// and, for an overwriting pool, counts its records in their chunk. The record and its padding
/// are the caller's to write.
inline void frame_entry(const SlotPool& pool, Slot& slot, std::size_t entry_at, const EntryFrame& frame,
                        std::uint64_t ticks) noexcept {
  if (pool.overwrite()) {
    std::uint32_t& entries = slot.chunk_entries[pool.chunk_of(entry_at)];
    entries = (entry_at & (pool.chunk() - 1)) == 0 ? frame.records : entries + frame.records;
  }
  std::byte* entry = pool.ring(slot) + entry_at;
  const std::uint32_t head[3] = {pcapng::kEnhancedPacket, frame.total, frame.key};
  const std::uint32_t lengths[2] = {frame.captured,
                                    static_cast<std::uint32_t>(std::min<std::uint64_t>(frame.original, 0xffffffffu))};
  std::memcpy(entry, head, sizeof head);
  std::memcpy(entry + 12, &ticks, 8);
  std::memcpy(entry + 20, lengths, sizeof lengths);
  std::memcpy(entry + frame.total - 4, &frame.total, 4);
}

/// Writes one entry into `slot`'s ring, stamped with the tick count now: a record of `captured`
/// bytes filled by `fill(out)`, on the interface of `key` (channel << 16 | queue). Returns false
/// (and counts a drop) when the ring has no room; a dropped record costs no clock read and no copy.
template <class Fill>
bool append(const SlotPool& pool, Slot& slot, std::uint32_t key, std::size_t captured, std::uint64_t original,
            Fill&& fill) noexcept {
  const std::size_t capacity = pool.capacity();
  const std::size_t chunk = pool.chunk();
  const std::size_t need = entry_bytes(captured);
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  const std::size_t at = static_cast<std::size_t>(tail & (capacity - 1));
  const std::size_t in_chunk = at & (chunk - 1);
  const std::size_t waste = in_chunk + need > chunk ? chunk - in_chunk : 0;
  const bool fits = need <= capacity / 2 && need <= chunk;
  if (tail + waste + need - slot.cached_head > capacity || !fits) {
    slot.cached_head = slot.head.load(std::memory_order_acquire);
    const bool room = tail + waste + need - slot.cached_head <= capacity && fits;
    if (!room && !(fits && pool.overwrite() && reclaim(pool, slot, tail + waste + need - capacity))) {
      slot.drops.store(slot.drops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
  }
  const std::uint64_t ticks = now_ticks();
  std::byte* ring = pool.ring(slot);
  if (waste != 0) std::memcpy(ring + at, &kWrap, 4);
  const std::size_t entry_at = (at + waste) & (capacity - 1);
  std::byte* entry = ring + entry_at;
  // First the zeros of the record's padding and the end-of-options option: the last 8 bytes
  // before the trailer hold them, and may hold the end of the record or the lengths too.
  const std::uint64_t zeros = 0;
  std::memcpy(entry + need - 12, &zeros, 8);
  frame_entry(pool, slot, entry_at,
              {key, static_cast<std::uint32_t>(need), static_cast<std::uint32_t>(captured), original, 1}, ticks);
  fill(entry + kEntryPrefix);
  slot.tail.store(tail + waste + need, std::memory_order_release);
  return true;
}

/// The records an entry holds: a group record's count, else 1. `entry` is a whole entry.
inline std::uint32_t records_in_entry(const std::byte* entry) noexcept {
  const std::byte* record = entry + kEntryPrefix;
  if (static_cast<EventKind>(record[2]) != EventKind::Group) return 1;
  std::uint32_t count;
  std::memcpy(&count, record + 8, sizeof count);
  return count;
}

/// Bytes a group entry may take at most: with 64-byte payloads, about 60 chains.
inline constexpr std::size_t kGroupBytes = 16384;
/// Bytes of a group entry besides the records it holds: prefix, group header, trailer.
inline constexpr std::size_t kGroupOverhead = kEntryPrefix + kRecordHeaderBytes + 4;

/// A group entry the calling thread is filling in its ring (record.hpp, group records). The
/// writer does not see it until commit_group() moves the ring's tail past it. An entry never
/// wraps around the ring, so its bytes are one block from `entry`.
struct OpenGroup {
  bool open = false;
  std::uint32_t key = 0;       ///< channel << 16 | queue of every record in it
  std::uint32_t count = 0;     ///< records in it
  std::uint32_t bytes = 0;     ///< bytes of the entry so far: prefix, group header, records
  std::uint32_t limit = 0;     ///< bytes the entry may grow to, trailer included
  std::uint64_t start = 0;     ///< the entry's position (free-running)
  std::uint64_t cut = 0;       ///< payload bytes the records left out (original - captured)
  std::byte* entry = nullptr;  ///< the entry's first byte in the ring
};

/// Where the next record goes in the open `group` when up to `bytes` bytes of it fit; null when
/// they do not. OpenGroup::bytes grows by what the record then takes.
inline std::byte* group_room(const OpenGroup& group, std::size_t bytes) noexcept {
  if (group.bytes + bytes + 4 > group.limit) return nullptr;
  return group.entry + group.bytes;
}

/// Opens a group entry on `key` at `slot`'s tail with room for at least `first` bytes of
/// records, making room as append() does. False when there is none, or when `first` is too
/// big for a group (the caller records the event alone).
bool open_group(const SlotPool& pool, Slot& slot, OpenGroup& group, std::uint32_t key, std::size_t first) noexcept;

/// Stamps the open `group` with the tick count now, closes it and hands it to the writer.
void commit_group(const SlotPool& pool, Slot& slot, OpenGroup& group) noexcept;

}  // namespace vgen::trace::detail
