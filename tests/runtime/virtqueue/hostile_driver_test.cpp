// The device side facing a hostile driver: every malformed ring entry is rejected with an
// error naming the field and values, and the queue stops (the device can then raise
// DEVICE_NEEDS_RESET). Nothing here may crash or touch memory outside the test area
// (the ASan build checks the latter).
#include <sys/mman.h>

#include <string>

#include <gtest/gtest.h>

#include "fixture.hpp"

namespace vgen::virtqueue {
namespace {

using test::RingMemory;

// Writes ring memory directly, as a driver that ignores the rules would.
class HostileDriver : public ::testing::Test {
 protected:
  explicit HostileDriver(RingFeatures features = {}) : m(8, features), ring(m.memory, 8, m.config.addresses) {
    buffer = m.buffer(64).addr;
  }
  void descriptor(std::uint16_t index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                  std::uint16_t next = 0) {
    ring.write_descriptor(index, {addr, len, flags, next});
  }
  void offer(std::uint16_t head) {
    const std::uint16_t idx = ring.load_avail_idx(std::memory_order_relaxed);
    ring.store_avail_entry(idx & 7, head);
    ring.store_avail_idx(static_cast<std::uint16_t>(idx + 1), std::memory_order_release);
  }
  // take() must fail with `code` and a message containing `text`; then the queue is broken.
  void expect_rejected(ErrorCode code, const std::string& text) {
    SplitDeviceQueue device(m.memory, m.config);
    DescriptorChain chain;
    try {
      device.take(chain);
      FAIL() << "accepted; expected " << to_string(code);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
    EXPECT_TRUE(device.broken());
    try {
      device.take(chain);
      FAIL() << "a broken queue kept working";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Broken);
    }
  }
  // Writes an indirect table of `entries` descriptors into test memory; returns its address.
  shm::GuestAddress table(std::initializer_list<Descriptor> entries) {
    const shm::GuestAddress at = m.allocator.allocate(16 * entries.size(), 16);
    std::size_t i = 0;
    for (const Descriptor& d : entries) m.memory.write_obj(at + 16 * i++, d);
    return at;
  }

