// Guest memory: a table of regions addressed by guest-physical-style addresses.
// Every access is bounds-checked at the time it is made against one region (the model of
// rust-vmm's vm-memory), so a peer cannot steer an access outside shared memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include <vgen/cache_line.hpp>
#include <vgen/shm/error.hpp>
#include <vgen/shm/region.hpp>

namespace vgen::shm {

/// An address in the shared address space both peers agree on (what descriptors carry).
using GuestAddress = std::uint64_t;

/// One entry of the region table.
struct MemoryRegion {
  GuestAddress base = 0;          ///< guest address of the first byte
  std::uint64_t size = 0;         ///< length in bytes
  std::byte* host = nullptr;      ///< where the first byte is mapped in this process
  std::shared_ptr<Region> owner;  ///< keeps the mapping alive (null for borrowed memory)
};

/// The region table. Lookups are by guest address; regions never overlap. On a cache line
/// pair of its own, like its entries: the threads of both ends read it on every buffer they
/// touch, and a neighbour written on every chain (a loop's stack variables) would make each
/// of those reads a miss.
class alignas(kCacheLinePair) GuestMemory {
 public:
  /// Adds a region at `base`. Throws shm::Error (Overlap, Overflow, Invalid) on a bad entry;
  /// the table is unchanged then.
  void add(GuestAddress base, std::shared_ptr<Region> region);
  /// Adds memory this table does not own (e.g. a buffer in a test). Same checks as add().
  void add_borrowed(GuestAddress base, std::byte* host, std::uint64_t size);

  /// The host pointer for [addr, addr+len) if it lies wholly inside one region, else nullptr.
  /// len 0 is valid for any address inside a region or at its end.
  std::byte* find(GuestAddress addr, std::uint64_t len) const noexcept;
  /// Like find() but throws shm::Error naming the address and length when out of bounds.
  std::byte* translate(GuestAddress addr, std::uint64_t len) const;

  /// Copies guest memory at `addr` into `out`. Throws shm::Error when out of bounds.
  void read(GuestAddress addr, std::span<std::byte> out) const;
  /// Copies `in` into guest memory at `addr`. Throws shm::Error when out of bounds.
  void write(GuestAddress addr, std::span<const std::byte> in) const;

  /// Reads a trivially copyable object (host byte order) at `addr`.
  template <class T>
  T read_obj(GuestAddress addr) const {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    std::memcpy(&value, translate(addr, sizeof(T)), sizeof(T));
    return value;
  }
  /// Writes a trivially copyable object (host byte order) at `addr`.
  template <class T>
  void write_obj(GuestAddress addr, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(translate(addr, sizeof(T)), &value, sizeof(T));
  }

  /// All regions, sorted by base address.
  std::span<const MemoryRegion> regions() const noexcept { return regions_; }

 private:
  void insert(MemoryRegion region);

  // Every thread working a ring reads this on each access; on lines of its own, so that no
  // thread's stores beside it make the others miss.
  IsolatedVector<MemoryRegion> regions_;
};

}  // namespace vgen::shm
