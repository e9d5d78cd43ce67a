// The driver side of a VirtIO 1.2 split virtqueue (§2.7): places chains of buffers in the
// descriptor table, publishes them in the available ring, reclaims them from the used ring.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <vgen/cache_line.hpp>
#include <vgen/virtqueue/chain_trace.hpp>
#include <vgen/virtqueue/queue.hpp>
#include <vgen/virtqueue/split_ring.hpp>

namespace vgen::virtqueue {

/// Memory for indirect descriptor tables: one table of `capacity` entries per head, the
/// table of head h at `base + h * capacity * 16`. Needs size * capacity * 16 bytes, 16-aligned.
struct IndirectPool {
  shm::GuestAddress base = 0;
  std::uint32_t capacity = 0;  ///< entries per table; 0 disables indirect use
};

/// Driver side of a split queue. Single-threaded: one thread adds, publishes and reclaims
/// (or the caller serialises). Nothing the device writes is trusted: used ids and lengths are
/// checked against private bookkeeping, never read back from the descriptor table.
///
/// Tracing: add() notes its chain, and the ChainAdded record is made when the driver publishes
/// it, just after the device can see it (or at the driver's next reclaim(), interrupt switch,
/// detach_unused(), set_trace(), record_deferred() or failure, whichever comes first). The
/// device works on the chains while their records are made, and a record holds the readable
/// bytes it is given. A queue destroyed with chains noted loses their records.
class SplitDriverQueue final : public DriverQueue {
 public:
  /// Initialises the rings in `memory` (§2.7.10.1: used flags 0; avail idx 0; events 0).
  /// Throws Error(InvalidConfig) for a bad size, misaligned or out-of-memory ring or pool.
  SplitDriverQueue(const shm::GuestMemory& memory, const QueueConfig& config, IndirectPool pool = {});

  std::uint32_t add_chain(std::span<const Buffer> readable, std::span<const Buffer> writable,
                          std::uint64_t token) override;
  bool publish() override;
  void publish_unchecked() override;
  std::optional<UsedBuffer> reclaim() override;
  bool enable_interrupts() override;
  void disable_interrupts() override;
  std::uint32_t free_descriptors() const noexcept override { return free_count_; }
  std::uint32_t in_flight() const noexcept override { return in_flight_; }
  std::uint64_t ignored_used_lengths() const noexcept override { return ignored_lengths_; }

  /// Tokens of every chain added and not used, in head order, freeing their descriptors;
  /// chains added but not yet published are withdrawn (never published afterwards).
  /// Only valid after the device was reset (§3.3.1: never reclaim from a live queue); works
  /// on a broken queue too, as that is how the driver gets its buffers back after the reset.
  std::vector<std::uint64_t> detach_unused();
  /// The ring as mapped here (for tests and transports).
  const SplitRing& ring() const noexcept { return ring_; }
  bool record_deferred() noexcept override;

 private:
  bool expose();
  // A chain add() placed whose ChainAdded record is still to be made: its buffers are the
  // `readable` then `writable` entries of added_buffers_ from `first`.
  struct AddedChain {
    std::uint16_t head = 0;
    std::uint16_t index = 0;  // avail idx just after it
    std::uint32_t first = 0;
    std::uint32_t readable = 0;
    std::uint32_t writable = 0;
  };
  void note_added(std::uint16_t head, std::span<const Buffer> readable, std::span<const Buffer> writable);
  // record_deferred() when a chain waits for its record: inline, as it runs on every publish
  // and reclaim, traced or not.
  void record_added() noexcept {
    if (!added_chains_.empty()) record_deferred();
  }
  // The same, the group then closed so that the records reach the log now: before the driver
  // may wait, or hand the queue over.
  void record_added_now() noexcept {
    if (!added_chains_.empty() && record_deferred()) end_trace_group();
  }
  struct Head {
    std::uint64_t token = 0;
    std::uint64_t sequence = 0;        // added_count_ when it was added: published once below published_count_
    std::uint32_t writable_bytes = 0;  // fits: add() refuses more (§2.7.8)
    std::uint16_t descriptors = 0;     // descriptor table entries the chain occupies
    bool in_flight = false;
  };

  std::uint32_t checked_chain_bytes(std::span<const Buffer> readable, std::span<const Buffer> writable) const;
  std::uint16_t place_indirect(std::span<const Buffer> readable, std::span<const Buffer> writable);
  std::uint16_t place_direct(std::span<const Buffer> readable, std::span<const Buffer> writable);
  void release(std::uint16_t head);
  std::uint32_t validate_used(const UsedElement& e, std::uint16_t slot_index);
  void ignore_length(const UsedElement& e, std::uint16_t slot_index);
  void check_used_idx(std::uint16_t idx);

  const shm::GuestMemory& memory_;
  SplitRing ring_;
  RingFeatures features_;
  IndirectPool pool_;
  ChainTrace chain_trace_;  // used only while tracing
  // Chains added and not yet recorded (tracing only), and their buffers: written on every add.
  IsolatedVector<AddedChain> added_chains_;
  IsolatedVector<Buffer> added_buffers_;
  std::byte* pool_host_ = nullptr;
  // Written on every add and reclaim: on lines of their own (the device's thread works beside them).
  IsolatedVector<std::uint16_t> next_free_;  // private free list: never trust the shared table
  IsolatedVector<Head> heads_;
  std::uint16_t free_head_ = 0;
  std::uint32_t free_count_ = 0;
  std::uint32_t in_flight_ = 0;
  std::uint64_t added_count_ = 0;      // chains ever added (64 bits: never wraps)
  std::uint64_t published_count_ = 0;  // chains ever published
  std::uint64_t ignored_lengths_ = 0;  // see ignored_used_lengths()
  std::uint16_t avail_idx_ = 0;        // next avail idx to publish
  std::uint16_t published_idx_ = 0;    // avail idx the device can see
  std::uint16_t last_used_ = 0;        // next used entry to reclaim
  std::uint16_t seen_used_idx_ = 0;    // last used idx read from the ring
};

}  // namespace vgen::virtqueue
