// A traced driver makes its ChainAdded records when it publishes (record_deferred()), where an
// exception cannot be reported: the call is noexcept, so a failed allocation there would end the
// program. add() makes the room those records need; publishing allocates nothing.
//
// This file replaces the global allocation functions with ones that count the allocations the
// calling thread makes while counting is on.
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include <vgen/trace/hooks.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

#include "fixture.hpp"

namespace {

thread_local bool t_counting = false;
thread_local int t_allocations = 0;

void* counted(std::size_t bytes, std::size_t alignment) {
  if (t_counting) ++t_allocations;
  const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* block = alignment <= alignof(std::max_align_t) ? std::malloc(bytes == 0 ? 1 : bytes)
                                                        : std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

}  // namespace

void* operator new(std::size_t bytes) { return counted(bytes, alignof(std::max_align_t)); }
void* operator new[](std::size_t bytes) { return counted(bytes, alignof(std::max_align_t)); }
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return counted(bytes, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return counted(bytes, static_cast<std::size_t>(alignment));
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete[](void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t) noexcept { std::free(block); }
void operator delete(void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }

namespace vgen::virtqueue {
namespace {

using test::RingMemory;

// Counts the ChainAdded events it is handed, and keeps nothing (so it allocates nothing).
struct CountingSink : trace::TraceSink {
  void record(const trace::Event& event) noexcept override {
    if (event.kind == trace::EventKind::ChainAdded) {
      ++chains;
      buffers = event.buffers.size();
    }
    if (event.kind == trace::EventKind::UsedReclaimed) reclaimed_buffers = event.buffers.size();
  }
  int chains = 0;
  std::size_t buffers = 0;
  std::size_t reclaimed_buffers = 0;
};

// Counts the allocations of the calling thread while it lives.
struct AllocationCount {
  AllocationCount() {
    t_allocations = 0;
    t_counting = true;
  }
  ~AllocationCount() { t_counting = false; }
  int allocations() const { return t_allocations; }
};

TEST(DeferredRecord, TheCountingAllocatorCounts) {
  AllocationCount count;
  auto block = std::make_unique<IsolatedVector<int>>(3);
  EXPECT_EQ(count.allocations(), 2);  // the vector, and its cache-line-pair aligned storage
}

// Each end keeps the chain's writable buffers for its used record (trace::Ends::One), and the
// chain is the longest so far, with more writable buffers than a head keeps in place: every
// piece of bookkeeping record_deferred() fills must already have its room.
TEST(DeferredRecord, PublishAllocatesNothing) {
  RingMemory m{8};
  SplitDriverQueue driver{m.memory, m.config};
  CountingSink sink;
  driver.set_trace(&sink, trace::Ends::One);
  const Buffer readable[] = {m.buffer(8), m.buffer(8), m.buffer(8)};
  const Buffer writable[] = {m.buffer(8), m.buffer(8), m.buffer(8)};
  ASSERT_TRUE(driver.add(readable, writable, 1).has_value());
  {
    AllocationCount count;
    driver.publish();
    EXPECT_EQ(count.allocations(), 0);
  }
  EXPECT_EQ(sink.chains, 1);  // the record was made, in publish()
  EXPECT_EQ(sink.buffers, 6u);
}

// The same at reclaim, which makes the records of chains added since the last publish.
TEST(DeferredRecord, ReclaimAllocatesNothing) {
  RingMemory m{8};
  SplitDriverQueue driver{m.memory, m.config};
  CountingSink sink;
  driver.set_trace(&sink, trace::Ends::One);
  const Buffer readable[] = {m.buffer(8), m.buffer(8)};
  const Buffer writable[] = {m.buffer(8), m.buffer(8), m.buffer(8), m.buffer(8)};
  ASSERT_TRUE(driver.add(readable, writable, 1).has_value());
  {
    AllocationCount count;
    EXPECT_FALSE(driver.reclaim().has_value());  // nothing used yet
    EXPECT_EQ(count.allocations(), 0);
  }
  EXPECT_EQ(sink.chains, 1);
  EXPECT_EQ(sink.buffers, 6u);
}

// Reclaiming a used chain makes its UsedReclaimed record with the writable buffers kept for it
// (trace::Ends::One): more than a head keeps in place, so they are joined into one list, whose
// room add() made too.
TEST(DeferredRecord, ReclaimingAUsedChainAllocatesNothing) {
  RingMemory m{8};
  SplitDriverQueue driver{m.memory, m.config};
  SplitDeviceQueue device{m.memory, m.config};
  CountingSink sink;
  driver.set_trace(&sink, trace::Ends::One);
  const Buffer readable[] = {m.buffer(8)};
  const Buffer writable[] = {m.buffer(8), m.buffer(8), m.buffer(8), m.buffer(8)};
  ASSERT_TRUE(driver.add(readable, writable, 1).has_value());
  driver.publish();
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  device.put(chain.head(), 32);
  device.publish();
  bool reclaimed = false;
  {
    AllocationCount count;
    reclaimed = driver.reclaim().has_value();
    EXPECT_EQ(count.allocations(), 0);
  }
  EXPECT_TRUE(reclaimed);
  EXPECT_EQ(sink.reclaimed_buffers, 4u);
}

}  // namespace
}  // namespace vgen::virtqueue
