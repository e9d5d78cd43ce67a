// RingObserver against a ring driven by a driver and a device written only with
// <linux/virtio_ring.h> (linux_peer.c), and against rings a hostile side wrote by hand.
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "linux_peer.h"

namespace vgen::virtqueue {
namespace {

constexpr std::uint32_t kSize = 8;
constexpr std::uint64_t kAlign = 4096;
constexpr std::uint64_t kBuffers = 8192;
constexpr std::size_t kMemory = 16384;

// Memory at guest address 0.
struct Memory final : ObservedMemory {
  alignas(4096) std::byte bytes[kMemory] = {};
  std::size_t limit = kMemory;  // what can be read: a file may shrink under the observer
  bool read(std::uint64_t address, std::span<std::byte> out) override {
    if (address > limit || out.size() > limit - address) return false;
    std::memcpy(out.data(), bytes + address, out.size());
    return true;
  }
  void put(std::uint64_t address, const std::string& text) { std::memcpy(bytes + address, text.data(), text.size()); }
  template <class T>
  void store(std::uint64_t address, T value) {
    std::memcpy(bytes + address, &value, sizeof value);
  }
};

// What the observer reported: the fields, the descriptors and the payload bytes.
struct Seen {
  trace::EventKind kind;
  std::uint16_t head;
  std::uint32_t index;
  std::uint64_t a, b;
  std::vector<trace::BufferRef> buffers;
  std::string bytes;  // the bytes behind the buffers' host pointers, up to the event's limit
};

// Copies what a recorder with snap length `snap` would: never more than the observer's snap.
struct Sink final : trace::TraceSink {
  std::vector<Seen> seen;
  std::uint64_t snap = 256;
  void record(const trace::Event& e) noexcept override {
    Seen s{e.kind, e.head, e.index, e.a, e.b, {e.buffers.begin(), e.buffers.end()}, {}};
    const bool written = e.kind == trace::EventKind::UsedSeen;
    std::uint64_t limit = written ? e.a : ~std::uint64_t{0};
    std::uint64_t room = snap;
    for (const trace::BufferRef& buffer : e.buffers) {
      if (((buffer.flags & kDescWrite) != 0) != written || limit == 0 || room == 0) continue;
      if (buffer.host == nullptr) break;
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>({buffer.length, limit, room}));
      s.bytes.append(reinterpret_cast<const char*>(buffer.host), take);
      limit -= take;
      room -= take;
    }
    seen.push_back(std::move(s));
  }
};

struct RingObserverTest : ::testing::Test {
  RingObserverTest() {
    lp_driver_init(&driver, memory.bytes, kSize, kAlign, 0);
    lp_device_init(&device, memory.bytes, kSize, kAlign, 0);
    ring.size = kSize;
    ring.addresses = contiguous_layout(0, kSize, kAlign);
  }
  // One request through the C driver: "request N" out, 16 bytes in; returns the head.
  int add(unsigned n) {
    const std::uint64_t out = kBuffers + 64 * (n % kSize);
    const std::string text = "request " + std::to_string(n);
    memory.put(out, text);
    return lp_driver_add(&driver, out, static_cast<std::uint32_t>(text.size()), out + 32, 16);
  }
  // The C device answers the next chain with "reply N".
  void answer(unsigned n) {
    unsigned char descs[16 * 4];
    unsigned count = 0;
    const long head = lp_device_pop(&device, descs, 4, &count);
    ASSERT_GE(head, 0);
    std::uint64_t in = 0;
    std::memcpy(&in, descs + 16, sizeof in);  // the second descriptor's addr
    const std::string text = "reply " + std::to_string(n);
    memory.put(in, text);
    lp_device_push(&device, static_cast<std::uint16_t>(head), static_cast<std::uint32_t>(text.size()));
  }

