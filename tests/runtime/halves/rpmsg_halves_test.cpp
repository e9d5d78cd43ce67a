// The rpmsg halves over the rpmsg rings in one process: the host binds the announced
// channel, reaches each endpoint at its address, and both sides drop what is shorter than an
// endpoint's message type.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <vgen/halves/rpmsg_host.hpp>
#include <vgen/halves/rpmsg_remote.hpp>
#include <vgen/testing/rpmsg_harness.hpp>

namespace {

struct Reading {
  std::uint32_t value_ = 0;
  std::uint32_t scale_ = 0;
};

inline constexpr vgen::halves::EndpointSpec kEndpoints[] = {
    {.address = 1024, .message_bytes = sizeof(Reading)},
    {.address = 1100, .raw = true},
};
inline constexpr vgen::halves::RpmsgSpec kSpec{.name = "readings", .service = "readings", .endpoints = kEndpoints};

// The remote: answers a reading with the value doubled, echoes text.
class Remote : public vgen::halves::RpmsgRemote<kSpec> {
 public:
  using RpmsgRemote::RpmsgRemote;
  std::atomic<int> readings{0};
  using RpmsgRemote::send_bytes;

 protected:
  void on_endpoint_message(std::size_t index, std::span<const std::byte> payload, std::uint32_t source) override {
    if (index == 0) {
      Reading reading = vgen::wire::decode<Reading>(payload);
      reading.value_ *= 2;
      ++readings;
      send_bytes(0, source, vgen::wire::bytes_of(reading));
    } else {
      send_bytes(1, source, payload);
    }
  }
};

// The host: records what each endpoint sent back.
class Host : public vgen::halves::RpmsgHost<kSpec> {
 public:
  using RpmsgHost::RpmsgHost;
  using RpmsgHost::send_bytes;
  std::vector<std::uint32_t> values;
  std::vector<std::string> texts;
  int bound_calls = 0;

  // Polls the host's bus until `done()` or a few seconds passed.
  template <class Done>
  bool poll_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (bus().poll() == 0) bus().wait(std::chrono::milliseconds(10));
    }
    return done();
  }

 protected:
  void on_bound() override { ++bound_calls; }
  void on_endpoint_message(std::size_t index, std::span<const std::byte> payload) override {
    if (index == 0) values.push_back(vgen::wire::decode<Reading>(payload).value_);
    if (index == 1) texts.emplace_back(reinterpret_cast<const char*>(payload.data()), payload.size());
  }
};

using RpmsgPair = vgen::testing::RpmsgHarness<Host, Remote>;

TEST(RpmsgHalves, TheHostBindsAndReachesEveryEndpoint) {
  RpmsgPair pair;
  ASSERT_TRUE(pair.driver().poll_until([&] { return pair.driver().bound(); }));
  EXPECT_EQ(pair.driver().bound_calls, 1);
  EXPECT_TRUE(pair.driver().send_bytes(0, vgen::wire::bytes_of(Reading{21, 1})));
  const std::string text = "hello";
  EXPECT_TRUE(pair.driver().send_bytes(1, std::as_bytes(std::span(text))));
  ASSERT_TRUE(pair.driver().poll_until([&] { return pair.driver().values.size() == 1 && pair.driver().texts.size() == 1; }));
  EXPECT_EQ(pair.driver().values.front(), 42u);
  EXPECT_EQ(pair.driver().texts.front(), "hello");
  pair.link().stop();
  EXPECT_EQ(pair.driver().malformed(), 0u);
  EXPECT_EQ(pair.device().malformed(), 0u);
}

TEST(RpmsgHalves, ShortMessagesAreDroppedAndCounted) {
  RpmsgPair pair;
  ASSERT_TRUE(pair.driver().poll_until([&] { return pair.driver().bound(); }));
  const std::byte two[2] = {};
  EXPECT_TRUE(pair.driver().send_bytes(0, two));
  EXPECT_TRUE(pair.driver().send_bytes(0, vgen::wire::bytes_of(Reading{1, 1})));
  ASSERT_TRUE(pair.driver().poll_until([&] { return pair.driver().values.size() == 1; }));
  pair.link().stop();
  EXPECT_EQ(pair.device().malformed(), 1u);
  EXPECT_EQ(pair.device().readings.load(), 1);
}

TEST(RpmsgHalves, NothingIsSentBeforeTheChannelIsBound) {
  vgen::testing::RpmsgLink link(512);
  Host host(link.host_bus());
  EXPECT_FALSE(host.bound());
  EXPECT_FALSE(host.send_bytes(0, vgen::wire::bytes_of(Reading{})));
}

TEST(RpmsgHalves, TheSpecGivesTheLargestPayload) {
  static_assert(kSpec.max_payload() == 512 - 16);
  static_assert(vgen::halves::RpmsgSpec{.buffer_size = 64}.max_payload() == 48);
}

}  // namespace
