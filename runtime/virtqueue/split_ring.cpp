#include <vgen/virtqueue/split_ring.hpp>

#include <vgen/format.hpp>
#include <vgen/virtqueue/error.hpp>

namespace vgen::virtqueue {
namespace {

std::byte* map_part(const shm::GuestMemory& memory, const char* part, shm::GuestAddress addr, std::uint64_t bytes,
                    std::uint64_t align) {
  if (addr % align != 0) {
    throw Error(ErrorCode::InvalidConfig, std::string("ring ") + part + " address " + hex(addr) +
                                              " is not aligned to " + std::to_string(align) + " (§2.7.1)");
  }
  std::byte* host = memory.find(addr, bytes);
  if (host == nullptr) {
    throw Error(ErrorCode::InvalidConfig, std::string("ring ") + part + " [" + hex(addr) + ", +" +
                                              std::to_string(bytes) + ") is not inside guest memory");
  }
  return host;
}

}  // namespace

SplitRing::SplitRing(const shm::GuestMemory& memory, std::uint32_t size, RingAddresses addresses)
    : size_(size), addresses_(addresses) {
  if (!valid_queue_size(size)) {
    throw Error(ErrorCode::InvalidConfig,
                "queue size " + std::to_string(size) + " is not a power of two between 1 and 32768 (§2.7)");
  }
  desc_ = map_part(memory, "descriptor table", addresses.desc, desc_table_bytes(size), kDescAlign);
  avail_ = map_part(memory, "available ring", addresses.avail, avail_ring_bytes(size), kAvailAlign);
  used_ = map_part(memory, "used ring", addresses.used, used_ring_bytes(size), kUsedAlign);
}

}  // namespace vgen::virtqueue