  Memory memory;
  lp_driver driver;
  lp_device device;
  ObservedRing ring;
  Sink sink;
};

// What one poll sees shares a trace group, which the poll ends however it returns.
TEST_F(RingObserverTest, OnePollIsOneGroup) {
  struct GroupCounter final : trace::TraceSink {
    int grouped = 0, alone = 0, ends = 0;
    void record(const trace::Event&) noexcept override { ++alone; }
    void record_in_group(const trace::Event&) noexcept override { ++grouped; }
    void end_group() noexcept override { ++ends; }
  } counter;
  RingObserver observer(memory, counter, ring);
  ASSERT_GE(add(0), 0);
  ASSERT_GE(add(1), 0);
  EXPECT_EQ(observer.poll(), 2u);
  EXPECT_EQ(counter.grouped, 2);
  EXPECT_EQ(counter.ends, 1);
  answer(0);
  EXPECT_EQ(observer.poll(), 1u);
  EXPECT_EQ(counter.grouped, 3);
  EXPECT_EQ(counter.ends, 2);
  EXPECT_EQ(counter.alone, 0);
}

TEST_F(RingObserverTest, ReportsEachAvailAndUsedEntryWithItsBytes) {
  RingObserver observer(memory, sink, ring);
  EXPECT_EQ(observer.poll(), 0u);
  const int head = add(0);
  ASSERT_GE(head, 0);
  EXPECT_EQ(observer.poll(), 1u);
  ASSERT_EQ(sink.seen.size(), 1u);
  const Seen& avail = sink.seen[0];
  EXPECT_EQ(avail.kind, trace::EventKind::AvailSeen);
  EXPECT_EQ(avail.head, head);
  EXPECT_EQ(avail.index, 0u);
  EXPECT_EQ(avail.a, 9u) << "readable bytes";
  EXPECT_EQ(avail.b, 16u) << "writable bytes";
  ASSERT_EQ(avail.buffers.size(), 2u);
  EXPECT_EQ(avail.buffers[0].addr, kBuffers);
  EXPECT_EQ(avail.buffers[1].flags & kDescWrite, kDescWrite);
  EXPECT_EQ(avail.bytes, "request 0");

  answer(0);
  EXPECT_EQ(observer.poll(), 1u);
  ASSERT_EQ(sink.seen.size(), 2u);
  const Seen& used = sink.seen[1];
  EXPECT_EQ(used.kind, trace::EventKind::UsedSeen);
  EXPECT_EQ(used.head, head);
  EXPECT_EQ(used.index, 0u);
  EXPECT_EQ(used.a, 7u);
  ASSERT_EQ(used.buffers.size(), 1u) << "only the writable descriptors";
  EXPECT_EQ(used.bytes, "reply 0");
  EXPECT_EQ(observer.avail_seen(), 1u);
  EXPECT_EQ(observer.used_seen(), 1u);
  EXPECT_EQ(observer.missed(), 0u);
}

TEST_F(RingObserverTest, StartsAtTheCurrentIndexUnlessAskedForTheRingsContents) {
  add(0);
  answer(0);
  {
    RingObserver observer(memory, sink, ring);
    EXPECT_EQ(observer.poll(), 0u) << "entries published before attaching are not new";
  }
  ring.first_avail = 0;
  ring.first_used = 0;
  RingObserver observer(memory, sink, ring);
  EXPECT_EQ(observer.poll(), 2u);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[0].bytes, "request 0");
  EXPECT_EQ(sink.seen[1].bytes, "reply 0");
}

TEST_F(RingObserverTest, CountsWhatWasOverwrittenBetweenTwoPolls) {
  RingObserver observer(memory, sink, ring);
  for (unsigned n = 0; n < kSize + 4; ++n) {
    ASSERT_GE(add(n), 0);
    answer(n);
    std::uint32_t len = 0;
    ASSERT_GE(lp_driver_get_used(&driver, &len), 0);
  }
  EXPECT_EQ(observer.poll(), 2 * kSize);
  EXPECT_EQ(observer.missed(), 8u) << "4 avail and 4 used entries were overwritten";
  EXPECT_EQ(sink.seen.front().index, 4u) << "the oldest entry still in the ring";
  // Its head's descriptors were reused since for later requests: a bystander reads them as
  // they are now (the documented limit of polling).
  EXPECT_EQ(sink.seen.front().bytes, "request 11");
}

