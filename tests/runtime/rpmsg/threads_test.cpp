// Host and remote in different threads sharing the rings: blocking senders woken by the
// peer returning buffers, a Shared-mode bus with an interrupt thread and several sending
// threads, a file endpoint in an epoll loop, and the mailbox notifier as the interrupt line.
#include <sys/epoll.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/mailbox.hpp>
#include <vgen/rpmsg/endpoint_file.hpp>
#include <vgen/rpmsg/error.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Eventfd notifiers in both directions.
struct EventfdLines {
  notify::EventfdNotifier to_remote;  // kicks
  notify::EventfdNotifier to_host;    // interrupts
  rpmsg::Notifiers host() { return {&to_remote, &to_host}; }
  rpmsg::Notifiers remote() { return {&to_host, &to_remote}; }
};

/// Runs `bus` in its own thread: poll, then sleep on the notifier, until stopped.
class Runner {
 public:
  explicit Runner(Bus& bus) : thread_([this, &bus] {
    while (!stop_.load()) {
      bus.poll();
      bus.wait(20ms);
    }
  }) {}
  ~Runner() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(Threads, BlockingHostSenderWakesWhenTheRemoteReturnsBuffers) {
  EventfdLines lines;
  BusPair pair({}, {}, {}, lines.host(), lines.remote());
  std::atomic<int> at_remote{0};
  pair.remote->create_endpoint([&](auto&, auto, auto) { at_remote.fetch_add(1); }, 2000);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(host.try_send_to(2000, bytes("fill")));
  EXPECT_FALSE(host.try_send_to(2000, bytes("full")));

  std::unique_ptr<Runner> remote;
  std::thread late_start([&] {
    std::this_thread::sleep_for(100ms);
    remote = std::make_unique<Runner>(*pair.remote);
  });
  const Clock::time_point start = Clock::now();
  EXPECT_TRUE(host.send_to(2000, bytes("waited"), 20s));
  EXPECT_GE(Clock::now() - start, 90ms);
  EXPECT_LT(Clock::now() - start, 10s);
  late_start.join();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(host.send_to(2000, bytes("more"), 20s));
  while (at_remote.load() < 1257) std::this_thread::sleep_for(1ms);
  remote->stop();
  EXPECT_EQ(pair.host->statistics().send_timeouts, 0u);
}

TEST(Threads, BlockingRemoteSenderWakesWhenTheHostPolls) {
  EventfdLines lines;
  BusPair pair({}, {}, {}, lines.host(), lines.remote());
  std::atomic<int> at_host{0};
  pair.host->create_endpoint([&](auto&, auto, auto) { at_host.fetch_add(1); }, 3000);
  rpmsg::Endpoint& remote = pair.remote->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(remote.try_send_to(3000, bytes("fill")));
  std::unique_ptr<Runner> host;
  std::thread late_start([&] {
    std::this_thread::sleep_for(100ms);
    host = std::make_unique<Runner>(*pair.host);
  });
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(remote.send_to(3000, bytes("more"), 20s));
  late_start.join();
  while (at_host.load() < 2256) std::this_thread::sleep_for(1ms);
  host->stop();
}

TEST(Threads, BlockingSendTimesOutWhenThePeerNeverReturns) {
  EventfdLines lines;
  BusPair pair({}, {}, {}, lines.host(), lines.remote());
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(host.try_send_to(2000, bytes("fill")));
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(host.send_to(2000, bytes("never"), 100ms));
  EXPECT_GE(Clock::now() - start, 100ms);
  EXPECT_EQ(pair.host->statistics().send_timeouts, 1u);
}

TEST(Threads, SharedBusWithInterruptThreadAndManySenders) {
  EventfdLines lines;
  BusOptions shared;
  shared.threading = rpmsg::Threading::Shared;
  BusPair pair({}, shared, {}, lines.host(), lines.remote());
  // The remote echoes to the source, on its own thread.
  pair.remote->create_endpoint(
      [](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t source) {
        ASSERT_TRUE(self.send_to(source, payload, 20s));
      },
      2000);
  Runner remote(*pair.remote);
  pair.host->start_interrupt_thread();
  EXPECT_THROW(pair.host->wait(1ms), rpmsg::Error);
  EXPECT_THROW(pair.host->start_interrupt_thread(), rpmsg::Error);

  constexpr int kSenders = 4;
  constexpr int kMessages = 5000;
  std::atomic<int> replies[kSenders] = {};
  std::atomic<int> wrong{0};
  std::vector<rpmsg::Endpoint*> endpoints;
  for (int s = 0; s < kSenders; ++s) {
    endpoints.push_back(&pair.host->create_endpoint(
        [&, s](auto&, std::span<const std::byte> payload, auto) {
          if (text(payload) != "from " + std::to_string(s)) wrong.fetch_add(1);
          replies[s].fetch_add(1);
        }));
  }
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      const std::string message = "from " + std::to_string(s);
      for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(endpoints[s]->send_to(2000, bytes(message), 20s));
    });
  }
  for (std::thread& t : senders) t.join();
  const Clock::time_point deadline = Clock::now() + 20s;
  for (int s = 0; s < kSenders; ++s) {
    while (replies[s].load() < kMessages && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(replies[s].load(), kMessages) << "sender " << s;
  }
  EXPECT_EQ(wrong.load(), 0);
  pair.host->stop_interrupt_thread();
  remote.stop();
  EXPECT_EQ(pair.host->statistics().sent, std::uint64_t{kSenders} * kMessages);
  EXPECT_EQ(pair.host->statistics().send_timeouts, 0u);
}

