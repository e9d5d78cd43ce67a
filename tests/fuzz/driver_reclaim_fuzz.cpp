// Fuzzes the driver side's used-ring reclaim: the driver offers chains, then a hostile device
// writes arbitrary used entries and indexes (the fuzz input). Any outcome but valid reclaims or
// a virtqueue::Error is a bug; the driver's free list must stay consistent either way.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>

#include <vgen/virtqueue/split_driver.hpp>

using namespace vgen;

namespace {

constexpr shm::GuestAddress kBase = 0x1000;
constexpr std::size_t kBytes = 65536;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t queue_size = 1u << (data[0] % 8);
  virtqueue::QueueConfig config;
  config.size = queue_size;
  config.features = {false, (data[1] & 1) != 0};
  config.addresses = virtqueue::contiguous_layout(kBase, queue_size, 64);
  alignas(4096) static std::byte memory_bytes[kBytes];
  std::memset(memory_bytes, 0, kBytes);
  shm::GuestMemory memory;
  memory.add_borrowed(kBase, memory_bytes, kBytes);
  virtqueue::SplitDriverQueue driver(memory, config);

  // Chains of 1 or 2 descriptors with writable lengths the fuzzer can aim at.
  const shm::GuestAddress buffers = kBase + 32768;
  std::set<std::uint64_t> tokens;
  for (std::uint64_t token = 0;; ++token) {
    const virtqueue::Buffer r[] = {{buffers, 8}};
    const virtqueue::Buffer w[] = {{buffers + 64, static_cast<std::uint32_t>(token % 5) * 8}};
    const bool two = (token % 2) == 1 && queue_size > 1;
    if (!driver.add(two ? std::span(r) : std::span<const virtqueue::Buffer>(), w, token)) break;
    tokens.insert(token);
  }
  driver.publish();

  // The device's side of the ring: used flags, idx, entries, avail_event.
  const std::size_t used_offset = config.addresses.used - kBase;
  const std::size_t used_bytes = virtqueue::used_ring_bytes(queue_size);
  std::memcpy(memory_bytes + used_offset, data + 2, std::min(size - 2, used_bytes));
  try {
    while (const auto used = driver.reclaim()) {
      check(tokens.erase(used->token) == 1);  // each token comes back once
    }
    driver.enable_interrupts();
  } catch (const virtqueue::Error&) {
    check(driver.broken());
  }
  check(driver.in_flight() == tokens.size());
  check(driver.free_descriptors() <= queue_size);
  return 0;
}
