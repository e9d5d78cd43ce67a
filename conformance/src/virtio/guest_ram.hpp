// The guest RAM of one check: a memfd region at a fixed guest address, shared with the half
// under test, and the allocator rings and buffers are carved from.
#pragma once

#include <memory>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/shm/region.hpp>

namespace vgen::conform::virtio_checks {

/// Guest RAM for one check.
struct GuestRam {
  static constexpr shm::GuestAddress kBase = 0x40000000;  ///< guest address of the first byte
  static constexpr std::size_t kBytes = 16 << 20;         ///< 16 MiB

  GuestRam()
      : region(std::make_shared<shm::Region>(shm::Region::create("conform-ram", kBytes))), allocator(kBase, kBytes) {
    memory.add(kBase, region);
  }
  std::shared_ptr<shm::Region> region;  ///< the memfd (passed to a peer process or back end)
  shm::GuestMemory memory;              ///< the region table holding it
  shm::Allocator allocator;             ///< hands out rings and buffers
};

}  // namespace vgen::conform::virtio_checks