TEST(Threads, SingleModeRefusesAnInterruptThread) {
  EventfdLines lines;
  BusPair pair({}, {}, {}, lines.host(), lines.remote());
  EXPECT_THROW(pair.host->start_interrupt_thread(), rpmsg::Error);
  BusOptions shared;
  shared.threading = rpmsg::Threading::Shared;
  BusPair polling({}, shared);
  EXPECT_THROW(polling.host->start_interrupt_thread(), rpmsg::Error) << "no notifier to wait on";
}

TEST(Threads, FileEndpointInAnEpollLoop) {
  EventfdLines lines;
  BusOptions shared;
  shared.threading = rpmsg::Threading::Shared;
  BusPair pair({}, shared, {}, lines.host(), lines.remote());
  pair.host->start_interrupt_thread();
  rpmsg::FileEndpoint file(*pair.host, 2000, rpmsg::kAnyAddress, 1024);
  std::atomic<int> echoed{0};
  pair.remote->create_endpoint(
      [&](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t source) {
        ASSERT_TRUE(self.send_to(source, payload, 20s));
        echoed.fetch_add(1);
      },
      2000);
  Runner remote(*pair.remote);

  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epoll, 0);
  epoll_event interest{};
  interest.events = EPOLLIN;
  ASSERT_EQ(::epoll_ctl(epoll, EPOLL_CTL_ADD, file.fd(), &interest), 0);
  constexpr int kMessages = 2000;
  int received = 0;
  int next = 0;
  while (received < kMessages) {
    while (next < kMessages && next - received < 64) {
      ASSERT_TRUE(file.write(bytes("n" + std::to_string(next)), 20s));
      ++next;
    }
    epoll_event ready{};
    ASSERT_EQ(::epoll_wait(epoll, &ready, 1, 20000), 1) << "no message within 20 s";
    while (auto m = file.receive()) {
      ASSERT_EQ(text(m->payload), "n" + std::to_string(received));
      ASSERT_EQ(m->source, 2000u);
      ++received;
    }
  }
  ::close(epoll);
  remote.stop();
  pair.host->stop_interrupt_thread();
  EXPECT_EQ(echoed.load(), kMessages);
}

TEST(Threads, MailboxNotifierAsTheInterCoreInterrupt) {
  // The doorbells live in the shared layout, as the mailbox registers of an AMP SoC would.
  BusPair probe;  // only to learn where the doorbells are
  notify::MailboxNotifier to_remote(probe.layout.remote_doorbell_in(probe.memory));
  notify::MailboxNotifier to_host(probe.layout.host_doorbell_in(probe.memory));
  probe.host = nullptr;
  probe.remote = nullptr;
  probe.remote_vrings = nullptr;
  probe.host_vrings = std::make_unique<rpmsg::HostVrings>(probe.memory, probe.layout,
                                                          rpmsg::Notifiers{&to_remote, &to_host});
  BusOptions host_options;
  host_options.log = probe.host_log.sink();
  probe.host = std::make_unique<Bus>(probe.host_vrings->link(), host_options);
  probe.remote_vrings = std::make_unique<rpmsg::RemoteVrings>(probe.memory, probe.layout,
                                                              rpmsg::Notifiers{&to_host, &to_remote});
  BusOptions remote_options;
  remote_options.log = probe.remote_log.sink();
  probe.remote = std::make_unique<Bus>(probe.remote_vrings->link(), remote_options);

  RecordingDriver driver({"amp-echo"});
  probe.host->register_driver(driver);
  probe.remote->create_channel("amp-echo",
                               [](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t) {
                                 ASSERT_TRUE(self.send(payload, 20s));
                               });
  Runner remote(*probe.remote);
  while (driver.channel() == nullptr) {
    probe.host->poll();
    probe.host->wait(20ms);
  }
  constexpr int kMessages = 20000;
  int sent = 0;
  while (driver.messages.size() < static_cast<std::size_t>(kMessages)) {
    while (sent < kMessages && sent - static_cast<int>(driver.messages.size()) < 32) {
      ASSERT_TRUE(driver.channel()->send(bytes("m" + std::to_string(sent)), 20s));
      ++sent;
    }
    if (probe.host->poll() == 0) probe.host->wait(20ms);
  }
  remote.stop();
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(driver.messages[i].payload, "m" + std::to_string(i));
  EXPECT_LT(to_host.signals_sent() + to_remote.signals_sent(), 2u * kMessages)
      << "notification suppression should save some signals";
}

}  // namespace
}  // namespace vgen::test