TEST_F(RingObserverTest, SnapLengthBoundsTheBytesRead) {
  ring.snap = 4;
  sink.snap = 4;  // the observer's snap must be at least the sink's
  RingObserver observer(memory, sink, ring);
  add(0);
  observer.poll();
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].a, 9u) << "the length still counts the whole buffer";
  EXPECT_EQ(sink.seen[0].bytes, "requ");
}

// A hostile side writes the rings by hand: heads out of range, loops, buffers and indirect
// tables outside the memory. The observer reports them without reading outside the memory.
struct HostileRing : RingObserverTest {
  std::uint64_t desc(unsigned i) const { return ring.addresses.desc + 16ull * i; }
  void descriptor(unsigned i, std::uint64_t addr, std::uint32_t len, std::uint16_t flags, std::uint16_t next) {
    memory.store(desc(i), addr);
    memory.store(desc(i) + 8, len);
    memory.store(desc(i) + 12, flags);
    memory.store(desc(i) + 14, next);
  }
  void publish(std::uint16_t position, std::uint16_t head) {
    memory.store(ring.addresses.avail + 4 + 2ull * (position % kSize), head);
    memory.store(ring.addresses.avail + 2, static_cast<std::uint16_t>(position + 1));
  }
};

TEST_F(HostileRing, HeadOutOfRangeIsReportedWithoutDescriptors) {
  RingObserver observer(memory, sink, ring);
  publish(0, 500);
  EXPECT_EQ(observer.poll(), 1u);
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].head, 500u);
  EXPECT_TRUE(sink.seen[0].buffers.empty());
}

TEST_F(HostileRing, ALoopEndsAfterAQueueSizeOfDescriptors) {
  RingObserver observer(memory, sink, ring);
  descriptor(0, kBuffers, 4, kDescNext, 1);
  descriptor(1, kBuffers, 4, kDescNext, 0);
  publish(0, 0);
  observer.poll();
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].buffers.size(), kSize);
}

TEST_F(HostileRing, BuffersOutsideTheMemoryCarryNoBytes) {
  RingObserver observer(memory, sink, ring);
  descriptor(0, kMemory - 2, 100, 0, 0);  // runs past the end
  publish(0, 0);
  descriptor(1, ~std::uint64_t{0} - 4, 100, 0, 0);  // wraps around
  publish(1, 1);
  EXPECT_EQ(observer.poll(), 2u);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[0].buffers.at(0).host, nullptr);
  EXPECT_EQ(sink.seen[0].a, 100u);
  EXPECT_EQ(sink.seen[1].buffers.at(0).host, nullptr);
}

TEST_F(HostileRing, IndirectTablesAreReadWithinTheirLengthAndTheMemory) {
  RingObserver observer(memory, sink, ring);
  // A table of 2 entries at kBuffers: the first chains to the second, which points back.
  memory.store(kBuffers, kBuffers + 512);
  memory.store(kBuffers + 8, std::uint32_t{3});
  memory.store(kBuffers + 12, kDescNext);
  memory.store(kBuffers + 14, std::uint16_t{1});
  memory.store(kBuffers + 16, kBuffers + 512);
  memory.store(kBuffers + 24, std::uint32_t{3});
  memory.store(kBuffers + 28, kDescNext);
  memory.store(kBuffers + 30, std::uint16_t{0});
  memory.put(kBuffers + 512, "abc");
  descriptor(0, kBuffers, 32, kDescIndirect, 0);
  publish(0, 0);
  descriptor(1, kMemory + 4096, 1 << 20, kDescIndirect, 0);  // a table outside the memory
  publish(1, 1);
  EXPECT_EQ(observer.poll(), 2u);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[0].buffers.size(), 2u) << "the loop in the table ends at its length";
  EXPECT_EQ(sink.seen[0].bytes, "abcabc");
  EXPECT_TRUE(sink.seen[1].buffers.empty());
}

