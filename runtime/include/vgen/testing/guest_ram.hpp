// Test support: guest memory for a test, one memfd region at a fixed guest address with a
// bump allocator over it, for rings and buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/queue.hpp>

namespace vgen::testing {

/// Zeroed guest memory of `bytes` bytes at guest address `base`, and an allocator over it.
class GuestRam {
 public:
  /// Where the memory starts unless told otherwise.
  static constexpr shm::GuestAddress kBase = 0x40000000;
  /// Its size unless told otherwise (8 MiB: room for a pair's rings and slots).
  static constexpr std::uint64_t kBytes = 8 << 20;

  /// Throws shm::Error when the memory cannot be created.
  explicit GuestRam(std::uint64_t bytes = kBytes, shm::GuestAddress base = kBase);

  /// The region table (one region).
  const shm::GuestMemory& memory() const noexcept { return memory_; }
  /// Hands out aligned pieces of the memory.
  shm::Allocator& allocator() noexcept { return allocator_; }
  /// First guest address and size.
  shm::GuestAddress base() const noexcept { return base_; }
  std::uint64_t size() const noexcept { return bytes_; }

  /// The bytes at [addr, addr + length). Throws shm::Error outside the memory.
  std::span<std::byte> bytes(shm::GuestAddress addr, std::uint64_t length) const;
  /// A fresh buffer of `length` bytes (8-aligned), every byte `fill`.
  virtqueue::Buffer buffer(std::uint32_t length, std::byte fill = std::byte{0});
  /// A fresh buffer holding a copy of `content`.
  virtqueue::Buffer buffer_with(std::span<const std::byte> content);

 private:
  shm::GuestAddress base_;
  std::uint64_t bytes_;
  shm::GuestMemory memory_;
  shm::Allocator allocator_;
};

}  // namespace vgen::testing
