// Driver and device sides of a split queue working together, in one thread, step by step.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture.hpp"

namespace vgen::virtqueue {
namespace {

using test::RingMemory;

std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

class TraceCounter : public trace::TraceSink {
 public:
  void record(const trace::Event& e) noexcept override { ++counts[static_cast<int>(e.kind)]; }
  int count(trace::EventKind k) const { return counts[static_cast<int>(k)]; }
  std::array<int, 16> counts{};
};

TEST(SplitQueue, RoundTripCarriesBytesBothWays) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer out = m.buffer(5);
  std::memcpy(m.host(out.addr), "hello", 5);
  const Buffer in = m.buffer(16, 0xee);
  const Buffer r[] = {out};
  const Buffer w[] = {in};
  ASSERT_EQ(driver.add(r, w, 42), std::optional<std::uint16_t>(0));
  DescriptorChain chain;
  EXPECT_FALSE(device.take(chain)) << "nothing is visible before publish";
  EXPECT_TRUE(driver.publish());
  ASSERT_TRUE(device.take(chain));
  EXPECT_EQ(chain.readable_bytes(), 5u);
  EXPECT_EQ(chain.writable_bytes(), 16u);
  std::array<std::byte, 8> got{};
  ChainReader reader(chain);
  EXPECT_EQ(reader.read(got), 5u);
  EXPECT_EQ(std::memcmp(got.data(), "hello", 5), 0);
  ChainWriter writer(chain);
  const auto reply = bytes_of("world!");
  EXPECT_EQ(writer.write(reply), 6u);
  device.put(chain.head(), writer.written());
  EXPECT_EQ(driver.reclaim(), std::nullopt) << "nothing is visible before publish";
  EXPECT_TRUE(device.publish());
  const auto used = driver.reclaim();
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->token, 42u);
  EXPECT_EQ(used->length, 6u);
  EXPECT_EQ(std::memcmp(m.host(in.addr), "world!", 6), 0);
  EXPECT_EQ(static_cast<std::uint8_t>(m.host(in.addr)[6]), 0xee) << "device wrote past its length";
  EXPECT_EQ(driver.free_descriptors(), 8u);
  EXPECT_EQ(driver.in_flight(), 0u);
}

TEST(SplitQueue, ReaderAndWriterSpanSegments) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer a = m.buffer(3), b = m.buffer(4), c = m.buffer(2), d = m.buffer(5);
  std::memcpy(m.host(a.addr), "abc", 3);
  std::memcpy(m.host(b.addr), "defg", 4);
  const Buffer r[] = {a, b};
  const Buffer w[] = {c, d};
  ASSERT_TRUE(driver.add(r, w, 1));
  driver.publish();
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  EXPECT_EQ(chain.descriptor_count(), 4u);
  std::array<std::byte, 10> got{};
  ChainReader reader(chain);
  EXPECT_EQ(reader.remaining(), 7u);
  EXPECT_EQ(reader.read(got), 7u);
  EXPECT_EQ(std::memcmp(got.data(), "abcdefg", 7), 0);
  ChainWriter writer(chain);
  EXPECT_EQ(writer.write(bytes_of("0123456789")), 7u) << "only 7 writable bytes";
  EXPECT_EQ(writer.remaining(), 0u);
  EXPECT_EQ(std::memcmp(m.host(c.addr), "01", 2), 0);
  EXPECT_EQ(std::memcmp(m.host(d.addr), "23456", 5), 0);
}

TEST(SplitQueue, FullQueueRefusesThenRecovers) {
  RingMemory m(4);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer two[] = {b, b};
  const Buffer one[] = {b};
  EXPECT_TRUE(driver.add(two, {}, 1));
  EXPECT_TRUE(driver.add(one, {}, 2));
  EXPECT_TRUE(driver.add(one, {}, 3));
  EXPECT_EQ(driver.free_descriptors(), 0u);
  EXPECT_EQ(driver.add(one, {}, 4), std::nullopt);
  driver.publish();
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  device.put(chain.head(), 0);
  device.publish();
  EXPECT_EQ(driver.reclaim()->token, 1u);
  EXPECT_EQ(driver.free_descriptors(), 2u);
  EXPECT_TRUE(driver.add(two, {}, 5));
}

