// Fuzzes the driver side's used-ring reclaim: the driver offers chains (some with no
// device-writable bytes, the last few added but not published), then a hostile device writes
// arbitrary used entries and indexes (the fuzz input). Any outcome but valid reclaims or a
// virtqueue::Error is a bug. Checked either way: each token comes back at most once and only
// if its chain was published, no length exceeds the chain's writable bytes, the free list
// stays consistent, and a broken queue refuses every ring call but still detaches its chains.
//
// Input: [0] queue size (2^(n%8)), [1] bit 0 event index, bits 1..7 how many of the last
// chains stay unpublished, [2..9] two buffer lengths for a probe chain add() must place or
// refuse as too large, then the used ring (flags, idx, entries, avail_event).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>

#include <vgen/virtqueue/split_driver.hpp>

using namespace vgen;

namespace {

constexpr shm::GuestAddress kBase = 0x1000;
constexpr std::size_t kBytes = 65536;
constexpr std::size_t kHeader = 10;
constexpr shm::GuestAddress kProbeRings = kBase + 16384;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::uint32_t u32_at(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// What the driver was given per token.
struct Offered {
  std::uint64_t writable = 0;
  bool published = false;
};

// add() either places the chain or refuses it as too large without breaking the queue. A
// queue of its own (rings at kProbeRings) keeps the probe out of the one under test.
void probe_add(const shm::GuestMemory& memory, std::uint32_t a, std::uint32_t b) {
  virtqueue::QueueConfig config;
  config.size = 4;
  config.addresses = virtqueue::contiguous_layout(kProbeRings, config.size, 64);
  virtqueue::SplitDriverQueue probe(memory, config);
  const virtqueue::Buffer w[] = {{kBase + 32768, a}, {kBase + 32768, b}};
  try {
    check(probe.add({}, w, 1).has_value());
    check(std::uint64_t{a} + b <= virtqueue::kMaxUsedLength);
  } catch (const virtqueue::Error& e) {
    check(e.code() == virtqueue::ErrorCode::ChainTooLarge);
    check(std::uint64_t{a} + b > virtqueue::kMaxUsedLength);
    check(!probe.broken() && probe.free_descriptors() == config.size);
  }
}

// Chains of 1 or 2 descriptors with writable lengths the fuzzer can aim at; every third has
// no writable buffer at all. The last `unpublished` are added after the publish.
std::map<std::uint64_t, Offered> offer(virtqueue::SplitDriverQueue& driver, std::uint32_t queue_size,
                                       std::uint32_t unpublished) {
  std::map<std::uint64_t, Offered> offered;
  const shm::GuestAddress buffers = kBase + 32768;
  const std::uint32_t published = queue_size > unpublished ? queue_size - unpublished : 0;
  for (std::uint64_t token = 0;; ++token) {
    if (token == published) driver.publish();
    const virtqueue::Buffer r[] = {{buffers, 8}};
    const virtqueue::Buffer w[] = {{buffers + 64, static_cast<std::uint32_t>(token % 5) * 8}};
    const bool read_only = token % 3 == 2;
    const bool two = (token % 2) == 1 && queue_size > 1;
    const auto readable = two || read_only ? std::span(r) : std::span<const virtqueue::Buffer>();
    const auto writable = read_only ? std::span<const virtqueue::Buffer>() : std::span(w);
    if (!driver.add(readable, writable, token)) break;
    offered[token] = {read_only ? 0 : w[0].length, token < published};
  }
  if (offered.size() <= published) driver.publish();
  return offered;
}

// A broken queue throws Broken for every ring call and still detaches what is in flight.
void check_broken(virtqueue::SplitDriverQueue& driver, std::map<std::uint64_t, Offered>& offered) {
  const auto refuses = [](auto&& call) {
    try {
      call();
      return false;
    } catch (const virtqueue::Error& e) {
      return e.code() == virtqueue::ErrorCode::Broken;
    }
  };
  const virtqueue::Buffer w[] = {{kBase + 32768, 8}};
  check(refuses([&] { driver.reclaim(); }));
  check(refuses([&] { driver.publish(); }));
  check(refuses([&] { driver.kick(); }));
  check(refuses([&] { driver.add({}, w, 0); }));
  check(refuses([&] { driver.enable_interrupts(); }));
  check(refuses([&] { driver.disable_interrupts(); }));
  for (const std::uint64_t token : driver.detach_unused()) check(offered.erase(token) == 1);
  check(driver.in_flight() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader) return 0;
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
  probe_add(memory, u32_at(data + 2), u32_at(data + 6));
  std::map<std::uint64_t, Offered> offered = offer(driver, queue_size, data[1] >> 1);

  // The device's side of the ring: used flags, idx, entries, avail_event.
  const std::size_t used_offset = config.addresses.used - kBase;
  const std::size_t used_bytes = virtqueue::used_ring_bytes(queue_size);
  std::memcpy(memory_bytes + used_offset, data + kHeader, std::min(size - kHeader, used_bytes));
  std::uint64_t reclaimed = 0;
  try {
    while (const auto used = driver.reclaim()) {
      const auto it = offered.find(used->token);
      check(it != offered.end() && it->second.published);  // once, and only if the device saw it
      check(used->length <= it->second.writable);
      offered.erase(it);
      ++reclaimed;
    }
    driver.enable_interrupts();
    driver.disable_interrupts();
  } catch (const virtqueue::Error&) {
    check(driver.broken());
    check_broken(driver, offered);
  }
  check(driver.ignored_used_lengths() <= reclaimed);
  check(driver.in_flight() == offered.size());
  check(driver.free_descriptors() <= queue_size);
  return 0;
}