TEST_F(HostileRing, AnIndirectDescriptorWithNextGoesOnInTheRingsTable) {
  RingObserver observer(memory, sink, ring);
  memory.store(kBuffers, kBuffers + 512);  // the table's one entry: 3 readable bytes
  memory.store(kBuffers + 8, std::uint32_t{3});
  memory.put(kBuffers + 512, "abc");
  descriptor(0, kBuffers, 16, kDescIndirect | kDescNext, 1);
  descriptor(1, kBuffers + 1024, 4, kDescWrite, 0);
  publish(0, 0);
  EXPECT_EQ(observer.poll(), 1u);
  ASSERT_EQ(sink.seen.size(), 1u);
  ASSERT_EQ(sink.seen[0].buffers.size(), 2u);
  EXPECT_EQ(sink.seen[0].buffers[1].addr, kBuffers + 1024);
  EXPECT_EQ(sink.seen[0].a, 3u);
  EXPECT_EQ(sink.seen[0].b, 4u);
  EXPECT_EQ(sink.seen[0].bytes, "abc");
}

TEST_F(HostileRing, AnIndirectTableMayBeLongerThanTheRing) {
  ring.on_broken_rule = OnBrokenRule::Stop;
  RingObserver observer(memory, sink, ring);
  constexpr unsigned kEntries = 3 * kSize;
  for (unsigned i = 0; i < kEntries; ++i) {
    memory.store(kBuffers + 16 * i, kBuffers + 4096 + i);
    memory.store(kBuffers + 16 * i + 8, std::uint32_t{1});
    memory.store(kBuffers + 16 * i + 12, i + 1 < kEntries ? kDescNext : std::uint16_t{0});
    memory.store(kBuffers + 16 * i + 14, static_cast<std::uint16_t>(i + 1));
  }
  descriptor(0, kBuffers, 16 * kEntries, kDescIndirect, 0);
  publish(0, 0);
  EXPECT_EQ(observer.poll(), 1u);
  EXPECT_FALSE(observer.broken()) << observer.error();
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].buffers.size(), kEntries);
}

TEST_F(HostileRing, AUsedEntryCarriesTheChainAsItWasMadeAvailable) {
  RingObserver observer(memory, sink, ring);
  descriptor(0, kBuffers, 4, kDescWrite, 0);
  publish(0, 0);
  EXPECT_EQ(observer.poll(), 1u);
  descriptor(0, kBuffers + 100, 4, kDescWrite, 0);  // rewritten before the used entry is seen
  memory.put(kBuffers, "used");
  memory.store(ring.addresses.used + 4, std::uint32_t{0});
  memory.store(ring.addresses.used + 8, std::uint32_t{4});
  memory.store(ring.addresses.used + 2, std::uint16_t{1});
  EXPECT_EQ(observer.poll(), 1u);
  ASSERT_EQ(sink.seen.size(), 2u);
  ASSERT_EQ(sink.seen[1].buffers.size(), 1u);
  EXPECT_EQ(sink.seen[1].buffers[0].addr, kBuffers);
  EXPECT_EQ(sink.seen[1].bytes, "used");
}

TEST_F(RingObserverTest, StartsAtTheGivenPositions) {
  add(0);
  answer(0);
  add(1);
  // A vhost-user back end told SET_VRING_BASE 1: the first chain was the previous back end's.
  ring.first_avail = 1;
  ring.first_used = 0;
  RingObserver observer(memory, sink, ring);
  EXPECT_EQ(observer.next_avail(), 1u);
  EXPECT_EQ(observer.avail_idx(), 2u);
  EXPECT_EQ(observer.used_idx(), 1u);
  EXPECT_EQ(observer.poll(), 2u);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[0].kind, trace::EventKind::AvailSeen);
  EXPECT_EQ(sink.seen[0].index, 1u);
  EXPECT_EQ(sink.seen[0].bytes, "request 1");
  EXPECT_EQ(sink.seen[1].kind, trace::EventKind::UsedSeen);
  EXPECT_EQ(sink.seen[1].bytes, "reply 0") << "a chain made available before: read from the table";
  EXPECT_EQ(observer.next_avail(), 2u);
  EXPECT_EQ(observer.next_used(), 1u);
  add(2);
  EXPECT_EQ(observer.read_avail_idx(), 3u);
}