TEST(SplitQueue, EmptyChainIsRefused) {
  RingMemory m(4);
  SplitDriverQueue driver(m.memory, m.config);
  EXPECT_THROW(driver.add({}, {}, 0), Error);
}

// add() throws `code` with `text` in the message, places nothing and leaves the queue usable.
void expect_add_refused(SplitDriverQueue& driver, std::span<const Buffer> r, std::span<const Buffer> w,
                        const std::string& text) {
  const std::uint32_t free = driver.free_descriptors();
  try {
    driver.add(r, w, 1);
    ADD_FAILURE() << "accepted; expected: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ChainTooLarge) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
  EXPECT_FALSE(driver.broken()) << "a refused add() is the caller's error, not the device's";
  EXPECT_EQ(driver.free_descriptors(), free);
  EXPECT_EQ(driver.in_flight(), 0u);
}

// The used len is 32 bits (§2.7.8) and a chain totals at most 2^32 bytes (§2.7.5.2): the
// driver never offers a chain whose readable or writable part does not fit 32 bits. The
// buffers are never touched, so their addresses need not be backed.
TEST(SplitQueue, AddRefusesChainsBeyondThirtyTwoBits) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  const Buffer half{0x200000000ull, 0x80000000u};
  const Buffer most{0x200000000ull, 0xffffffffu};
  const Buffer one{0x200000000ull, 1};
  const Buffer two_halves[] = {half, half};
  expect_add_refused(driver, {}, two_halves,
                     "add: chain of 2 buffers has 4294967296 device-writable bytes, more than the 4294967295");
  expect_add_refused(driver, two_halves, {},
                     "add: chain of 2 buffers has 4294967296 device-readable bytes, more than the 4294967295");
  const Buffer r[] = {most};
  const Buffer w[] = {most};
  expect_add_refused(driver, r, w, "add: chain of 2 buffers totals 8589934590 bytes, more than 2^32 (§2.7.5.2)");
  const Buffer w1[] = {one};
  EXPECT_TRUE(driver.add(r, w1, 2)) << "2^32 bytes in all, each part within 32 bits";
}

TEST(SplitQueue, IndirectChainUsesOneDescriptor) {
  RingMemory m(4, {true, false}, 4);
  SplitDriverQueue driver(m.memory, m.config, m.pool);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer a = m.buffer(4), b = m.buffer(4), c = m.buffer(4);
  std::memcpy(m.host(a.addr), "ABCD", 4);
  std::memcpy(m.host(b.addr), "EFGH", 4);
  const Buffer r[] = {a, b};
  const Buffer w[] = {c};
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(driver.add(r, w, i));
  EXPECT_EQ(driver.free_descriptors(), 0u) << "each 3-buffer chain takes one table entry";
  const Descriptor head = driver.ring().read_descriptor(0);
  EXPECT_EQ(head.flags, kDescIndirect);
  EXPECT_EQ(head.len, 48u);
  driver.publish();
  DescriptorChain chain;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(device.take(chain));
    EXPECT_EQ(chain.readable_bytes(), 8u);
    EXPECT_EQ(chain.writable_bytes(), 4u);
    std::array<std::byte, 8> got{};
    ChainReader(chain).read(got);
    EXPECT_EQ(std::memcmp(got.data(), "ABCDEFGH", 8), 0);
    device.put(chain.head(), 4);
  }
  device.publish();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(driver.reclaim()->token, static_cast<std::uint64_t>(i));
  EXPECT_EQ(driver.free_descriptors(), 4u);
}

