// The driver's buffer slots: lent one at a time, named by number, given back once.
#include <vgen/halves/slot_pool.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

#include <vgen/testing/guest_ram.hpp>

namespace {

TEST(SlotPool, LendsEverySlotOnceAndTakesThemBack) {
  vgen::testing::GuestRam ram(1 << 16);
  vgen::halves::SlotPool pool(ram.allocator(), 3, 100);
  EXPECT_EQ(pool.count(), 3u);
  EXPECT_EQ(pool.free_count(), 3u);
  std::vector<std::uint32_t> lent;
  while (const auto number = pool.peek()) {
    lent.push_back(*number);
    pool.take();
  }
  EXPECT_EQ(lent, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(pool.address(1) - pool.address(0), 100u);
  EXPECT_EQ(pool.address(0) % 64, 0u);
  pool.give_back(1);
  EXPECT_EQ(pool.peek(), std::optional<std::uint32_t>(1));
}

TEST(SlotPool, RefusesNumbersItDidNotLend) {
  vgen::testing::GuestRam ram(1 << 16);
  vgen::halves::SlotPool pool(ram.allocator(), 2, 8);
  EXPECT_THROW(pool.give_back(0), std::out_of_range) << "not lent";
  pool.take();
  pool.give_back(0);
  EXPECT_THROW(pool.give_back(0), std::out_of_range) << "given back twice";
  EXPECT_THROW(pool.give_back(7), std::out_of_range);
  EXPECT_THROW(pool.bytes(ram.memory(), 2), std::out_of_range);
  EXPECT_EQ(pool.bytes(ram.memory(), 1).size(), 8u);
}

TEST(SlotPool, ResetFreesEverySlot) {
  vgen::testing::GuestRam ram(1 << 16);
  vgen::halves::SlotPool pool(ram.allocator(), 2, 8);
  pool.take();
  pool.take();
  EXPECT_FALSE(pool.peek().has_value());
  pool.reset();
  EXPECT_EQ(pool.free_count(), 2u);
}

}  // namespace
