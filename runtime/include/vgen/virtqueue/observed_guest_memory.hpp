// Guest memory mapped in this process as a RingObserver reads it: the vhost-user tap hands it
// the front end's regions it maps read-only, the conformance harness the RAM its checks drive.
#pragma once

#include <cstdint>
#include <span>

#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace vgen::virtqueue {

/// Reads guest memory by guest address, each read wholly inside one mapped region. The
/// regions are written by others meanwhile: a 2-byte read (a ring's idx) is one atomic load
/// with acquire order, so what the idx publishes is read after it.
class ObservedGuestMemory final : public ObservedMemory {
 public:
  /// `memory` must outlive the view; regions added to or removed from it later are seen.
  explicit ObservedGuestMemory(const shm::GuestMemory& memory) noexcept : memory_(memory) {}
  /// False when [address, +out.size()) is not inside one region.
  bool read(std::uint64_t address, std::span<std::byte> out) override;

 private:
  const shm::GuestMemory& memory_;
};

}  // namespace vgen::virtqueue
