// A bump allocator handing out aligned guest-address ranges, for rings and buffers.
#pragma once

#include <cstdint>

#include <vgen/shm/memory.hpp>

namespace vgen::shm {

/// Hands out [base, base+size) in aligned pieces, front to back. No free: reset() instead.
class Allocator {
 public:
  /// Throws shm::Error(Overflow) when base + size wraps around 2^64.
  Allocator(GuestAddress base, std::uint64_t size);
  /// Returns the guest address of `size` bytes aligned to `align` (a power of two).
  /// Throws shm::Error(OutOfBounds) when the range is exhausted, Invalid for a bad alignment.
  GuestAddress allocate(std::uint64_t size, std::uint64_t align = 16);
  /// Forgets every allocation.
  void reset() noexcept { next_ = base_; }
  /// Bytes still available (ignoring alignment).
  std::uint64_t remaining() const noexcept { return end_ - next_; }

 private:
  GuestAddress base_;
  GuestAddress next_;
  GuestAddress end_;
};

}  // namespace vgen::shm
