#include <vgen/shm/memory.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>

namespace vgen::shm {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// Runs `body` and returns the code of the shm::Error it throws; fails the test otherwise.
template <class Body>
ErrorCode error_code_of(Body body) {
  try {
    body();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no shm::Error thrown";
  return ErrorCode::System;
}

class GuestMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory.add_borrowed(0x1000, first.data(), first.size());
    memory.add_borrowed(0x2000, second.data(), second.size());  // adjacent to the first
  }

  std::array<std::byte, 0x1000> first{};
  std::array<std::byte, 0x1000> second{};
  GuestMemory memory;
};

TEST_F(GuestMemoryTest, FindsAddressesInsideARegion) {
  EXPECT_EQ(memory.find(0x1000, 1), first.data());
  EXPECT_EQ(memory.find(0x1ff0, 0x10), first.data() + 0xff0);
  EXPECT_EQ(memory.find(0x2010, 4), second.data() + 0x10);
  EXPECT_EQ(memory.translate(0x2fff, 1), second.data() + 0xfff);
}

TEST_F(GuestMemoryTest, RejectsAddressesOutsideEveryRegion) {
  EXPECT_EQ(memory.find(0x0fff, 1), nullptr);
  EXPECT_EQ(memory.find(0x0fff, 2), nullptr);  // starts before the first region
  EXPECT_EQ(memory.find(0x3000, 1), nullptr);
  EXPECT_EQ(memory.find(0x2fff, 2), nullptr);  // runs past the end of the last region
  EXPECT_EQ(error_code_of([&] { memory.translate(0x3000, 1); }), ErrorCode::OutOfBounds);
}

TEST_F(GuestMemoryTest, ZeroLengthIsValidInsideAndAtTheEndOnly) {
  EXPECT_EQ(memory.find(0x1800, 0), first.data() + 0x800);
  EXPECT_NE(memory.find(0x3000, 0), nullptr);  // one past the end of the last region
  EXPECT_EQ(memory.find(0x3001, 0), nullptr);
  EXPECT_EQ(memory.find(0x0fff, 0), nullptr);
}

TEST_F(GuestMemoryTest, AccessSpanningTwoAdjacentRegionsIsRejected) {
  // The two host buffers are not contiguous, so such an access would run off the first one.
  EXPECT_EQ(memory.find(0x1ff0, 0x20), nullptr);
  EXPECT_EQ(memory.find(0x1000, 0x2000), nullptr);
  EXPECT_EQ(error_code_of([&] { memory.translate(0x1fff, 2); }), ErrorCode::OutOfBounds);
  std::array<std::byte, 0x20> buffer{};
  EXPECT_THROW(memory.read(0x1ff0, buffer), Error);
}

TEST_F(GuestMemoryTest, AddressPlusLengthOverflowIsRejected) {
  EXPECT_EQ(memory.find(0x1000, kMax), nullptr);
  EXPECT_EQ(memory.find(0x1800, kMax - 0x7ff), nullptr);  // addr + len wraps to 0
  EXPECT_EQ(error_code_of([&] { memory.translate(0x1800, kMax - 0x7ff); }), ErrorCode::Overflow);
  EXPECT_EQ(error_code_of([&] { memory.translate(kMax, 2); }), ErrorCode::Overflow);
}

TEST_F(GuestMemoryTest, TranslateErrorNamesTheAccess) {
  try {
    memory.translate(0x2ff8, 0x10);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("0x2ff8"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("0x3008"), std::string::npos) << error.what();
  }
}

TEST_F(GuestMemoryTest, OverlappingRegionIsRejectedAndTableUnchanged) {
  std::array<std::byte, 0x100> extra{};
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x1f80, extra.data(), extra.size()); }), ErrorCode::Overlap);
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x0f80, extra.data(), extra.size()); }), ErrorCode::Overlap);
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x1800, extra.data(), extra.size()); }), ErrorCode::Overlap);
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x0000, extra.data(), 0x10000); }), ErrorCode::Overlap);
  EXPECT_EQ(memory.regions().size(), 2u);
  // Touching but not overlapping is fine.
  memory.add_borrowed(0x0f00, extra.data(), extra.size());
  EXPECT_EQ(memory.regions().size(), 3u);
}

TEST_F(GuestMemoryTest, BadRegionsAreRejected) {
  std::array<std::byte, 0x10> extra{};
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x8000, extra.data(), 0); }), ErrorCode::Invalid);
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(0x8000, nullptr, 0x10); }), ErrorCode::Invalid);
  EXPECT_EQ(error_code_of([&] { memory.add_borrowed(kMax - 0x7, extra.data(), 0x10); }), ErrorCode::Overflow);
  EXPECT_EQ(error_code_of([&] { memory.add(0x8000, nullptr); }), ErrorCode::Invalid);
  EXPECT_EQ(memory.regions().size(), 2u);
}

TEST_F(GuestMemoryTest, RegionsAreSortedAndBorrowedHaveNoOwner) {
  std::array<std::byte, 0x10> extra{};
  memory.add_borrowed(0x100, extra.data(), extra.size());
  ASSERT_EQ(memory.regions().size(), 3u);
  EXPECT_EQ(memory.regions()[0].base, 0x100u);
  EXPECT_EQ(memory.regions()[1].base, 0x1000u);
  EXPECT_EQ(memory.regions()[2].base, 0x2000u);
  for (const MemoryRegion& region : memory.regions()) EXPECT_EQ(region.owner, nullptr);
}

TEST_F(GuestMemoryTest, ReadAndWriteRoundTrip) {
  const std::array<std::byte, 3> in{std::byte{1}, std::byte{2}, std::byte{3}};
  memory.write(0x2100, in);
  EXPECT_EQ(second[0x100], std::byte{1});
  EXPECT_EQ(second[0x102], std::byte{3});
  std::array<std::byte, 3> out{};
  memory.read(0x2100, out);
  EXPECT_EQ(out, in);

  memory.write_obj<std::uint32_t>(0x1ffc, 0xdeadbeef);
  EXPECT_EQ(memory.read_obj<std::uint32_t>(0x1ffc), 0xdeadbeefu);
  EXPECT_THROW(memory.write_obj<std::uint32_t>(0x1ffe, 1), Error);
  EXPECT_THROW((void)memory.read_obj<std::uint64_t>(0x2ffc), Error);
}

TEST_F(GuestMemoryTest, FailedWriteChangesNothing) {
  const std::array<std::byte, 4> in{std::byte{9}, std::byte{9}, std::byte{9}, std::byte{9}};
  EXPECT_THROW(memory.write(0x2ffe, in), Error);
  EXPECT_EQ(second[0xffe], std::byte{0});
  EXPECT_EQ(second[0xfff], std::byte{0});
}

TEST(GuestMemoryOwnedTest, OwnedRegionKeepsMappingAlive) {
  GuestMemory memory;
  std::byte* host = nullptr;
  {
    auto region = std::make_shared<Region>(Region::create("owned", 4096));
    host = region->data();
    memory.add(0x10000, region);
  }
  ASSERT_EQ(memory.regions().size(), 1u);
  EXPECT_NE(memory.regions()[0].owner, nullptr);
  EXPECT_EQ(memory.regions()[0].size, 4096u);
  EXPECT_EQ(memory.find(0x10000, 4096), host);
  memory.write_obj<std::uint64_t>(0x10ff8, 42);  // the mapping is still there
  EXPECT_EQ(memory.read_obj<std::uint64_t>(0x10ff8), 42u);
}

}  // namespace
}  // namespace vgen::shm
