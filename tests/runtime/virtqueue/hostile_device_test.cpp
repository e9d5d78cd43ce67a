// The driver side facing a hostile device: bad used entries are rejected with an error
// naming the field and values, the queue stops, and no private state is corrupted.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture.hpp"

namespace vgen::virtqueue {
namespace {

using test::RingMemory;

class HostileDevice : public ::testing::Test {
 protected:
  HostileDevice() : m(8), driver(m.memory, m.config), ring(m.memory, 8, m.config.addresses) {
    const Buffer r[] = {m.buffer(8)};
    const Buffer w[] = {m.buffer(16), m.buffer(16)};
    head = *driver.add(r, w, 77);  // head 0, descriptors 0..2, 32 writable bytes
    driver.publish();
  }
  void used(std::uint32_t id, std::uint32_t len, std::uint16_t new_idx = 1) {
    ring.store_used_entry((new_idx - 1) & 7, {id, len});
    ring.store_used_idx(new_idx, std::memory_order_release);
  }
  void expect_rejected(ErrorCode code, const std::string& text) {
    try {
      driver.reclaim();
      FAIL() << "accepted; expected " << to_string(code);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
    EXPECT_TRUE(driver.broken());
    EXPECT_THROW(driver.reclaim(), Error);
    EXPECT_THROW(driver.publish(), Error);
  }

  RingMemory m;
  SplitDriverQueue driver;
  SplitRing ring;
  std::uint16_t head = 0;
};

TEST_F(HostileDevice, UsedIdOutOfRange) {
  used(8, 0);
  expect_rejected(ErrorCode::UsedIdOutOfRange, "id 8 >= queue size 8");
}

TEST_F(HostileDevice, UsedIdHuge) {
  used(0xffffffff, 0);
  expect_rejected(ErrorCode::UsedIdOutOfRange, "id 4294967295");
}

TEST_F(HostileDevice, UsedIdNotAHead) {
  used(1, 0);  // descriptor 1 belongs to the chain but is not its head
  expect_rejected(ErrorCode::UsedIdNotInFlight, "id 1 is not in flight");
}

TEST_F(HostileDevice, UsedIdReturnedTwice) {
  const Buffer r[] = {m.buffer(8)};
  ASSERT_EQ(driver.add(r, {}, 78), std::optional<std::uint16_t>(3));
  driver.publish();
  used(0, 4, 1);
  ASSERT_EQ(driver.reclaim()->token, 77u);
  used(0, 4, 2);
  expect_rejected(ErrorCode::UsedIdNotInFlight, "id 0 is not in flight");
  EXPECT_EQ(driver.free_descriptors(), 7u) << "the double return did not free anything twice";
}

// A chain added but not published is invisible to the device: it cannot have used it.
TEST_F(HostileDevice, UsedIdAddedButNotPublished) {
  const Buffer r[] = {m.buffer(8)};
  ASSERT_EQ(driver.add(r, {}, 78), std::optional<std::uint16_t>(3));
  used(3, 0);
  expect_rejected(ErrorCode::UsedIdNotPublished, "id 3 was added but is not published");
  EXPECT_EQ(driver.in_flight(), 2u) << "nothing was reclaimed";
}

// The same for a head the driver reclaimed and added again without publishing: the device
// repeats an old used entry for it.
TEST_F(HostileDevice, UsedIdReusedButNotPublishedAgain) {
  const Buffer r[] = {m.buffer(8)};
  ASSERT_EQ(driver.add(r, {}, 78), std::optional<std::uint16_t>(3));
  driver.publish();
  used(0, 4, 1);
  ASSERT_EQ(driver.reclaim()->token, 77u);
  const Buffer w[] = {m.buffer(8)};
  ASSERT_EQ(driver.add({}, w, 79), std::optional<std::uint16_t>(0)) << "the freed head is reused first";
  used(0, 4, 2);
  expect_rejected(ErrorCode::UsedIdNotPublished, "id 0 was added but is not published");
}

// Used idx may cover only published chains: an unpublished one does not count as in flight.
TEST_F(HostileDevice, UsedIndexCountsOnlyPublishedChains) {
  const Buffer r[] = {m.buffer(8)};
  ASSERT_EQ(driver.add(r, {}, 78), std::optional<std::uint16_t>(3));
  ring.store_used_entry(0, {0, 0});
  ring.store_used_entry(1, {3, 0});
  ring.store_used_idx(2, std::memory_order_release);
  expect_rejected(ErrorCode::UsedIndexJump, "used idx 2 is 2 ahead of the last reclaimed 0 but only 1 published");
}

// A head the device holds while 70,000 other chains pass is still published when it comes
// back (the bookkeeping does not wrap with the 16-bit ring indexes).
TEST_F(HostileDevice, HeadHeldAcrossIndexWrapIsStillPublished) {
  std::uint16_t used_idx = 0;
  const Buffer w[] = {m.buffer(8)};
  for (std::uint32_t i = 0; i < 70000; ++i) {
    const auto h = driver.add({}, w, 1000 + i);
    ASSERT_TRUE(h);
    driver.publish();
    ++used_idx;
    used(*h, 8, used_idx);
    const auto u = driver.reclaim();
    ASSERT_TRUE(u);
    ASSERT_EQ(u->token, 1000u + i);
  }
  ++used_idx;
  used(head, 32, used_idx);
  const auto u = driver.reclaim();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->token, 77u);
  EXPECT_EQ(driver.in_flight(), 0u);
}

// Records trace events and log lines.
struct Recorder : trace::TraceSink {
  void record(const trace::Event& e) noexcept override { events.push_back(e); }
  std::vector<trace::Event> of(trace::EventKind kind) const {
    std::vector<trace::Event> out;
    for (const trace::Event& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  std::vector<trace::Event> events;
  std::vector<std::string> lines;
};

// A device that reports the buffer's length for a chain it only read (§2.7.8 says len counts
// bytes written) does no harm: the driver takes 0, counts it, traces each case and logs once.
TEST_F(HostileDevice, UsedLengthOnAChainWithoutWritableBytesIsIgnored) {
  Recorder rec;
  driver.set_trace(&rec);
  driver.set_log([&rec](const std::string& line) { rec.lines.push_back(line); });
  const Buffer r[] = {m.buffer(507)};
  ASSERT_EQ(driver.add(r, {}, 78), std::optional<std::uint16_t>(3));
  driver.publish();
  used(3, 507, 1);
  auto u = driver.reclaim();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->token, 78u);
  EXPECT_EQ(u->length, 0u) << "nothing was written into a chain without writable bytes";
  EXPECT_FALSE(driver.broken());
  EXPECT_EQ(driver.ignored_used_lengths(), 1u);
  ASSERT_EQ(rec.lines.size(), 1u);
  EXPECT_EQ(rec.lines[0], "queue 0: used ring entry 0: len 507 for chain 3, which has no device-writable bytes, "
                          "taken as 0 (the device reports the buffer length, against VirtIO 1.2 §2.7.8); later "
                          "cases are only counted");
  // A second case is counted and traced, not logged again.
  ASSERT_EQ(driver.add(r, {}, 79), std::optional<std::uint16_t>(3));
  driver.publish();
  used(3, 0xffffffff, 2);
  u = driver.reclaim();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->length, 0u);
  EXPECT_EQ(driver.ignored_used_lengths(), 2u);
  EXPECT_EQ(rec.lines.size(), 1u);
  const auto ignored = rec.of(trace::EventKind::UsedLengthIgnored);
  ASSERT_EQ(ignored.size(), 2u);
  EXPECT_EQ(ignored[0].head, 3);
  EXPECT_EQ(ignored[0].a, 507u);
  EXPECT_EQ(ignored[1].a, 0xffffffffu);
  const auto reclaimed = rec.of(trace::EventKind::UsedReclaimed);
  ASSERT_EQ(reclaimed.size(), 2u);
  EXPECT_EQ(reclaimed[0].a, 0u) << "the reclaim event carries the length handed out";
  // A chain that has writable bytes is still held to them.
  used(0, 33, 3);
  expect_rejected(ErrorCode::UsedLengthTooLarge, "len 33 exceeds the 32 writable bytes of chain 0");
}

// A correct 0 on a read-only chain is not counted.
TEST_F(HostileDevice, ZeroUsedLengthOnAReadOnlyChainIsNotCounted) {
  const Buffer r[] = {m.buffer(8)};
  ASSERT_TRUE(driver.add(r, {}, 78));
  driver.publish();
  used(3, 0, 1);
  ASSERT_TRUE(driver.reclaim());
  EXPECT_EQ(driver.ignored_used_lengths(), 0u);
}

TEST_F(HostileDevice, UsedLengthLargerThanWritable) {
  used(0, 33);
  expect_rejected(ErrorCode::UsedLengthTooLarge, "len 33 exceeds the 32 writable bytes");
}

TEST_F(HostileDevice, UsedIndexJump) {
  ring.store_used_idx(5, std::memory_order_release);
  expect_rejected(ErrorCode::UsedIndexJump, "used idx 5 is 5 ahead");
}

// The contract of queue.hpp: once broken, every call that works the ring throws Broken and
// writes nothing to shared memory, the interrupt switch included.
TEST_F(HostileDevice, EveryRingCallOfABrokenQueueThrowsAndWritesNothing) {
  used(8, 0);
  EXPECT_THROW(driver.reclaim(), Error);
  ASSERT_TRUE(driver.broken());
  const std::uint16_t flags = ring.load_avail_flags();
  const std::uint16_t idx = ring.load_avail_idx(std::memory_order_relaxed);
  const auto expect_broken = [](const char* call, auto&& f) {
    try {
      f();
      ADD_FAILURE() << call << " worked on a broken queue";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Broken) << call << ": " << e.what();
    }
  };
  const Buffer w[] = {m.buffer(8)};
  expect_broken("add", [&] { driver.add({}, w, 1); });
  expect_broken("publish", [&] { driver.publish(); });
  expect_broken("publish_unchecked", [&] { driver.publish_unchecked(); });
  expect_broken("kick", [&] { driver.kick(); });
  expect_broken("reclaim", [&] { driver.reclaim(); });
  expect_broken("enable_interrupts", [&] { driver.enable_interrupts(); });
  expect_broken("disable_interrupts", [&] { driver.disable_interrupts(); });
  EXPECT_EQ(ring.load_avail_flags(), flags) << "a broken queue wrote the avail flags";
  EXPECT_EQ(ring.load_avail_idx(std::memory_order_relaxed), idx) << "a broken queue moved avail idx";
  // Recovery after the device reset still works: the chain in flight comes back.
  EXPECT_EQ(driver.detach_unused(), (std::vector<std::uint64_t>{77}));
}

TEST_F(HostileDevice, ExactWritableLengthIsAccepted) {
  used(0, 32);
  const auto u = driver.reclaim();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->length, 32u);
  EXPECT_FALSE(driver.broken());
}

}  // namespace
}  // namespace vgen::virtqueue