// Indexes are free-running u16 (§2.7.6.1): run the queue well past 65536 in both rings.
TEST(SplitQueue, IndexesWrapAt65536) {
  RingMemory m(4);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer w[] = {b};
  DescriptorChain chain;
  for (std::uint32_t i = 0; i < 70000; ++i) {
    ASSERT_TRUE(driver.add({}, w, i));
    driver.publish();
    ASSERT_TRUE(device.take(chain));
    device.put(chain.head(), i % 9);
    device.publish();
    const auto used = driver.reclaim();
    ASSERT_TRUE(used);
    ASSERT_EQ(used->token, i);
    ASSERT_EQ(used->length, i % 9);
  }
  EXPECT_EQ(driver.ring().load_avail_idx(std::memory_order_relaxed), static_cast<std::uint16_t>(70000));
}

// Without EVENT_IDX suppression uses the flags (§2.7.7, §2.7.10).
TEST(SplitQueue, FlagSuppressionBothWays) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer w[] = {b};
  DescriptorChain chain;
  device.disable_notifications();
  driver.add({}, w, 1);
  EXPECT_FALSE(driver.publish()) << "device set NO_NOTIFY";
  EXPECT_TRUE(device.enable_notifications()) << "a chain is already waiting";
  driver.add({}, w, 2);
  EXPECT_TRUE(driver.publish());
  driver.disable_interrupts();
  ASSERT_TRUE(device.take(chain));
  device.put(chain.head(), 0);
  EXPECT_FALSE(device.publish()) << "driver set NO_INTERRUPT";
  EXPECT_TRUE(driver.enable_interrupts()) << "a used buffer is already waiting";
  ASSERT_TRUE(device.take(chain));
  device.put(chain.head(), 0);
  EXPECT_TRUE(device.publish());
}

// With EVENT_IDX the peer is notified exactly when the index passes the event (§2.7.7.2).
TEST(SplitQueue, EventIdxSuppressionBothWays) {
  RingMemory m(8, {false, true});
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer w[] = {b};
  DescriptorChain chain;
  // avail_event starts at 0: the first publish moves idx 0 -> 1 and passes it.
  driver.add({}, w, 1);
  EXPECT_TRUE(driver.publish());
  driver.add({}, w, 2);
  EXPECT_FALSE(driver.publish()) << "device did not re-arm avail_event";
  ASSERT_TRUE(device.take(chain));
  ASSERT_TRUE(device.take(chain));
  EXPECT_FALSE(device.enable_notifications()) << "all taken";
  driver.add({}, w, 3);
  EXPECT_TRUE(driver.publish()) << "avail idx passed the re-armed avail_event";
  device.put(0, 0);
  EXPECT_TRUE(device.publish()) << "used_event 0 passed";
  device.put(1, 0);
  EXPECT_FALSE(device.publish()) << "driver did not re-arm used_event";
  EXPECT_TRUE(driver.reclaim());
  EXPECT_TRUE(driver.reclaim());
  EXPECT_FALSE(driver.enable_interrupts());
  ASSERT_TRUE(device.take(chain));
  device.put(chain.head(), 0);
  EXPECT_TRUE(device.publish());
  // The flags stay 0 with EVENT_IDX (§2.7.7.1, §2.7.10.2).
  driver.disable_interrupts();
  device.disable_notifications();
  EXPECT_EQ(device.ring().load_avail_flags(), 0);
  EXPECT_EQ(device.ring().load_used_flags(), 0);
}

// The two ends, declared side by side as a program running them on two threads would, share no
// cache line pair: each end writes its own fields on every call.
TEST(SplitQueue, EndsDeclaredSideBySideShareNoCacheLinePair) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  const auto pair_of = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) / kCacheLinePair; };
  const auto last_pair_of = [&](const auto& end) {
    return pair_of(reinterpret_cast<const std::byte*>(&end) + sizeof end - 1);
  };
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&driver) % kCacheLinePair, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&device) % kCacheLinePair, 0u);
  const bool apart = last_pair_of(driver) < pair_of(&device) || last_pair_of(device) < pair_of(&driver);
  EXPECT_TRUE(apart);
  // Heap-made ends too (aligned new).
  auto heap_driver = std::make_unique<SplitDriverQueue>(m.memory, m.config);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(heap_driver.get()) % kCacheLinePair, 0u);
}

