// Byte layout of a VirtIO 1.2 split virtqueue (§2.7), identical to <linux/virtio_ring.h>.
// All fields are little-endian in memory; the accessors in this runtime convert.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include <vgen/shm/memory.hpp>

namespace vgen::virtqueue {

/// Descriptor flags (§2.7.5).
inline constexpr std::uint16_t kDescNext = 1;      ///< the chain continues at `next`
inline constexpr std::uint16_t kDescWrite = 2;     ///< device-writable buffer
inline constexpr std::uint16_t kDescIndirect = 4;  ///< buffer is a table of descriptors
/// Available ring flag (§2.7.6): the driver asks not to be interrupted.
inline constexpr std::uint16_t kAvailNoInterrupt = 1;
/// Used ring flag (§2.7.8): the device asks not to be notified.
inline constexpr std::uint16_t kUsedNoNotify = 1;

/// Largest queue size a split virtqueue may have (§2.7: 32768).
inline constexpr std::uint32_t kMaxQueueSize = 32768;

/// Most bytes one descriptor chain may total (§2.7.5.2: not longer than 2^32 bytes).
inline constexpr std::uint64_t kMaxChainBytes = std::uint64_t{1} << 32;
/// Largest used len (§2.7.8: a le32): the most bytes a device can report as written.
inline constexpr std::uint32_t kMaxUsedLength = 0xffffffffu;

/// One descriptor table entry, 16 bytes (§2.7.5), little-endian.
struct Descriptor {
  std::uint64_t addr;   ///< guest address of the buffer
  std::uint32_t len;    ///< buffer length in bytes
  std::uint16_t flags;  ///< kDescNext | kDescWrite | kDescIndirect
  std::uint16_t next;   ///< next descriptor when kDescNext is set
};
static_assert(sizeof(Descriptor) == 16);

/// One used ring element, 8 bytes (§2.7.8), little-endian.
struct UsedElement {
  std::uint32_t id;   ///< head index of the returned chain
  std::uint32_t len;  ///< bytes the device wrote into the chain's writable buffers
};
static_assert(sizeof(UsedElement) == 8);

/// Alignment each part needs (§2.7.1 / §2.7: 16, 2, 4).
inline constexpr std::uint64_t kDescAlign = 16;
inline constexpr std::uint64_t kAvailAlign = 2;
inline constexpr std::uint64_t kUsedAlign = 4;

/// Bytes of the descriptor table for `size` entries.
constexpr std::uint64_t desc_table_bytes(std::uint32_t size) { return 16ull * size; }
/// Bytes of the available ring: flags, idx, ring[size], used_event.
constexpr std::uint64_t avail_ring_bytes(std::uint32_t size) { return 6ull + 2ull * size; }
/// Bytes of the used ring: flags, idx, ring[size], avail_event.
constexpr std::uint64_t used_ring_bytes(std::uint32_t size) { return 6ull + 8ull * size; }

/// Byte offsets inside the available and used rings.
inline constexpr std::uint64_t kRingFlagsOffset = 0;
inline constexpr std::uint64_t kRingIdxOffset = 2;
inline constexpr std::uint64_t kRingEntriesOffset = 4;
/// Offset of used_event in the avail ring / avail_event in the used ring.
constexpr std::uint64_t avail_used_event_offset(std::uint32_t size) { return 4ull + 2ull * size; }
constexpr std::uint64_t used_avail_event_offset(std::uint32_t size) { return 4ull + 8ull * size; }

/// True if `size` is a valid split queue size: a power of two from 1 to 32768.
constexpr bool valid_queue_size(std::uint32_t size) {
  return size != 0 && size <= kMaxQueueSize && std::has_single_bit(size);
}

/// Where the three parts of one queue live in guest memory.
struct RingAddresses {
  shm::GuestAddress desc = 0;   ///< descriptor table (16-aligned)
  shm::GuestAddress avail = 0;  ///< available ring (2-aligned)
  shm::GuestAddress used = 0;   ///< used ring (4-aligned)
};

/// The legacy contiguous layout of vring_init(): table, avail ring, then the used ring at
/// the next multiple of `align` (a power of two, 4096 in legacy PCI).
constexpr RingAddresses contiguous_layout(shm::GuestAddress base, std::uint32_t size, std::uint64_t align) {
  RingAddresses r;
  r.desc = base;
  r.avail = base + desc_table_bytes(size);
  r.used = (r.avail + avail_ring_bytes(size) + align - 1) & ~(align - 1);
  return r;
}
/// Bytes vring_size() reports for the contiguous layout.
constexpr std::uint64_t contiguous_bytes(std::uint32_t size, std::uint64_t align) {
  return contiguous_layout(0, size, align).used + used_ring_bytes(size);
}

}  // namespace vgen::virtqueue
