// How far apart objects written by one thread must be from objects another thread uses, so that
// neither thread's stores make the other miss (false sharing). Shared by every runtime module.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace vgen {

/// Two 64-byte cache lines: x86's adjacent-line prefetcher moves lines in pairs, so a line pair
/// is the unit two threads must not share. Objects one thread writes on every call while
/// another thread reads or writes objects of its own on every call (a queue's two ends, a sink
/// both ends call) are aligned to it; their size is then a multiple of it, so they also end on
/// a pair boundary.
inline constexpr std::size_t kCacheLinePair = 128;

/// An allocator whose blocks start and end on a cache line pair, so that what a vector holds
/// shares no line with the blocks malloc puts beside it (which may be another thread's).
template <class T>
struct CacheLinePairAllocator {
  using value_type = T;
  CacheLinePairAllocator() noexcept = default;
  template <class U>
  CacheLinePairAllocator(const CacheLinePairAllocator<U>&) noexcept {}

  T* allocate(std::size_t count) {
    return static_cast<T*>(::operator new (rounded(count), std::align_val_t{kCacheLinePair}));
  }
  void deallocate(T* block, std::size_t) noexcept { ::operator delete (block, std::align_val_t{kCacheLinePair}); }
  friend bool operator==(const CacheLinePairAllocator&, const CacheLinePairAllocator&) noexcept { return true; }

 private:
  static std::size_t rounded(std::size_t count) noexcept {
    return (count * sizeof(T) + kCacheLinePair - 1) / kCacheLinePair * kCacheLinePair;
  }
};

/// A vector on cache line pairs of its own: for state one thread works on every call while
/// another thread works beside it.
template <class T>
using IsolatedVector = std::vector<T, CacheLinePairAllocator<T>>;

}  // namespace vgen
