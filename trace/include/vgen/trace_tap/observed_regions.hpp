// The memory regions of a vhost-user connection as the ring observer reads them: the tap maps
// the front end's regions read-only (vhost_user::MemoryTable) and hands this view of them to
// virtqueue::RingObserver, which reads every ring part, descriptor and buffer through it.
#pragma once

#include <cstdint>
#include <span>

#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace vgen::trace_tap {

/// Reads guest memory by guest address, each read wholly inside one mapped region. The
/// regions are written by others meanwhile: a 2-byte read (a ring's idx) is one atomic load
/// with acquire order, so what the idx publishes is read after it.
class ObservedRegions final : public virtqueue::ObservedMemory {
 public:
  /// `memory` must outlive the view; regions added to or removed from it later are seen.
  explicit ObservedRegions(const shm::GuestMemory& memory) noexcept : memory_(memory) {}
  /// False when [address, +out.size()) is not inside one region.
  bool read(std::uint64_t address, std::span<std::byte> out) override;

 private:
  const shm::GuestMemory& memory_;
};

}  // namespace vgen::trace_tap
