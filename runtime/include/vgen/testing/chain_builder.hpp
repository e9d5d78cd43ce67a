// Test support, the driver's side of a split virtqueue written by hand (VirtIO 1.2 §2.7), so
// that a device half can be fed any chain: faithful ones, direct or through an indirect table
// (§2.7.5.3), and hostile ones that break a rule of §2.7 on purpose (a loop, an index past
// the table, a bad indirect table, a buffer longer than guest memory, an avail index far
// ahead). The device's own checks (virtqueue::Error) are what a test then looks at.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <vgen/testing/guest_ram.hpp>
#include <vgen/virtqueue/queue.hpp>
#include <vgen/virtqueue/split_ring.hpp>

namespace vgen::testing {

/// How an indirect table can be broken (VirtIO 1.2 §2.7.5.3.1 says what a driver must not do).
enum class IndirectFault {
  length_not_multiple_of_16,  ///< the table's length is no whole number of descriptors
  empty,                      ///< a table of length 0
  nested,                     ///< an entry of the table is itself INDIRECT
  outside_memory,             ///< the table runs past the end of guest memory
  with_next,                  ///< the INDIRECT descriptor also has NEXT set
  loop,                       ///< the table's entries link in a circle
};

/// Writes chains into the rings of one queue as a driver would, without a driver's checks.
/// Table entries are handed out in order and never reused; not thread-safe.
class ChainBuilder {
 public:
  /// Zeroes the rings at `config.addresses` in `ram` (a fresh queue, §2.7.10.1). The device
  /// queue is made on the same config afterwards. `ram` must outlive the builder.
  ChainBuilder(GuestRam& ram, const virtqueue::QueueConfig& config);

  // --- faithful chains ---------------------------------------------------------------------
  /// A chain of `readable`, then `writable` buffers (§2.7.4) in the next table entries,
  /// made available; returns its head. Throws std::length_error when the table is used up.
  std::uint16_t add(std::span<const virtqueue::Buffer> readable, std::span<const virtqueue::Buffer> writable);
  /// The same chain through an indirect table in `ram`: one table entry.
  std::uint16_t add_indirect(std::span<const virtqueue::Buffer> readable, std::span<const virtqueue::Buffer> writable);

  // --- hostile chains ----------------------------------------------------------------------
  /// `length` descriptors whose last links back to the first (§2.7.5.2: no loops).
  std::uint16_t add_loop(std::uint16_t length);
  /// A descriptor whose `next` lies past the table.
  std::uint16_t add_next_out_of_range();
  /// An avail entry naming a head past the table.
  void add_head_out_of_range();
  /// A buffer of `length` bytes from the start of guest memory, which a length larger than
  /// the memory makes run off its end.
  std::uint16_t add_oversized(std::uint32_t length);
  /// An INDIRECT descriptor whose table is broken as `fault` says.
  std::uint16_t add_bad_indirect(IndirectFault fault);
  /// Publishes avail idx `idx` as it is (say, further ahead than the queue has entries).
  void set_avail_idx(std::uint16_t idx);

  // --- by hand -----------------------------------------------------------------------------
  /// Writes table entry `index` as given (nothing checked). Throws std::out_of_range past
  /// the table, which a ring of this size cannot hold.
  void write(std::uint16_t index, const virtqueue::Descriptor& descriptor);
  /// Puts `head` in the next avail entry and publishes the index.
  void make_available(std::uint16_t head);
  /// An indirect table of `entries` in `ram`; returns its guest address.
  shm::GuestAddress write_table(std::span<const virtqueue::Descriptor> entries);

  // --- what the device did -----------------------------------------------------------------
  /// The used ring's index (chains returned so far, modulo 2^16).
  std::uint16_t used_idx() const noexcept;
  /// Every used element returned since the last call.
  std::vector<virtqueue::UsedElement> take_used();

 private:
  std::uint16_t reserve(std::size_t count);
  std::uint16_t link(std::span<const virtqueue::Descriptor> descriptors);

  GuestRam& ram_;
  virtqueue::SplitRing ring_;
  std::uint32_t next_entry_ = 0;
  std::uint16_t avail_idx_ = 0;
  std::uint16_t seen_used_ = 0;
};

/// The descriptors of `readable` then `writable` buffers, NEXT-linked from index `first`.
std::vector<virtqueue::Descriptor> descriptors(std::span<const virtqueue::Buffer> readable,
                                               std::span<const virtqueue::Buffer> writable, std::uint16_t first = 0);

}  // namespace vgen::testing
