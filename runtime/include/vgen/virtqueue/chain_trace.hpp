// What a queue hands a trace sink about its chains: each chain's buffers as trace::BufferRefs
// (guest address, length, descriptor flags, where the bytes are here), and, per head, the
// device-writable buffers kept from the moment a chain is added or taken until it is used, so
// the used event can carry the bytes written. Only touched while a trace sink is set.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include <vgen/cache_line.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/virtqueue/queue.hpp>

namespace vgen::virtqueue {

/// Per-queue buffer bookkeeping for trace events.
class ChainTrace {
 public:
  /// The buffers of `chain` as the device took it; its writable ones are kept under its head.
  std::span<const trace::BufferRef> taken(const DescriptorChain& chain);
  /// Keeps the writable buffers of `chain` under its head, for a device whose ChainTaken records
  /// hold no buffers (trace::Ends::Both) but whose UsedPushed records hold the bytes written.
  void keep_writable(const DescriptorChain& chain);
  /// Makes the room added() needs for a chain of `readable` and `writable` buffers under `head`,
  /// and used() for it with `keep_for_used`, so that neither allocates: the driver calls it when
  /// the chain is added, where a failed allocation can be reported; added() runs where it cannot.
  void reserve_added(std::uint16_t head, std::size_t readable, std::size_t writable, bool keep_for_used);
  /// The buffers of a chain the driver placed under `head` (bytes found through `memory`);
  /// with `keep_for_used`, its writable ones are kept under the head for the UsedReclaimed record.
  /// Allocates nothing after reserve_added() with the same head, counts and `keep_for_used`.
  std::span<const trace::BufferRef> added(std::uint16_t head, std::span<const Buffer> readable,
                                          std::span<const Buffer> writable, const shm::GuestMemory& memory,
                                          bool keep_for_used = true);
  /// The writable buffers kept for `head`, empty when none were; valid until the next call.
  std::span<const trace::BufferRef> used(std::uint16_t head);

 private:
  // The writable buffers of one head: the first two in place (most chains have one or two),
  // the rest in a vector, so that tracing a chain allocates nothing once warm.
  struct Kept {
    std::array<trace::BufferRef, 2> first{};
    std::vector<trace::BufferRef> rest;
    std::uint32_t count = 0;
  };
  // reserve_added() reserves a head's `rest` before kept_ may grow: the reservation survives
  // the move.
  static_assert(std::is_nothrow_move_constructible_v<Kept>);
  trace::BufferRef* scratch(std::size_t count);
  Kept& kept(std::uint16_t head);
  static void keep(Kept& kept, const std::byte* host, std::uint64_t addr, std::uint32_t length);

  // Written on every traced chain: on lines of their own, apart from the other end's thread.
  IsolatedVector<trace::BufferRef> scratch_;  // sized to the longest chain so far
  IsolatedVector<Kept> kept_;                 // by head
  std::vector<trace::BufferRef> joined_;      // used(): a head's kept buffers in one piece (rare)
};

}  // namespace vgen::virtqueue
