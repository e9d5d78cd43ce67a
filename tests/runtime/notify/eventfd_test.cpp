#include <vgen/notify/eventfd.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vgen/shm/fd_passing.hpp>

#include "../shm/test_support.hpp"
#include "timing.hpp"

namespace vgen::notify {
namespace {

using namespace std::chrono_literals;
using test::Clock;

bool readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

TEST(EventfdNotifierTest, SignalThenWait) {
  EventfdNotifier notifier;
  notifier.signal();
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_EQ(notifier.signals_sent(), 1u);
}

TEST(EventfdNotifierTest, WaitTimesOut) {
  EventfdNotifier notifier;
  const test::TimedWait result = test::timed_wait(notifier, 50ms);
  EXPECT_FALSE(result.signalled);
  EXPECT_GE(result.elapsed, 50ms);
  EXPECT_LT(result.elapsed, test::kPromptBound);
  EXPECT_FALSE(notifier.wait(0ns));
  EXPECT_FALSE(notifier.wait(-5ms));
}

TEST(EventfdNotifierTest, SignalsCoalesce) {
  EventfdNotifier notifier;
  notifier.signal();
  notifier.signal();
  notifier.signal();
  EXPECT_EQ(notifier.signals_sent(), 3u);
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_FALSE(notifier.wait(10ms));  // all three were consumed by the one wait
}

TEST(EventfdNotifierTest, WakesAWaiterInAnotherThread) {
  EventfdNotifier notifier;
  const test::TimedWait result = test::wake_from_other_thread(notifier, notifier);
  EXPECT_TRUE(result.signalled);
  EXPECT_LT(result.elapsed, test::kPromptBound);
}

TEST(EventfdNotifierTest, PollableFdIsReadableWhilePending) {
  EventfdNotifier notifier;
  ASSERT_EQ(notifier.pollable_fd(), notifier.fd());
  EXPECT_FALSE(readable(notifier.pollable_fd()));
  notifier.signal();
  EXPECT_TRUE(readable(notifier.pollable_fd()));
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_FALSE(readable(notifier.pollable_fd()));
}

TEST(EventfdNotifierTest, FdIsCloseOnExecAndNonBlocking) {
  EventfdNotifier notifier;
  EXPECT_NE(::fcntl(notifier.fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(notifier.fd(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(EventfdNotifierTest, AdoptedFdSharesTheCounterAndIsClosedOnDestruction) {
  EventfdNotifier original;
  const std::size_t before = test::count_open_fds();
  {
    EventfdNotifier adopted(::dup(original.fd()));
    original.signal();
    EXPECT_TRUE(adopted.wait(0ns));
    adopted.signal();
    EXPECT_TRUE(original.wait(0ns));
    EXPECT_EQ(test::count_open_fds(), before + 1);
  }
  EXPECT_EQ(test::count_open_fds(), before);
}

TEST(EventfdNotifierTest, AdoptingABlockingEventfdMakesItNonBlocking) {
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EventfdNotifier adopted(fd);
  EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_FALSE(adopted.wait(1ms));  // would block forever in read() otherwise
}

TEST(EventfdNotifierTest, AdoptingSomethingElseIsRejected) {
  EXPECT_THROW(EventfdNotifier(-1), Error);
  const std::size_t before = test::count_open_fds();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  try {
    EventfdNotifier adopted(pipe_fds[0]);
    FAIL() << "a pipe was adopted as an eventfd";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("not an eventfd"), std::string::npos) << error.what();
  }
  ::close(pipe_fds[1]);
  EXPECT_EQ(test::count_open_fds(), before) << "the rejected fd must be closed";
  const int closed = ::dup(0);
  ::close(closed);
  EXPECT_THROW(EventfdNotifier{closed}, Error);
}

// Parent and child ping-pong over two eventfds the child received through a socket.
TEST(EventfdNotifierProcessTest, PingPongAcrossProcesses) {
  constexpr int kRounds = 20;
  test::SocketPair pair;
  EventfdNotifier to_child;
  EventfdNotifier to_parent;
  const pid_t child = test::run_child([&] {
    shm::ReceivedMessage message = shm::receive_with_fds(pair.fds[1], 1);
    if (message.fds.size() != 2) return 1;
    EventfdNotifier inbox(message.fds[0]);
    EventfdNotifier outbox(message.fds[1]);
    for (int round = 0; round < kRounds; ++round) {
      if (!inbox.wait(test::kLongTimeout)) return 2;
      outbox.signal();
    }
    return 0;
  });
  const std::byte tag{1};
  shm::send_with_fds(pair.fds[0], std::span(&tag, 1), std::vector<int>{to_child.fd(), to_parent.fd()});
  const Clock::time_point start = Clock::now();
  for (int round = 0; round < kRounds; ++round) {
    to_child.signal();
    ASSERT_TRUE(to_parent.wait(test::kLongTimeout)) << "round " << round;
  }
  EXPECT_LT(Clock::now() - start, test::kPromptBound);
  EXPECT_EQ(test::wait_child(child), 0);
}

}  // namespace
}  // namespace vgen::notify
