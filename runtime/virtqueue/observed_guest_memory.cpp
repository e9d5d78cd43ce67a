#include <vgen/virtqueue/observed_guest_memory.hpp>

#include <cstring>

namespace vgen::virtqueue {

bool ObservedGuestMemory::read(std::uint64_t address, std::span<std::byte> out) {
  const std::byte* host = memory_.find(address, out.size());
  if (host == nullptr) return false;
  if (out.size() == sizeof(std::uint16_t) && address % sizeof(std::uint16_t) == 0) {
    // The avail and used idx: one load, ordered before the entries it publishes are read.
    const std::uint16_t value = __atomic_load_n(reinterpret_cast<const std::uint16_t*>(host), __ATOMIC_ACQUIRE);
    std::memcpy(out.data(), &value, sizeof value);
    return true;
  }
  std::memcpy(out.data(), host, out.size());
  return true;
}

}  // namespace vgen::virtqueue