TEST(SplitQueue, DetachUnusedReturnsEveryTokenAfterReset) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer two[] = {b, b};
  driver.add(two, {}, 7);
  driver.add(two, {}, 8);
  driver.publish();
  EXPECT_EQ(driver.detach_unused(), (std::vector<std::uint64_t>{7, 8}));
  EXPECT_EQ(driver.free_descriptors(), 8u);
  EXPECT_EQ(driver.in_flight(), 0u);
}

// Detaching takes unpublished chains too, and leaves none behind to publish or to count as
// in flight: a device that then claims a used entry is refused for the used idx itself.
TEST(SplitQueue, DetachUnusedLeavesNoUnpublishedChainBehind) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  const Buffer b = m.buffer(8);
  const Buffer one[] = {b};
  driver.add(one, {}, 7);
  driver.publish();
  driver.add(one, {}, 8);
  EXPECT_EQ(driver.detach_unused(), (std::vector<std::uint64_t>{7, 8}));
  EXPECT_FALSE(driver.publish()) << "the detached chain was published after all";
  EXPECT_EQ(driver.ring().load_avail_idx(std::memory_order_relaxed), 1);
  SplitRing ring(m.memory, 8, m.config.addresses);
  ring.store_used_entry(0, {0, 0});
  ring.store_used_idx(1, std::memory_order_release);
  try {
    driver.reclaim();
    ADD_FAILURE() << "reclaimed a detached chain";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UsedIndexJump) << e.what();
    EXPECT_NE(std::string(e.what()).find("but only 0 published chains are in flight"), std::string::npos) << e.what();
  }
}

TEST(SplitQueue, TraceSeesEveryRingEvent) {
  RingMemory m(8);
  SplitDriverQueue driver(m.memory, m.config);
  SplitDeviceQueue device(m.memory, m.config);
  TraceCounter trace;
  driver.set_trace(&trace);
  device.set_trace(&trace);
  const Buffer b = m.buffer(8);
  const Buffer w[] = {b};
  driver.add({}, w, 1);
  driver.publish();
  DescriptorChain chain;
  device.take(chain);
  device.put(chain.head(), 3);
  device.publish();
  driver.reclaim();
  using K = trace::EventKind;
  EXPECT_EQ(trace.count(K::ChainAdded), 1);
  EXPECT_EQ(trace.count(K::AvailPublished), 1);
  EXPECT_EQ(trace.count(K::ChainTaken), 1);
  EXPECT_EQ(trace.count(K::UsedPushed), 1);
  EXPECT_EQ(trace.count(K::UsedPublished), 1);
  EXPECT_EQ(trace.count(K::UsedReclaimed), 1);
  EXPECT_EQ(trace.count(K::NotifySent), 2);
}

TEST(SplitQueue, SetupRejectsBadConfig) {
  RingMemory m(8);
  QueueConfig c = m.config;
  c.size = 6;
  EXPECT_THROW(SplitDeviceQueue(m.memory, c), Error);
  c = m.config;
  c.addresses.desc += 8;  // §2.7.1: 16-aligned
  EXPECT_THROW(SplitDeviceQueue(m.memory, c), Error);
  c = m.config;
  c.addresses.used += 2;  // 4-aligned
  EXPECT_THROW(SplitDriverQueue(m.memory, c), Error);
  c = m.config;
  c.addresses.used = RingMemory::kBase + RingMemory::kBytes - 8;  // runs off the end
  try {
    SplitDeviceQueue q(m.memory, c);
    FAIL() << "accepted a used ring outside memory";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("used ring"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vgen::virtqueue
