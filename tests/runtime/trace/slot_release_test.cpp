// The recorder's slots (runtime/trace/slot_pool.hpp) as its writer gives them back: a slot a
// dead process held is freed once, and not again under the process that claims it next.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "log_writer.hpp"
#include "slot_pool.hpp"
#include "temp_file.hpp"

namespace vgen::trace::detail {
namespace {

// Rounds after which a streaming writer has looked at least once for owners that are gone.
constexpr int kRoundsToLook = 512;

void drain_rounds(LogWriter& writer, SlotPool& pool) {
  for (int i = 0; i < kRoundsToLook; ++i) writer.drain(pool, 0);
}

// A forked child that ends without giving its slot back (killed, or _exit skipping its
// threads' destructors) leaves the slot active under its pid; the writer frees it. The next
// claimer takes the slot first and stores its pid after: a round in between must not take the
// dead owner's pid for the new one's and free the slot under it (two producers on one ring).
TEST(SlotRelease, ASlotFreedFromADeadOwnerStaysWithItsNextOwner) {
  testing::TempFile file;
  SlotPool pool(1, 4096);
  LogWriter writer(file.path(), "test", 1);
  Slot& slot = pool.slot(0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(pool.claim() == &slot ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(slot.state.load(), kActive);

  drain_rounds(writer, pool);
  ASSERT_EQ(slot.state.load(), kFree) << "the dead child's slot was not given back";

  // What claim() does first: the slot is taken, its pid not stored yet.
  std::uint32_t expected = kFree;
  ASSERT_TRUE(slot.state.compare_exchange_strong(expected, kActive));
  drain_rounds(writer, pool);
  EXPECT_EQ(slot.state.load(), kActive) << "the writer freed a slot its new owner holds";
}

}  // namespace
}  // namespace vgen::trace::detail
