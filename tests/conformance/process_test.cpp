// The harness's children are ended gently: SIGTERM, and SIGKILL only when the child has not
// exited after the grace. A child that handles SIGTERM (a program with its own --trace
// recorder writing its log out) finishes; one that ignores it is killed; one that ends at once
// costs no waiting.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <vgen/conform/process.hpp>
#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/recorder.hpp>

namespace vgen::conform {
namespace {

using Clock = std::chrono::steady_clock;

// A pipe whose read end tells the parent when the child got somewhere.
struct Pipe {
  int ends[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(ends), 0); }
  ~Pipe() {
    ::close(ends[0]);
    ::close(ends[1]);
  }
  void say(char c) const { (void)!::write(ends[1], &c, 1); }
  char hear() const {
    char c = 0;
    return ::read(ends[0], &c, 1) == 1 ? c : '\0';
  }
};

Pipe* g_pipe = nullptr;  // what the child's SIGTERM handler writes to

// Forks a child that runs `body` once it has said 'r' (ready), then waits for signals.
ChildProcess ready_child(const Pipe& pipe, void (*body)()) {
  ChildProcess child = ChildProcess::fork([&] {
    body();
    pipe.say('r');
    for (;;) ::pause();
    return 0;
  });
  EXPECT_EQ(pipe.hear(), 'r');
  return child;
}

TEST(ChildProcessEnd, AChildHandlingTermFinishesBeforeItIsReaped) {
  Pipe pipe;
  g_pipe = &pipe;
  ChildProcess child = ready_child(pipe, [] {
    ::signal(SIGTERM, [](int) {
      g_pipe->say('t');
      ::_exit(7);
    });
  });
  child.kill();
  ASSERT_TRUE(child.status());
  ASSERT_TRUE(WIFEXITED(*child.status())) << describe_exit(*child.status());
  EXPECT_EQ(WEXITSTATUS(*child.status()), 7);
  EXPECT_EQ(pipe.hear(), 't');
}

TEST(ChildProcessEnd, AChildEndingOnTermCostsNoGrace) {
  Pipe pipe;
  ChildProcess child = ready_child(pipe, [] {});
  const auto start = Clock::now();
  child.kill();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(250));
  ASSERT_TRUE(child.status());
  ASSERT_TRUE(WIFSIGNALED(*child.status()));
  EXPECT_EQ(WTERMSIG(*child.status()), SIGTERM);
}

TEST(ChildProcessEnd, AChildIgnoringTermIsKilledAfterTheGrace) {
  Pipe pipe;
  ChildProcess child = ready_child(pipe, [] { ::signal(SIGTERM, SIG_IGN); });
  const pid_t pid = child.pid();
  const auto start = Clock::now();
  const int status = end_child(pid, std::chrono::milliseconds(100));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_FALSE(child.running());  // reaped by end_child already
}

// A process group: the leader and a child of its own, both handling SIGTERM; end_group()
// lets both finish.
TEST(ChildProcessEnd, AGroupIsEndedGently) {
  Pipe pipe;
  g_pipe = &pipe;
  std::fflush(nullptr);
  const pid_t leader = ::fork();
  ASSERT_GE(leader, 0);
  if (leader == 0) {
    ::setpgid(0, 0);
    ::signal(SIGTERM, [](int) {
      g_pipe->say('t');
      ::_exit(3);
    });
    if (::fork() == 0) {
      pipe.say('r');
      for (;;) ::pause();
    }
    pipe.say('r');
    for (;;) ::pause();
  }
  ::setpgid(leader, leader);
  ASSERT_EQ(pipe.hear(), 'r');
  ASSERT_EQ(pipe.hear(), 'r');
  const auto start = Clock::now();
  const int status = end_group(leader);
  // Both end at once; the grandchild, a zombie until init reaps it, holds nothing up.
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(400));
  ASSERT_TRUE(WIFEXITED(status)) << describe_exit(status);
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(pipe.hear(), 't');
  EXPECT_EQ(pipe.hear(), 't');
}

// What the gentle end is for: a child with its own `--trace` recorder (here a flight recorder,
// which writes its log only when flushed or at the end) is stopped by the harness and its log
// holds its records.
TEST(ChildProcessEnd, AChildsOwnRecorderWritesItsLogOut) {
  char folder[] = "/tmp/vgen-conform-test-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  static std::string log;
  log = std::string(folder) + "/child.pcapng";
  Pipe pipe;
  ChildProcess child = ready_child(pipe, [] {
    ::setenv(trace::kModeVariable, "flight", 1);
    static std::unique_ptr<trace::TraceSink> recorder = trace::open_recorder(log);
    for (std::uint32_t i = 0; i < 3; ++i) recorder->record({trace::EventKind::NotifySent, 0, 0, i});
  });
  child.kill();
  ASSERT_TRUE(child.status());
  EXPECT_TRUE(WIFSIGNALED(*child.status()) && WTERMSIG(*child.status()) == SIGTERM) << describe_exit(*child.status());
  std::size_t records = 0;
  trace::LogReader reader(log);
  while (reader.next() != nullptr) ++records;
  EXPECT_EQ(records, 3u);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace vgen::conform
