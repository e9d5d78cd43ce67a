// Shared set-up for virtqueue tests: guest memory with a ring and a buffer area.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::test {

/// 1 MiB of page-aligned test memory at guest address kBase, with one queue's rings at the
/// front, an indirect pool after them and a buffer allocator for the rest.
struct RingMemory {
  static constexpr shm::GuestAddress kBase = 0x100000;
  static constexpr std::uint64_t kBytes = 1 << 20;

  explicit RingMemory(std::uint32_t size = 8, virtqueue::RingFeatures features = {}, std::uint32_t indirect = 0)
      : storage(static_cast<std::byte*>(std::aligned_alloc(4096, kBytes))), allocator(kBase, kBytes) {
    std::memset(storage.get(), 0, kBytes);
    memory.add_borrowed(kBase, storage.get(), kBytes);
    config.size = size;
    config.features = features;
    config.addresses.desc = allocator.allocate(virtqueue::desc_table_bytes(size), 16);
    config.addresses.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), 2);
    config.addresses.used = allocator.allocate(virtqueue::used_ring_bytes(size), 4);
    if (indirect > 0) pool = {allocator.allocate(std::uint64_t{size} * indirect * 16, 16), indirect};
  }

  /// Host pointer for a guest address inside the test memory.
  std::byte* host(shm::GuestAddress addr) const { return memory.translate(addr, 0); }
  /// A fresh buffer of `length` bytes filled with `fill`.
  virtqueue::Buffer buffer(std::uint32_t length, std::uint8_t fill = 0) {
    const shm::GuestAddress addr = allocator.allocate(length, 8);
    std::memset(host(addr), fill, length);
    return {addr, length};
  }

  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> storage;
  shm::GuestMemory memory;
  shm::Allocator allocator;
  virtqueue::QueueConfig config;
  virtqueue::IndirectPool pool;
};

}  // namespace vgen::test
