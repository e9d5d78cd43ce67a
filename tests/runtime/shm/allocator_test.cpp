#include <vgen/shm/allocator.hpp>

#include <gtest/gtest.h>

#include <limits>

namespace vgen::shm {
namespace {

TEST(AllocatorTest, HandsOutAlignedNonOverlappingRanges) {
  Allocator allocator(0x1000, 0x1000);
  EXPECT_EQ(allocator.allocate(10), 0x1000u);
  EXPECT_EQ(allocator.allocate(4, 16), 0x1010u);    // 0x100a rounded up to 16
  EXPECT_EQ(allocator.allocate(8, 0x100), 0x1100u);  // 0x1014 rounded up to 256
  EXPECT_EQ(allocator.remaining(), 0x1000u - 0x108u);
}

TEST(AllocatorTest, ExactFitThenExhausted) {
  Allocator allocator(0x1000, 0x100);
  EXPECT_EQ(allocator.allocate(0x100, 1), 0x1000u);
  EXPECT_EQ(allocator.remaining(), 0u);
  try {
    allocator.allocate(1, 1);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::OutOfBounds);
  }
}

TEST(AllocatorTest, AlignmentPaddingCountsAgainstTheSpace) {
  Allocator allocator(0x1001, 0x20);
  // 0x1001 aligns to 0x1010, leaving 0x11 bytes.
  EXPECT_THROW(allocator.allocate(0x12, 16), Error);
  EXPECT_EQ(allocator.allocate(0x11, 16), 0x1010u);
}

TEST(AllocatorTest, BadAlignmentIsInvalid) {
  Allocator allocator(0, 0x1000);
  for (std::uint64_t align : {0ull, 3ull, 24ull}) {
    try {
      allocator.allocate(8, align);
      FAIL() << "no error for alignment " << align;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Invalid);
      EXPECT_NE(std::string(error.what()).find(std::to_string(align)), std::string::npos);
    }
  }
}

TEST(AllocatorTest, AlignmentNearTheTopOfTheAddressSpaceDoesNotWrap) {
  const std::uint64_t base = std::numeric_limits<std::uint64_t>::max() - 0xff;
  Allocator allocator(base, 0xf0);
  EXPECT_THROW(allocator.allocate(1, 0x1000), Error);  // aligning would wrap to 0
  EXPECT_EQ(allocator.allocate(0xf0, 1), base);
}

TEST(AllocatorTest, ResetStartsOver) {
  Allocator allocator(0x4000, 0x100);
  allocator.allocate(0x80);
  allocator.reset();
  EXPECT_EQ(allocator.remaining(), 0x100u);
  EXPECT_EQ(allocator.allocate(0x100), 0x4000u);
}

}  // namespace
}  // namespace vgen::shm

namespace vgen::shm {
namespace {

TEST(AllocatorTest, RangeThatWrapsIsRefused) {
  try {
    Allocator allocator(0xfffffffffffff000ull, 0x2000);
    FAIL() << "accepted a range past 2^64";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Overflow);
  }
}

}  // namespace
}  // namespace vgen::shm