// A ring that breaks a rule, watched by an observer that stops: one QueueBroken event with the
// rule's code, error() naming it, and nothing recorded after.
struct StoppedRing : HostileRing {
  StoppedRing() { ring.on_broken_rule = OnBrokenRule::Stop; }
  void expect_broken(RingObserver& observer, ObserverError code, const std::string& fragment) {
    const std::size_t before = sink.seen.size();
    observer.poll();
    ASSERT_FALSE(sink.seen.empty());
    const Seen& last = sink.seen.back();
    EXPECT_EQ(last.kind, trace::EventKind::QueueBroken);
    EXPECT_EQ(last.index, static_cast<std::uint32_t>(code));
    EXPECT_TRUE(observer.broken());
    EXPECT_NE(observer.error().find(fragment), std::string::npos) << observer.error();
    const std::size_t after = sink.seen.size();
    EXPECT_GT(after, before);
    publish(40, 0);
    EXPECT_EQ(observer.poll(), 0u);
    EXPECT_EQ(sink.seen.size(), after) << "a broken ring is not followed";
  }
};

TEST_F(StoppedRing, ALoop) {
  RingObserver observer(memory, sink, ring);
  descriptor(0, kBuffers, 4, kDescNext, 1);
  descriptor(1, kBuffers, 4, kDescNext, 0);
  publish(0, 0);
  expect_broken(observer, ObserverError::Loop, "chain at head 0 visits more than the 8 entries");
  EXPECT_EQ(sink.seen.size(), 1u) << "no AvailSeen for the looping chain";
}

TEST_F(StoppedRing, AHeadPastTheTable) {
  RingObserver observer(memory, sink, ring);
  publish(0, 500);
  expect_broken(observer, ObserverError::BadHead, "avail entry 0 names head 500 past the table of 8 entries");
}

TEST_F(StoppedRing, ANextPastTheTable) {
  RingObserver observer(memory, sink, ring);
  descriptor(0, kBuffers, 4, kDescNext, 9);
  publish(0, 0);
  expect_broken(observer, ObserverError::BadHead, "descriptor index 9 past the descriptor table");
}

TEST_F(StoppedRing, AnAvailIdxThatJumps) {
  RingObserver observer(memory, sink, ring);
  publish(kSize, 0);  // idx kSize + 1
  expect_broken(observer, ObserverError::AvailJump, "avail idx moved from 0 to 9, more than the ring's 8 entries");
}

TEST_F(StoppedRing, AUsedIdxThatJumps) {
  RingObserver observer(memory, sink, ring);
  memory.store(ring.addresses.used + 2, std::uint16_t{kSize + 1});
  expect_broken(observer, ObserverError::UsedJump, "used idx moved from 0 to 9");
}

TEST_F(StoppedRing, AUsedIdPastTheTable) {
  RingObserver observer(memory, sink, ring);
  memory.store(ring.addresses.used + 4, std::uint32_t{70000});
  memory.store(ring.addresses.used + 2, std::uint16_t{1});
  expect_broken(observer, ObserverError::BadHead, "used entry 0 names id 70000");
}

TEST_F(StoppedRing, BadIndirectTables) {
  const auto check = [&](std::uint64_t addr, std::uint32_t len, const std::string& fragment) {
    sink.seen.clear();
    RingObserver observer(memory, sink, ring);
    descriptor(0, addr, len, kDescIndirect, 0);
    publish(observer.next_avail(), 0);
    expect_broken(observer, ObserverError::BadIndirect, fragment);
    memory.store(ring.addresses.avail + 2, std::uint16_t{0});
  };
  check(kBuffers, 0, "is empty");
  check(kBuffers, 24, "not a multiple of 16 bytes");
  check(kMemory - 16, 32, "not in the observed memory");
  memory.store(kBuffers + 12, kDescIndirect);
  check(kBuffers, 16, "inside an indirect table");
}

