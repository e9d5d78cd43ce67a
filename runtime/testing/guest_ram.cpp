#include "vgen/testing/guest_ram.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include <vgen/shm/region.hpp>

namespace vgen::testing {

GuestRam::GuestRam(std::uint64_t bytes, shm::GuestAddress base) : base_(base), bytes_(bytes), allocator_(base, bytes) {
  memory_.add(base, std::make_shared<shm::Region>(shm::Region::create("vgen-test-ram", bytes)));
}

std::span<std::byte> GuestRam::bytes(shm::GuestAddress addr, std::uint64_t length) const {
  return {memory_.translate(addr, length), static_cast<std::size_t>(length)};
}

virtqueue::Buffer GuestRam::buffer(std::uint32_t length, std::byte fill) {
  const shm::GuestAddress addr = allocator_.allocate(std::max<std::uint32_t>(length, 1), 8);
  const std::span<std::byte> content = bytes(addr, length);
  std::fill(content.begin(), content.end(), fill);
  return {addr, length};
}

virtqueue::Buffer GuestRam::buffer_with(std::span<const std::byte> content) {
  const virtqueue::Buffer made = buffer(static_cast<std::uint32_t>(content.size()));
  if (!content.empty()) std::memcpy(bytes(made.addr, made.length).data(), content.data(), content.size());
  return made;
}

}  // namespace vgen::testing
