// SIGTERM and SIGINT stop a serving back end while a StopOnSignals lives, and the handlers that
// were there before come back when it goes.
#include <signal.h>
#include <unistd.h>

#include <vgen/vhost_user/error.hpp>
#include <vgen/vhost_user/stop_on_signals.hpp>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {

// The handler SIGTERM and SIGINT have now.
void (*handler(int signal))(int) {
  struct sigaction current {};
  sigaction(signal, nullptr, &current);
  return current.sa_handler;
}

// A back end of its own, so the fixture's thread is not the one stopped.
struct Served {
  explicit Served(const std::string& path) : backend(device, path) {}
  EchoDevice device;
  vgen::vhost_user::Backend backend;
};

TEST_F(BackendTest, SigtermStopsTheBackEndAndTheOldHandlersReturn) {
  Served served(path + ".2");
  std::thread run;
  {
    vgen::vhost_user::StopOnSignals stop(served.backend);
    EXPECT_EQ(stop.received(), 0);
    run = std::thread([&] { served.backend.run(); });
    Session s(path + ".2", {1ull << 32});
    s.connect();
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    run.join();
    EXPECT_EQ(stop.received(), SIGTERM);
    EXPECT_EQ(served.backend.statistics().connections, 1u);
  }
  EXPECT_EQ(handler(SIGTERM), SIG_DFL);
  EXPECT_EQ(handler(SIGINT), SIG_DFL);
}

TEST_F(BackendTest, SigintStopsItToo) {
  Served served(path + ".2");
  const vgen::vhost_user::StopOnSignals stop(served.backend);
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  served.backend.run();  // returns at once: the stop came before
  EXPECT_EQ(stop.received(), SIGINT);
}

TEST_F(BackendTest, OneStopOnSignalsAtATime) {
  Served first(path + ".2");
  Served second(path + ".3");
  const vgen::vhost_user::StopOnSignals stop(first.backend);
  try {
    const vgen::vhost_user::StopOnSignals again(second.backend);
    FAIL() << "a second StopOnSignals was accepted";
  } catch (const vgen::vhost_user::Error& error) {
    EXPECT_EQ(error.code(), vgen::vhost_user::ErrorCode::OutOfOrder);
  }
  EXPECT_NE(handler(SIGTERM), SIG_DFL) << "the first one's handlers stay";
}

TEST_F(BackendTest, HandlersFoundAtConstructionAreRestored) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction before {};
  sigaction(SIGINT, &ignore, &before);
  {
    Served served(path + ".2");
    const vgen::vhost_user::StopOnSignals stop(served.backend);
    EXPECT_NE(handler(SIGINT), SIG_IGN);
  }
  EXPECT_EQ(handler(SIGINT), SIG_IGN);
  sigaction(SIGINT, &before, nullptr);
}

}  // namespace
}  // namespace vhost_test
