// The harness's own driver side of a split virtqueue (VirtIO 1.2 §2.7), written for checks:
// every descriptor and index is written raw, so a check can build faithful chains in any
// arrangement or break any rule on purpose, and read back what the device did.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/layout.hpp>
#include <vgen/virtqueue/split_ring.hpp>

namespace vgen::conform::virtio_checks {

/// One buffer of a chain: where it is, how long, and who may write it.
struct Part {
  shm::GuestAddress addr = 0;
  std::uint32_t length = 0;
  bool writable = false;
};

/// How a chain's parts are arranged in descriptors (§2.7.4.1: the device must accept any).
enum class Layout {
  Direct,             ///< one descriptor per part
  Fragmented,         ///< every part cut into up to 4 descriptors
  Indirect,           ///< one descriptor pointing at a table holding every part (§2.7.5.3)
  IndirectWriteFlag,  ///< Indirect, with the WRITE flag set on the pointing descriptor (§2.7.5.3.2)
  ChainThenIndirect,  ///< the first part direct, the rest in an indirect table (§2.7.5.3.2)
};

/// A split ring in guest memory, driven by hand. Single-threaded.
class RingWriter {
 public:
  /// Allocates the three parts with their alignment (§2.7.1) and zero-fills them (§2.7.10.1:
  /// used flags start at 0).
  RingWriter(const shm::GuestMemory& memory, shm::Allocator& allocator, std::uint32_t size);

  std::uint32_t size() const noexcept { return size_; }
  const virtqueue::RingAddresses& addresses() const noexcept { return addresses_; }
  /// The ring as mapped in this process.
  virtqueue::SplitRing& ring() noexcept { return ring_; }

  /// Writes descriptor `index` as given (host order; stored little-endian).
  void put(std::uint32_t index, const virtqueue::Descriptor& d);
  /// Reads descriptor `index` back.
  virtqueue::Descriptor get(std::uint32_t index) const;
  /// The whole descriptor table as bytes (to compare before and after the device ran).
  std::vector<std::byte> table_bytes() const;

  /// Writes `parts` as one chain in `layout` at the next free descriptors (tables from the
  /// allocator); returns the head. Does not expose it.
  std::uint16_t add(std::span<const Part> parts, Layout layout = Layout::Direct);
  /// Descriptors a chain of `parts` needs in `layout`.
  static std::uint32_t descriptors_needed(std::span<const Part> parts, Layout layout);
  /// Next descriptor index add() will use.
  std::uint32_t next_free() const noexcept { return next_free_; }

  /// Puts `head` in the next available slot, then publishes idx + 1 (release).
  void expose(std::uint16_t head);
  /// Writes the available idx directly.
  void set_avail_idx(std::uint16_t idx);
  std::uint16_t avail_idx() const noexcept { return avail_idx_; }
  /// Available ring flags and used_event.
  void set_avail_flags(std::uint16_t flags);
  void set_used_event(std::uint16_t event);

  /// Used ring idx (acquire), flags, element `slot` (masked) and avail_event.
  std::uint16_t used_idx() const;
  std::uint16_t used_flags() const;
  virtqueue::UsedElement used(std::uint16_t slot) const;
  std::uint16_t avail_event() const;

 private:
  std::uint16_t add_direct(std::span<const Part> parts, std::uint32_t pieces);
  std::uint16_t add_indirect(std::span<const Part> parts, bool write_flag);
  shm::GuestAddress table_for(std::span<const Part> parts, std::uint32_t& bytes);
  std::uint16_t take_index();

  const shm::GuestMemory& memory_;
  shm::Allocator& allocator_;
  std::uint32_t size_;
  virtqueue::RingAddresses addresses_;
  virtqueue::SplitRing ring_;
  std::uint32_t next_free_ = 0;
  std::uint16_t avail_idx_ = 0;
};

}  // namespace vgen::conform::virtio_checks
