// The recorder's writer (runtime/trace/log_writer.hpp) keeps the log in time order across its
// drains: a streaming drain leaves the entries of the last kSettleTimeNs in their buffers, since
// an older entry may still be published after the drain looked, and a flush writes everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "log_writer.hpp"
#include "slot_pool.hpp"
#include "temp_file.hpp"

namespace vgen::trace::detail {
namespace {

// Appends one 8-byte record to `slot`, stamped now.
void append_one(SlotPool& pool, Slot& slot) {
  ASSERT_TRUE(append(pool, slot, (static_cast<std::uint32_t>(Channel::Virtqueue) << 16), 8, 8,
                     [](std::byte* out) { std::fill(out, out + 8, std::byte{0}); }));
}

TEST(LogWriter, StreamingDrainLeavesTheNewestEntriesForTheNext) {
  testing::TempFile file;
  SlotPool pool(2, 4096);
  LogWriter writer(file.path(), "test", 2);
  Slot* older = pool.claim();
  Slot* newer = pool.claim();
  ASSERT_NE(older, nullptr);
  ASSERT_NE(newer, nullptr);
  append_one(pool, *older);
  std::this_thread::sleep_for(std::chrono::nanoseconds(2 * LogWriter::kSettleTimeNs));
  append_one(pool, *newer);

  writer.drain(pool, 0, false);
  EXPECT_EQ(writer.written(), 1u);  // the older entry; the newer one waits
  EXPECT_EQ(older->head.load(), older->tail.load());
  EXPECT_LT(newer->head.load(), newer->tail.load());

  writer.drain(pool, 0, true);  // a flush: everything
  EXPECT_EQ(writer.written(), 2u);
  EXPECT_EQ(newer->head.load(), newer->tail.load());
}

}  // namespace
}  // namespace vgen::trace::detail
