// State one thread works on every call sits on cache line pairs of its own: the allocator
// behind IsolatedVector, and GuestMemory and its regions, which every ring thread reads.
#include <vgen/cache_line.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include <vgen/shm/memory.hpp>

namespace vgen {
namespace {

bool on_pair_boundary(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kCacheLinePair == 0; }

TEST(CacheLinePair, IsolatedVectorStartsOnAPairWhateverItsSize) {
  for (std::size_t count : {1u, 3u, 17u, 64u, 129u, 1000u}) {
    IsolatedVector<std::uint16_t> small(count);
    IsolatedVector<std::uint64_t> large(count);
    EXPECT_TRUE(on_pair_boundary(small.data())) << count;
    EXPECT_TRUE(on_pair_boundary(large.data())) << count;
  }
}

TEST(CacheLinePair, IsolatedVectorKeepsItsAlignmentWhenItGrows) {
  IsolatedVector<std::uint32_t> grown;
  for (std::uint32_t i = 0; i < 300; ++i) {
    grown.push_back(i);
    ASSERT_TRUE(on_pair_boundary(grown.data())) << "after " << i + 1 << " elements";
  }
  for (std::uint32_t i = 0; i < 300; ++i) EXPECT_EQ(grown[i], i);
}

TEST(CacheLinePair, BlocksBesideEachOtherShareNoPair) {
  // Two one-byte vectors made one after the other, as two queue ends' state would be: the
  // second must begin on a pair after the whole pair of the first.
  IsolatedVector<char> first(1);
  IsolatedVector<char> second(1);
  const auto a = reinterpret_cast<std::uintptr_t>(first.data()) / kCacheLinePair;
  const auto b = reinterpret_cast<std::uintptr_t>(second.data()) / kCacheLinePair;
  EXPECT_NE(a, b);
}

TEST(CacheLinePair, GuestMemoryRegionsSitOnAPairOfTheirOwn) {
  shm::GuestMemory memory;
  static std::byte backing[3][4096];
  for (int i = 0; i < 3; ++i) {
    memory.add_borrowed(0x10000 * static_cast<std::uint64_t>(i + 1), backing[i], sizeof backing[i]);
    EXPECT_TRUE(on_pair_boundary(memory.regions().data())) << "after " << i + 1 << " regions";
  }
  EXPECT_EQ(memory.find(0x20010, 16), backing[1] + 0x10);
}

// The table itself too: declared between two variables a loop writes, it shares no pair with
// them, on the stack as on the heap.
TEST(CacheLinePair, GuestMemorySitsOnAPairOfItsOwn) {
  struct Neighbours {
    std::uint64_t before = 0;
    shm::GuestMemory memory;
    std::uint64_t after = 0;
  } n;
  const auto pair_of = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) / kCacheLinePair; };
  EXPECT_TRUE(on_pair_boundary(&n.memory));
  EXPECT_EQ(sizeof n.memory % kCacheLinePair, 0u);
  EXPECT_NE(pair_of(&n.before), pair_of(&n.memory));
  EXPECT_NE(pair_of(&n.after), pair_of(reinterpret_cast<const std::byte*>(&n.memory) + sizeof n.memory - 1));
  EXPECT_TRUE(on_pair_boundary(std::make_unique<shm::GuestMemory>().get()));
}

}  // namespace
}  // namespace vgen
