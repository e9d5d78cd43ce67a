#include <vgen/notify/mailbox.hpp>

#include <sys/mman.h>

#include <gtest/gtest.h>

#include <new>

#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/region.hpp>

#include "../shm/test_support.hpp"
#include "timing.hpp"

namespace vgen::notify {
namespace {

using namespace std::chrono_literals;
using test::Clock;

// Two registers (one per direction) at the start of a fresh shared-memory region.
struct Mailboxes {
  MailboxRegister to_child;
  MailboxRegister to_parent;
};

class MailboxNotifierTest : public ::testing::Test {
 protected:
  shm::Region region = shm::Region::create("vgen-mailbox-test", 4096);
  MailboxRegister* reg = new (region.data()) MailboxRegister{};
  MailboxNotifier notifier{reg};
};

TEST(MailboxRegisterTest, LayoutIsOneCacheLine) {
  EXPECT_EQ(sizeof(MailboxRegister), 64u);
  EXPECT_EQ(alignof(MailboxRegister), 64u);
  EXPECT_EQ(offsetof(MailboxRegister, doorbell), 0u);
  EXPECT_EQ(offsetof(MailboxRegister, sequence), 4u);
  EXPECT_EQ(sizeof(Mailboxes), 128u);
}

TEST_F(MailboxNotifierTest, SignalThenWait) {
  notifier.signal();
  EXPECT_EQ(reg->doorbell, 1u);
  EXPECT_EQ(reg->sequence, 1u);
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_EQ(reg->doorbell, 0u);
  EXPECT_EQ(notifier.signals_sent(), 1u);
}

TEST_F(MailboxNotifierTest, ZeroFilledRegisterHasNothingPending) {
  EXPECT_FALSE(notifier.wait(0ns));
  EXPECT_EQ(notifier.pollable_fd(), -1);
}

TEST_F(MailboxNotifierTest, WaitTimesOut) {
  const test::TimedWait result = test::timed_wait(notifier, 50ms);
  EXPECT_FALSE(result.signalled);
  EXPECT_GE(result.elapsed, 50ms);
  EXPECT_LT(result.elapsed, test::kPromptBound);
  EXPECT_FALSE(notifier.wait(-1ms));
}

TEST_F(MailboxNotifierTest, SignalsCoalesce) {
  notifier.signal();
  notifier.signal();
  notifier.signal();
  EXPECT_EQ(reg->sequence, 3u);
  EXPECT_EQ(notifier.signals_sent(), 3u);
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_FALSE(notifier.wait(10ms));
}

TEST_F(MailboxNotifierTest, WakesAWaiterInAnotherThread) {
  const test::TimedWait result = test::wake_from_other_thread(notifier, notifier);
  EXPECT_TRUE(result.signalled);
  EXPECT_LT(result.elapsed, test::kPromptBound);
}

// The waiter sleeps on one mapping of the memfd, the signaller rings through another at a
// different address: only a shared (non-private) futex connects the two.
TEST_F(MailboxNotifierTest, WakesAWaiterThroughASecondMappingOfTheSameMemory) {
  shm::Region second = shm::Region::map(::dup(region.fd()), region.size());
  ASSERT_NE(second.data(), region.data());
  MailboxNotifier other_side(reinterpret_cast<MailboxRegister*>(second.data()));
  const test::TimedWait result = test::wake_from_other_thread(notifier, other_side);
  EXPECT_TRUE(result.signalled);
  EXPECT_LT(result.elapsed, test::kPromptBound);
}

TEST_F(MailboxNotifierTest, ManySignalsFromAnotherThreadAreNeverLost) {
  // Every signal is followed by a wait for the reply, so a lost wakeup stalls for the long
  // timeout and fails the bound.
  shm::Region replies_region = shm::Region::create("vgen-mailbox-replies", 4096);
  MailboxNotifier replies(new (replies_region.data()) MailboxRegister{});
  constexpr int kRounds = 500;
  std::thread peer([&] {
    for (int round = 0; round < kRounds; ++round) {
      if (!notifier.wait(test::kLongTimeout)) return;
      replies.signal();
    }
  });
  const Clock::time_point start = Clock::now();
  int completed = 0;
  for (; completed < kRounds; ++completed) {
    notifier.signal();
    if (!replies.wait(test::kLongTimeout)) break;
  }
  peer.join();
  EXPECT_EQ(completed, kRounds);
  EXPECT_LT(Clock::now() - start, 2 * test::kPromptBound);
}

TEST(MailboxNotifierErrorsTest, RejectsNullAndMisalignedRegisters) {
  EXPECT_THROW(MailboxNotifier(nullptr), Error);
  alignas(64) std::byte storage[128] = {};
  MailboxNotifier aligned(reinterpret_cast<MailboxRegister*>(storage));  // accepted
  for (std::size_t offset : {4u, 32u}) {
    try {
      MailboxNotifier misaligned(reinterpret_cast<MailboxRegister*>(storage + offset));
      FAIL() << "accepted a register at offset " << offset;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("64-byte aligned (offset " + std::to_string(offset) + ")"),
                std::string::npos)
          << error.what();
    }
  }
}

// The registers live in a Region created before fork(); the child drops its inherited
// mapping and maps the memfd again from an fd passed over a socket, as an unrelated
// process would.
TEST(MailboxNotifierProcessTest, PingPongAcrossProcesses) {
  constexpr int kRounds = 50;
  test::SocketPair pair;
  shm::Region region = shm::Region::create("vgen-mailbox-process", 4096);
  auto* boxes = new (region.data()) Mailboxes{};
  const pid_t child = test::run_child([&] {
    ::munmap(region.data(), region.size());
    shm::ReceivedMessage message = shm::receive_with_fds(pair.fds[1], 1);
    if (message.fds.size() != 1) return 1;
    shm::Region mapped = shm::Region::map(message.fds[0], sizeof(Mailboxes));
    auto* own = reinterpret_cast<Mailboxes*>(mapped.data());
    MailboxNotifier inbox(&own->to_child);
    MailboxNotifier outbox(&own->to_parent);
    for (int round = 0; round < kRounds; ++round) {
      if (!inbox.wait(test::kLongTimeout)) return 2;
      outbox.signal();
    }
    return 0;
  });
  MailboxNotifier to_child(&boxes->to_child);
  MailboxNotifier to_parent(&boxes->to_parent);
  const std::byte tag{1};
  shm::send_with_fds(pair.fds[0], std::span(&tag, 1), std::vector<int>{region.fd()});
  const Clock::time_point start = Clock::now();
  for (int round = 0; round < kRounds; ++round) {
    to_child.signal();
    ASSERT_TRUE(to_parent.wait(test::kLongTimeout)) << "round " << round;
  }
  EXPECT_LT(Clock::now() - start, test::kPromptBound);
  EXPECT_EQ(test::wait_child(child), 0);
  EXPECT_EQ(boxes->to_child.sequence, static_cast<std::uint32_t>(kRounds));
  EXPECT_EQ(boxes->to_parent.sequence, static_cast<std::uint32_t>(kRounds));
}

}  // namespace
}  // namespace vgen::notify