TEST_F(StoppedRing, ARingThatCanNoLongerBeRead) {
  RingObserver observer(memory, sink, ring);
  memory.limit = 100;
  expect_broken(observer, ObserverError::Unmapped, "cannot read the avail idx at 0x82");
}

// A ring of the largest size whose every chain loops through the whole table: one poll reads
// at most 2^18 descriptors, the rest of the entries wait for the next.
TEST(RingObserverBudget, ALongPollIsSpreadOverSeveral) {
  struct Large final : ObservedMemory {
    std::vector<std::byte> bytes = std::vector<std::byte>(1 << 20);
    bool read(std::uint64_t address, std::span<std::byte> out) override {
      if (address > bytes.size() || out.size() > bytes.size() - address) return false;
      std::memcpy(out.data(), bytes.data() + address, out.size());
      return true;
    }
  } memory;
  ObservedRing ring;
  ring.size = kMaxQueueSize;
  ring.addresses = contiguous_layout(0, ring.size, 4096);
  for (std::uint32_t i = 0; i < ring.size; ++i) {
    const std::uint16_t flags = kDescNext;
    const auto next = static_cast<std::uint16_t>((i + 1) % ring.size);
    std::memcpy(memory.bytes.data() + 16 * i + 12, &flags, 2);
    std::memcpy(memory.bytes.data() + 16 * i + 14, &next, 2);
  }
  Sink sink;
  RingObserver observer(memory, sink, ring);
  const std::uint16_t published = 12;
  std::memcpy(memory.bytes.data() + ring.addresses.avail + 2, &published, 2);
  EXPECT_EQ(observer.poll(), 8u) << "8 chains of 32768 descriptors fill 2^18";
  ASSERT_EQ(sink.seen.size(), 8u);
  EXPECT_EQ(sink.seen[7].buffers.size(), kMaxQueueSize);
  EXPECT_EQ(observer.poll(), 4u);
  EXPECT_EQ(observer.next_avail(), published);
  EXPECT_EQ(observer.missed(), 0u);
}

TEST_F(RingObserverTest, ARingThatCanNoLongerBeReadStopsThePoll) {
  RingObserver observer(memory, sink, ring);
  add(0);
  EXPECT_EQ(observer.poll(), 1u);
  memory.limit = 100;  // the file was cut short: the avail ring is gone
  try {
    observer.poll();
    ADD_FAILURE() << "polled a ring that is gone";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
    EXPECT_NE(std::string(error.what()).find("cannot read the avail idx at 0x82"), std::string::npos) << error.what();
  }
  EXPECT_EQ(observer.avail_seen(), 1u);
}

TEST_F(RingObserverTest, RefusesRingsThatAreNotInTheMemory) {
  const auto refused = [&](ObservedRing bad, const std::string& expected) {
    try {
      RingObserver observer(memory, sink, bad);
      ADD_FAILURE() << "accepted; expected: " << expected;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  };
  ObservedRing bad = ring;
  bad.size = 6;
  refused(bad, "queue size 6 is not a power of two");
  bad = ring;
  bad.addresses.desc = 8;
  refused(bad, "the descriptor table at 0x8 (128 bytes for 8 entries) is not aligned to 16 bytes");
  bad = ring;
  bad.addresses.used = kMemory - 16;
  refused(bad, "the used ring at 0x3ff0 (70 bytes for 8 entries) does not fit in the observed memory");
  bad = ring;
  bad.addresses.avail = ~std::uint64_t{0} - 1;
  refused(bad, "does not fit in the observed memory");
}

}  // namespace
}  // namespace vgen::virtqueue
