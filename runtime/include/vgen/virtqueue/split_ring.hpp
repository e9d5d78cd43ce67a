// The three parts of one split virtqueue, mapped into this process, with the loads and
// stores each side makes on them. Fields the peer writes concurrently are accessed through
// std::atomic_ref; everything is little-endian in memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>

#include <vgen/endian.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

using vgen::little_endian;

/// Host view of a split ring. Construction checks size, alignment and that every part lies
/// inside guest memory; afterwards accesses are plain pointer arithmetic within those bounds.
class SplitRing {
 public:
  /// Throws virtqueue::Error(InvalidConfig) naming the part and address that do not fit.
  SplitRing(const shm::GuestMemory& memory, std::uint32_t size, RingAddresses addresses);

  /// Number of entries (a power of two).
  std::uint32_t size() const noexcept { return size_; }
  /// size() - 1, to mask free-running indexes.
  std::uint32_t mask() const noexcept { return size_ - 1; }
  /// Where the parts are in guest memory.
  const RingAddresses& addresses() const noexcept { return addresses_; }

  /// Private copy of descriptor `index` (< size), converted to host order.
  Descriptor read_descriptor(std::uint32_t index) const noexcept {
    Descriptor d;
    std::memcpy(&d, desc_ + 16ull * index, sizeof d);
    return {little_endian(d.addr), little_endian(d.len), little_endian(d.flags), little_endian(d.next)};
  }
  /// Asks the cache for descriptor `index`'s line with intent to write (a hint; never faults).
  void prefetch_descriptor_for_write(std::uint32_t index) const noexcept {
    __builtin_prefetch(desc_ + 16ull * index, 1, 3);
  }
  /// Writes descriptor `index` (driver only). An entry that already holds these bytes is
  /// left alone, so a recycled descriptor's cache line stays shared with the device instead
  /// of bouncing back to the driver.
  void write_descriptor(std::uint32_t index, const Descriptor& d) noexcept {
    // The entry as two 8-byte words built in registers: a copy built on the stack in pieces
    // and compared as one block makes a load that no store can forward, which waits for every
    // store before it (the buffer's bytes, the ring's lines) to reach the cache.
    const std::uint64_t words[2] = {
        little_endian(d.addr),
        little_endian(std::uint64_t{d.len} | std::uint64_t{d.flags} << 32 | std::uint64_t{d.next} << 48)};
    std::byte* slot = desc_ + 16ull * index;
    std::uint64_t held[2];
    std::memcpy(held, slot, sizeof held);
    if (held[0] != words[0] || held[1] != words[1]) std::memcpy(slot, words, sizeof words);
  }

  // Available ring.
  std::uint16_t load_avail_idx(std::memory_order order) const noexcept {
    return load16(avail_ + kRingIdxOffset, order);
  }
  void store_avail_idx(std::uint16_t v, std::memory_order order) noexcept {
    store16(avail_ + kRingIdxOffset, v, order);
  }
  std::uint16_t load_avail_flags() const noexcept {
    return load16(avail_ + kRingFlagsOffset, std::memory_order_relaxed);
  }
  void store_avail_flags(std::uint16_t v) noexcept { store16(avail_ + kRingFlagsOffset, v, std::memory_order_relaxed); }
  std::uint16_t load_avail_entry(std::uint32_t slot) const noexcept {
    return load16(avail_ + kRingEntriesOffset + 2ull * slot, std::memory_order_relaxed);
  }
  void store_avail_entry(std::uint32_t slot, std::uint16_t head) noexcept {
    store16(avail_ + kRingEntriesOffset + 2ull * slot, head, std::memory_order_relaxed);
  }
  std::uint16_t load_used_event() const noexcept {
    return load16(avail_ + avail_used_event_offset(size_), std::memory_order_relaxed);
  }
  void store_used_event(std::uint16_t v) noexcept {
    store16(avail_ + avail_used_event_offset(size_), v, std::memory_order_relaxed);
  }

  // Used ring.
  std::uint16_t load_used_idx(std::memory_order order) const noexcept { return load16(used_ + kRingIdxOffset, order); }
  void store_used_idx(std::uint16_t v, std::memory_order order) noexcept { store16(used_ + kRingIdxOffset, v, order); }
  std::uint16_t load_used_flags() const noexcept { return load16(used_ + kRingFlagsOffset, std::memory_order_relaxed); }
  void store_used_flags(std::uint16_t v) noexcept { store16(used_ + kRingFlagsOffset, v, std::memory_order_relaxed); }
  UsedElement load_used_entry(std::uint32_t slot) const noexcept {
    std::byte* p = used_ + kRingEntriesOffset + 8ull * slot;
    return {load32(p), load32(p + 4)};
  }
  void store_used_entry(std::uint32_t slot, UsedElement e) noexcept {
    std::byte* p = used_ + kRingEntriesOffset + 8ull * slot;
    store32(p, e.id);
    store32(p + 4, e.len);
  }
  std::uint16_t load_avail_event() const noexcept {
    return load16(used_ + used_avail_event_offset(size_), std::memory_order_relaxed);
  }
  void store_avail_event(std::uint16_t v) noexcept {
    store16(used_ + used_avail_event_offset(size_), v, std::memory_order_relaxed);
  }

 private:
  static std::uint16_t load16(std::byte* p, std::memory_order order) noexcept {
    return little_endian(std::atomic_ref<std::uint16_t>(*reinterpret_cast<std::uint16_t*>(p)).load(order));
  }
  static void store16(std::byte* p, std::uint16_t v, std::memory_order order) noexcept {
    std::atomic_ref<std::uint16_t>(*reinterpret_cast<std::uint16_t*>(p)).store(little_endian(v), order);
  }
  static std::uint32_t load32(std::byte* p) noexcept {
    return little_endian(
        std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(p)).load(std::memory_order_relaxed));
  }
  static void store32(std::byte* p, std::uint32_t v) noexcept {
    std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(p))
        .store(little_endian(v), std::memory_order_relaxed);
  }

  std::uint32_t size_;
  RingAddresses addresses_;
  std::byte* desc_;
  std::byte* avail_;
  std::byte* used_;
};

}  // namespace vgen::virtqueue