  RingMemory m;
  SplitRing ring;
  shm::GuestAddress buffer = 0;
};

class HostileIndirectDriver : public HostileDriver {
 protected:
  HostileIndirectDriver() : HostileDriver({true, false}) {}
};

TEST_F(HostileDriver, HeadOutOfRange) {
  offer(8);
  expect_rejected(ErrorCode::HeadOutOfRange, "head 8 >= queue size 8");
}

TEST_F(HostileDriver, NextOutOfRange) {
  descriptor(0, buffer, 8, kDescNext, 200);
  offer(0);
  expect_rejected(ErrorCode::NextOutOfRange, "next 200 >= queue size 8");
}

TEST_F(HostileDriver, LoopInChain) {
  descriptor(0, buffer, 8, kDescNext, 1);
  descriptor(1, buffer, 8, kDescNext, 0);
  offer(0);
  expect_rejected(ErrorCode::ChainTooLong, "more than 8 descriptors");
}

TEST_F(HostileDriver, SelfLoop) {
  descriptor(3, buffer, 8, kDescNext, 3);
  offer(3);
  expect_rejected(ErrorCode::ChainTooLong, "chain 3");
}

TEST_F(HostileDriver, ReadableAfterWritable) {
  descriptor(0, buffer, 8, kDescWrite | kDescNext, 1);
  descriptor(1, buffer, 8, 0);
  offer(0);
  expect_rejected(ErrorCode::ReadableAfterWritable, "descriptor 1");
}

TEST_F(HostileDriver, BufferOutsideMemory) {
  descriptor(0, 0x10, 8, 0);
  offer(0);
  expect_rejected(ErrorCode::BufferOutOfMemory, "[0x10, +8)");
}

TEST_F(HostileDriver, BufferRunsOffTheEnd) {
  descriptor(0, RingMemory::kBase + RingMemory::kBytes - 4, 8, 0);
  offer(0);
  expect_rejected(ErrorCode::BufferOutOfMemory, "outside guest memory");
}

TEST_F(HostileDriver, BufferAddressOverflows) {
  descriptor(0, 0xfffffffffffffff0ull, 0x20, kDescWrite);
  offer(0);
  expect_rejected(ErrorCode::BufferOutOfMemory, "0xfffffffffffffff0");
}

TEST_F(HostileDriver, ChainLongerThan4GiB) {
  // Eight descriptors of 0x30000000 bytes each over the whole test memory would be outside it,
  // so point them all at a region that is large enough: use a 4 GiB sparse mapping.
  RingMemory big(8);
  const std::uint64_t huge = 0xC0000000ull;  // 3 GiB, reserved not touched
  void* area = mmap(nullptr, huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(area, MAP_FAILED);
  big.memory.add_borrowed(0x100000000ull, static_cast<std::byte*>(area), huge);
  SplitRing r(big.memory, 8, big.config.addresses);
  r.write_descriptor(0, {0x100000000ull, static_cast<std::uint32_t>(huge - 1), kDescNext, 1});
  r.write_descriptor(1, {0x100000000ull, static_cast<std::uint32_t>(huge - 1), 0, 0});
  r.store_avail_entry(0, 0);
  r.store_avail_idx(1, std::memory_order_release);
  SplitDeviceQueue device(big.memory, big.config);
  DescriptorChain chain;
  try {
    device.take(chain);
    ADD_FAILURE() << "accepted a chain of more than 2^32 bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ChainTooLarge) << e.what();
  }
  munmap(area, huge);
}

// Guest memory with a 2 GiB + 4 KiB area at 4 GiB that is reserved, never touched: descriptors
// may overlap, so two of them make chains of 2^32 bytes and more without any real memory.
struct HugeArea {
  static constexpr shm::GuestAddress kAt = 0x100000000ull;
  static constexpr std::uint64_t kBytes = (1ull << 31) + 4096;
  HugeArea() : m(8), ring(m.memory, 8, m.config.addresses) {
    area = mmap(nullptr, kBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (area != MAP_FAILED) m.memory.add_borrowed(kAt, static_cast<std::byte*>(area), kBytes);
  }
  ~HugeArea() {
    if (area != MAP_FAILED) munmap(area, kBytes);
  }
  // Offers a chain of two descriptors over the area with lengths `a` and `b`.
  void offer_pair(std::uint32_t a, std::uint32_t b, std::uint16_t flags) {
    ring.write_descriptor(0, {kAt, a, static_cast<std::uint16_t>(flags | kDescNext), 1});
    ring.write_descriptor(1, {kAt, b, flags, 0});
    const std::uint16_t idx = ring.load_avail_idx(std::memory_order_relaxed);
    ring.store_avail_entry(idx & 7, 0);
    ring.store_avail_idx(static_cast<std::uint16_t>(idx + 1), std::memory_order_release);
  }
  RingMemory m;
  SplitRing ring;
  void* area = MAP_FAILED;
};

// §2.7.5.2 allows a chain of exactly 2^32 bytes. All of it device-writable, the device cannot
// report it in the 32-bit used len: the length saturates at 2^32 - 1 (§2.7.8.2 lets a device
// write more than len) instead of wrapping to 0.
TEST(HugeChain, ExactlyFourGiBWritableIsTakenAndItsUsedLengthSaturates) {
  HugeArea h;
  ASSERT_NE(h.area, MAP_FAILED);
  h.offer_pair(0x80000000u, 0x80000000u, kDescWrite);
  SplitDeviceQueue device(h.m.memory, h.m.config);
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  EXPECT_EQ(chain.writable_bytes(), 1ull << 32);
  ChainWriter writer(chain);
  EXPECT_EQ(writer.skip(1ull << 32), 1ull << 32);
  EXPECT_EQ(writer.remaining(), 0u);
  EXPECT_EQ(writer.written(), 0xffffffffu) << "the used len wrapped";
}

TEST(HugeChain, ExactlyFourGiBReadableIsTaken) {
  HugeArea h;
  ASSERT_NE(h.area, MAP_FAILED);
  h.offer_pair(0x80000000u, 0x80000000u, 0);
  SplitDeviceQueue device(h.m.memory, h.m.config);
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  EXPECT_EQ(chain.readable_bytes(), 1ull << 32);
  EXPECT_EQ(ChainReader(chain).remaining(), 1ull << 32);
}

TEST(HugeChain, OneByteMoreIsRejectedNamingTheTotal) {
  HugeArea h;
  ASSERT_NE(h.area, MAP_FAILED);
  h.offer_pair(0x80000000u, 0x80000001u, kDescWrite);
  SplitDeviceQueue device(h.m.memory, h.m.config);
  DescriptorChain chain;
  try {
    device.take(chain);
    ADD_FAILURE() << "accepted a chain of 2^32 + 1 bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ChainTooLarge) << e.what();
    EXPECT_NE(std::string(e.what()).find("descriptor 1: chain 0 totals 4294967297 bytes, more than 2^32"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(device.broken());
}

TEST_F(HostileDriver, AvailIndexJump) {
  ring.store_avail_idx(9, std::memory_order_release);
  expect_rejected(ErrorCode::AvailIndexJump, "avail idx 9 is 9 ahead");
}

TEST_F(HostileDriver, IndirectWithoutNegotiation) {
  descriptor(0, table({{buffer, 8, 0, 0}}), 16, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::IndirectNotNegotiated, "VIRTIO_F_INDIRECT_DESC");
}

TEST_F(HostileIndirectDriver, IndirectWithNext) {
  descriptor(0, table({{buffer, 8, 0, 0}}), 16, kDescIndirect | kDescNext, 1);
  offer(0);
  expect_rejected(ErrorCode::IndirectWithNext, "INDIRECT together with NEXT");
}

TEST_F(HostileIndirectDriver, IndirectLengthNotMultipleOf16) {
  descriptor(0, table({{buffer, 8, 0, 0}, {buffer, 8, 0, 0}}), 24, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::IndirectBadSize, "len 24");
}

TEST_F(HostileIndirectDriver, IndirectLengthZero) {
  descriptor(0, buffer, 0, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::IndirectBadSize, "len 0");
}

TEST_F(HostileIndirectDriver, IndirectTableLargerThanQueue) {
  descriptor(0, buffer, 16 * 9, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::IndirectBadSize, "9 entries exceeds queue size 8");
}

TEST_F(HostileIndirectDriver, IndirectTableOutsideMemory) {
  descriptor(0, RingMemory::kBase + RingMemory::kBytes - 16, 32, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::IndirectOutOfMemory, "outside guest memory");
}

TEST_F(HostileIndirectDriver, NestedIndirect) {
  const shm::GuestAddress inner = table({{buffer, 8, 0, 0}});
  descriptor(0, table({{buffer, 8, kDescNext, 1}, {inner, 16, kDescIndirect, 0}}), 32, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::NestedIndirect, "indirect entry 1");
}

TEST_F(HostileIndirectDriver, LoopInsideIndirectTable) {
  descriptor(0, table({{buffer, 8, kDescNext, 1}, {buffer, 8, kDescNext, 0}}), 32, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::ChainTooLong, "indirect chain");
}

TEST_F(HostileIndirectDriver, NextOutsideIndirectTable) {
  descriptor(0, table({{buffer, 8, kDescNext, 5}}), 16, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::NextOutOfRange, "next 5 >= table entries 1");
}

TEST_F(HostileIndirectDriver, ReadableAfterWritableAcrossIntoIndirect) {
  descriptor(0, buffer, 8, kDescWrite | kDescNext, 1);
  descriptor(1, table({{buffer, 8, 0, 0}}), 16, kDescIndirect);
  offer(0);
  expect_rejected(ErrorCode::ReadableAfterWritable, "indirect entry 0");
}

// §2.7.5.3.2: direct descriptors followed by one indirect descriptor are valid, and the
// WRITE flag on the indirect descriptor itself is ignored.
TEST_F(HostileIndirectDriver, DirectThenIndirectIsAccepted) {
  descriptor(0, buffer, 4, kDescNext, 1);
  descriptor(1, table({{buffer + 8, 4, kDescNext, 1}, {buffer + 16, 8, kDescWrite, 0}}), 32,
             kDescIndirect | kDescWrite);
  offer(0);
  SplitDeviceQueue device(m.memory, m.config);
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  EXPECT_EQ(chain.readable_bytes(), 8u);
  EXPECT_EQ(chain.writable_bytes(), 8u);
  EXPECT_EQ(chain.descriptor_count(), 3u);
}

// The contract of queue.hpp: once broken, every call that works the ring throws Broken and
// writes nothing to shared memory, the notification switch included.
TEST_F(HostileDriver, EveryRingCallOfABrokenQueueThrowsAndWritesNothing) {
  offer(8);
  SplitDeviceQueue device(m.memory, m.config);
  DescriptorChain chain;
  EXPECT_THROW(device.take(chain), Error);
  ASSERT_TRUE(device.broken());
  const std::uint16_t flags = ring.load_used_flags();
  const std::uint16_t idx = ring.load_used_idx(std::memory_order_relaxed);
  const auto expect_broken = [](const char* call, auto&& f) {
    try {
      f();
      ADD_FAILURE() << call << " worked on a broken queue";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Broken) << call << ": " << e.what();
    }
  };
  expect_broken("take", [&] { device.take(chain); });
  expect_broken("put", [&] { device.put(0, 0); });
  expect_broken("publish", [&] { device.publish(); });
  expect_broken("publish_unchecked", [&] { device.publish_unchecked(); });
  expect_broken("notify", [&] { device.notify(); });
  expect_broken("available", [&] { device.available(); });
  expect_broken("enable_notifications", [&] { device.enable_notifications(); });
  expect_broken("disable_notifications", [&] { device.disable_notifications(); });
  EXPECT_EQ(ring.load_used_flags(), flags) << "a broken queue wrote the used flags";
  EXPECT_EQ(ring.load_used_idx(std::memory_order_relaxed), idx) << "a broken queue moved used idx";
}

// The chain is copied once: rewriting the table after take() changes nothing the device sees.
TEST_F(HostileDriver, RewritingDescriptorsAfterTakeHasNoEffect) {
  descriptor(0, buffer, 8, 0);
  offer(0);
  SplitDeviceQueue device(m.memory, m.config);
  DescriptorChain chain;
  ASSERT_TRUE(device.take(chain));
  descriptor(0, 0x10, 0xffffffff, kDescWrite);
  ASSERT_EQ(chain.readable().size(), 1u);
  EXPECT_EQ(chain.readable()[0].addr, buffer);
  EXPECT_EQ(chain.readable()[0].length, 8u);
  EXPECT_TRUE(chain.writable().empty());
}

}  // namespace
}  // namespace vgen::virtqueue
