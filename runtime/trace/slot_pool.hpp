// The recorder's per-thread buffers: a pool of single-producer single-consumer byte rings in
// one shared anonymous mapping, so that a process forked after the recorder started records
// into buffers its parent's writer thread drains. A thread claims a free slot on its first
// record and gives it back when it exits; the writer drains every slot that is in use.
//
// An entry in a slot's ring: u32 entry bytes (a multiple of 8; kWrap: skip to the ring's
// start), u32 captured record bytes, u32 original record length, u32 reserved, u64 ticks,
// then the record (record.hpp), padded to 8 bytes.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "clock.hpp"

namespace vgen::trace::detail {

/// Bytes of an entry's prefix.
inline constexpr std::size_t kEntryPrefix = 24;
/// The entry-bytes value that sends the reader back to the ring's start.
inline constexpr std::uint32_t kWrap = 0xffffffffu;

/// States of a slot.
enum SlotState : std::uint32_t { kFree = 0, kActive = 1, kRetired = 2 };

/// One thread's ring. Positions are free-running byte counts.
struct Slot {
  alignas(64) std::atomic<std::uint64_t> tail{0};       ///< written by the producer
  std::atomic<std::uint64_t> drops{0};                  ///< written by the producer
  std::uint64_t cached_head = 0;                        ///< the producer's last look at head
  alignas(64) std::atomic<std::uint64_t> head{0};       ///< written by the writer thread
  alignas(64) std::atomic<std::uint32_t> state{kFree};  ///< SlotState
  std::atomic<pid_t> pid{0};                            ///< the claiming thread's process
};

/// The mapping: `count` slots, each followed by its ring of `capacity` bytes.
class SlotPool {
 public:
  /// Maps the pool. Throws trace::Error(System) when the mapping fails, Invalid for a
  /// capacity that is not a power of two from 4 KiB to 1 GiB or a count of 0.
  SlotPool(std::size_t count, std::size_t capacity);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;
  ~SlotPool();

  /// Claims a free slot for the calling process; null when every slot is taken.
  Slot* claim() noexcept;
  /// Slot `i` (< count()).
  Slot& slot(std::size_t i) const noexcept { return *reinterpret_cast<Slot*>(base_ + i * stride_); }
  /// The ring of `slot`.
  std::byte* ring(const Slot& slot) const noexcept {
    return const_cast<std::byte*>(reinterpret_cast<const std::byte*>(&slot)) + sizeof(Slot);
  }
  std::size_t count() const noexcept { return count_; }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::byte* base_ = nullptr;
  std::size_t count_;
  std::size_t capacity_;
  std::size_t stride_;
  std::size_t bytes_;
};

/// Writes one entry into `slot`'s ring, stamped with the tick count now: `captured` record bytes
/// filled by `fill(out)`. Returns false (and counts a drop) when the ring has no room; a dropped
/// record costs no clock read and no copy.
template <class Fill>
bool append(const SlotPool& pool, Slot& slot, std::size_t captured, std::uint64_t original, Fill&& fill) noexcept {
  const std::size_t capacity = pool.capacity();
  const std::size_t need = (kEntryPrefix + captured + 7) & ~std::size_t{7};
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  const std::size_t at = static_cast<std::size_t>(tail & (capacity - 1));
  const std::size_t waste = at + need > capacity ? capacity - at : 0;
  if (tail + waste + need - slot.cached_head > capacity) {
    slot.cached_head = slot.head.load(std::memory_order_acquire);
    if (tail + waste + need - slot.cached_head > capacity || need > capacity / 2) {
      slot.drops.store(slot.drops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
  }
  const std::uint64_t ticks = now_ticks();
  std::byte* ring = pool.ring(slot);
  if (waste != 0) {
    const std::uint32_t wrap = kWrap;
    __builtin_memcpy(ring + at, &wrap, 4);
  }
  std::byte* entry = ring + (waste != 0 ? 0 : at);
  const std::uint32_t prefix[4] = {static_cast<std::uint32_t>(need), static_cast<std::uint32_t>(captured),
                                   static_cast<std::uint32_t>(original > 0xffffffffu ? 0xffffffffu : original), 0};
  __builtin_memcpy(entry, prefix, sizeof prefix);
  __builtin_memcpy(entry + 16, &ticks, 8);
  fill(entry + kEntryPrefix);
  slot.tail.store(tail + waste + need, std::memory_order_release);
  return true;
}

}  // namespace vgen::trace::detail
