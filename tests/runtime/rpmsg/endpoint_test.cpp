// Endpoints: creation and destruction at run time, the send variants, unknown destinations,
// payload limits, callbacks that fail or destroy their own endpoint, the file interface.
#include <poll.h>

#include <gtest/gtest.h>

#include <vgen/rpmsg/endpoint_file.hpp>
#include <vgen/rpmsg/error.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

using rpmsg::ErrorCode;
using rpmsg::kAnyAddress;

ErrorCode code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const rpmsg::Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no rpmsg::Error thrown";
  return ErrorCode::InvalidState;
}

TEST(Endpoint, DynamicAddressesStartAt1024AndReuseTheLowest) {
  BusPair pair;
  auto nothing = [](auto&, auto, auto) {};
  rpmsg::Endpoint& a = pair.host->create_endpoint(nothing);
  rpmsg::Endpoint& b = pair.host->create_endpoint(nothing);
  rpmsg::Endpoint& c = pair.host->create_endpoint(nothing);
  EXPECT_EQ(a.address(), 1024u);
  EXPECT_EQ(b.address(), 1025u);
  EXPECT_EQ(c.address(), 1026u);
  pair.host->destroy_endpoint(b);
  EXPECT_EQ(pair.host->find_endpoint(1025), nullptr);
  EXPECT_EQ(pair.host->create_endpoint(nothing).address(), 1025u);
  EXPECT_EQ(pair.host->create_endpoint(nothing).address(), 1027u);
  // An explicit address in the dynamic range is skipped by the allocator.
  pair.host->create_endpoint(nothing, 1028);
  EXPECT_EQ(pair.host->create_endpoint(nothing).address(), 1029u);
  EXPECT_EQ(pair.host->endpoint_count(), 7u);  // + the name service
}

TEST(Endpoint, AddressErrors) {
  BusPair pair;
  auto nothing = [](auto&, auto, auto) {};
  pair.host->create_endpoint(nothing, 5000);
  EXPECT_EQ(code_of([&] { pair.host->create_endpoint(nothing, 5000); }), ErrorCode::AddressInUse);
  EXPECT_EQ(code_of([&] { pair.host->create_endpoint(nothing, 100); }), ErrorCode::InvalidAddress);
  EXPECT_EQ(code_of([&] { pair.host->create_endpoint(nothing, rpmsg::kNameServiceAddress); }),
            ErrorCode::InvalidAddress);
  EXPECT_EQ(code_of([&] { pair.host->create_endpoint({}); }), ErrorCode::InvalidConfig);
}

TEST(Endpoint, AddressesAboveTheDirectTableWork) {
  BusPair pair;
  std::vector<Received> got;
  rpmsg::Endpoint& far = pair.host->create_endpoint(record_into(got), 0x12345678);
  EXPECT_EQ(pair.host->find_endpoint(0x12345678), &far);
  rpmsg::Endpoint& sender = pair.remote->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(sender.try_send_to(0x12345678, bytes("far away")));
  pair.pump();
  EXPECT_EQ(got, (std::vector<Received>{{sender.address(), "far away"}}));
  pair.host->destroy_endpoint(far);
  EXPECT_EQ(pair.host->find_endpoint(0x12345678), nullptr);
}

TEST(Endpoint, SendVariantsCarrySourceAndDestination) {
  BusPair pair;
  std::vector<Received> at_a, at_b;
  pair.remote->create_endpoint(record_into(at_a), 2000);
  pair.remote->create_endpoint(record_into(at_b), 2001);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  host.set_destination(2000);
  EXPECT_EQ(host.destination(), 2000u);
  ASSERT_TRUE(host.send(bytes("1")));
  ASSERT_TRUE(host.send(bytes("2"), std::chrono::milliseconds(5)));
  ASSERT_TRUE(host.try_send(bytes("3")));
  ASSERT_TRUE(host.send_to(2001, bytes("4")));
  ASSERT_TRUE(host.try_send_to(2001, bytes("5")));
  ASSERT_TRUE(host.send_offchannel(7777, 2000, bytes("6")));
  ASSERT_TRUE(host.try_send_offchannel(7778, 2001, bytes("7")));
  ASSERT_TRUE(host.send_to(2001, bytes("")));
  pair.pump();
  const std::uint32_t h = host.address();
  EXPECT_EQ(at_a, (std::vector<Received>{{h, "1"}, {h, "2"}, {h, "3"}, {7777, "6"}}));
  EXPECT_EQ(at_b, (std::vector<Received>{{h, "4"}, {h, "5"}, {7778, "7"}, {h, ""}}));
  EXPECT_EQ(pair.host->statistics().sent, 8u);
  EXPECT_EQ(pair.remote->statistics().received, 8u);
}

TEST(Endpoint, SendErrorsNameTheProblem) {
  BusPair pair;
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  const std::vector<std::byte> fits(496), too_big(497);
  EXPECT_EQ(pair.host->max_payload(), 496u);
  ASSERT_TRUE(host.try_send_to(2000, fits));
  try {
    (void)host.try_send_to(2000, too_big);
    ADD_FAILURE() << "497 bytes sent";
  } catch (const rpmsg::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PayloadTooLarge);
    EXPECT_NE(std::string(e.what()).find("payload of 497 bytes exceeds 496"), std::string::npos) << e.what();
  }
  EXPECT_EQ(code_of([&] { (void)host.try_send(bytes("x")); }), ErrorCode::NoDestination);
  EXPECT_EQ(code_of([&] { (void)host.try_send_to(kAnyAddress, bytes("x")); }), ErrorCode::NoDestination);
  EXPECT_EQ(code_of([&] { (void)host.try_send_offchannel(kAnyAddress, 2000, bytes("x")); }),
            ErrorCode::InvalidAddress);
  EXPECT_EQ(pair.host->statistics().sent, 1u);
}

TEST(Endpoint, BufferSizeIsConfigurable) {
  rpmsg::LayoutOptions big;
  big.buffer_size = 1024;
  big.queue_size = 16;
  BusPair pair(big);
  EXPECT_EQ(pair.host->max_payload(), 1008u);
  EXPECT_EQ(pair.remote->max_payload(), 1008u);
  std::vector<Received> got;
  pair.remote->create_endpoint(record_into(got), 3000);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  const std::string large(1008, 'q');
  ASSERT_TRUE(host.try_send_to(3000, bytes(large)));
  pair.pump();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, large);
}

TEST(Endpoint, UnknownDestinationIsDroppedCountedAndReportedToTheSender) {
  BusPair pair;
  std::vector<Received> got;
  pair.remote->create_endpoint(record_into(got), 2000);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(host.try_send_to(0x999, bytes("lost")));
  ASSERT_TRUE(host.try_send_to(2000, bytes("kept")));
  ASSERT_TRUE(host.try_send_to(0x998, bytes("lost too")));
  pair.pump();
  EXPECT_EQ(got, (std::vector<Received>{{host.address(), "kept"}}));
  // The receiving side.
  EXPECT_EQ(pair.remote->statistics().unknown_destination, 2u);
  EXPECT_EQ(pair.remote->statistics().received, 1u);
  EXPECT_TRUE(pair.remote_log.contains("dropped a 4-byte message from 0x400 to 0x999: no endpoint is bound there"))
      << pair.remote_log.all();
  // The sending side learns it from the remote's drop report.
  const rpmsg::Statistics host_stats = pair.host->statistics();
  EXPECT_EQ(host_stats.peer_unknown_destination, 2u);
  EXPECT_TRUE(pair.host_log.contains("the peer dropped")) << pair.host_log.all();
  EXPECT_TRUE(pair.host_log.contains("latest from 0x400 to 0x998")) << pair.host_log.all();
}

TEST(Endpoint, EndpointsComeAndGoWhileMessagesFlow) {
  BusPair pair;
  std::vector<Received> got;
  rpmsg::Endpoint& sender = pair.host->create_endpoint([](auto&, auto, auto) {});
  for (int round = 0; round < 50; ++round) {
    rpmsg::Endpoint& e = pair.remote->create_endpoint(record_into(got));
    const std::uint32_t address = e.address();
    ASSERT_TRUE(sender.try_send_to(address, bytes("in")));
    pair.pump();
    pair.remote->destroy_endpoint(e);
    ASSERT_TRUE(sender.try_send_to(address, bytes("out")));
    pair.pump();
  }
  EXPECT_EQ(got.size(), 50u);
  EXPECT_EQ(pair.remote->statistics().unknown_destination, 50u);
  EXPECT_EQ(pair.remote->endpoint_count(), 1u);
}

TEST(Endpoint, CallbackMayDestroyItsOwnEndpoint) {
  BusPair pair;
  int calls = 0;
  pair.remote->create_endpoint(
      [&](rpmsg::Endpoint& self, auto, auto) {
        ++calls;
        self.bus().destroy_endpoint(self);
      },
      2000);
  rpmsg::Endpoint& sender = pair.host->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(sender.try_send_to(2000, bytes("first")));
  ASSERT_TRUE(sender.try_send_to(2000, bytes("second")));
  pair.pump();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(pair.remote->statistics().unknown_destination, 1u);
}

TEST(Endpoint, FailingCallbackIsCountedAndOthersContinue) {
  BusPair pair;
  std::vector<Received> got;
  pair.remote->create_endpoint([](auto&, auto, auto) { throw std::runtime_error("boom"); }, 2000);
  pair.remote->create_endpoint(record_into(got), 2001);
  rpmsg::Endpoint& sender = pair.host->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(sender.try_send_to(2000, bytes("a")));
  ASSERT_TRUE(sender.try_send_to(2001, bytes("b")));
  pair.pump();
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(pair.remote->statistics().callback_failures, 1u);
  EXPECT_TRUE(pair.remote_log.contains("endpoint 0x7d0: callback failed on a message from 0x400: boom"))
      << pair.remote_log.all();
}

TEST(Endpoint, ReplyFromInsideCallback) {
  BusPair pair;
  pair.remote->create_endpoint(
      [](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t source) {
        ASSERT_TRUE(self.try_send_to(source, payload));
      },
      2000);
  std::vector<Received> replies;
  rpmsg::Endpoint& host = pair.host->create_endpoint(record_into(replies));
  // 256 transmit buffers: when they are all out, let both sides work and carry on.
  for (int i = 0; i < 1000; ++i) {
    const std::string message = "echo " + std::to_string(i);
    while (!host.try_send_to(2000, bytes(message))) ASSERT_GT(pair.pump(), 0u);
  }
  pair.pump();
  EXPECT_GT(pair.host->statistics().send_would_block, 0u);
  EXPECT_EQ(replies.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(replies[i].payload, "echo " + std::to_string(i));
}

TEST(Endpoint, PollHandlesAtMostTheBudget) {
  BusOptions small;
  small.poll_budget = 3;
  BusPair pair({}, {}, small);
  std::vector<Received> got;
  pair.remote->create_endpoint(record_into(got), 2000);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(host.try_send_to(2000, bytes("m")));
  EXPECT_EQ(pair.remote->poll(), 3u);
  EXPECT_EQ(pair.remote->handle_interrupt(), 7u);
  EXPECT_EQ(got.size(), 10u);
  BusOptions zero;
  zero.poll_budget = 0;
  EXPECT_THROW(Bus(pair.host_vrings->link(), zero), rpmsg::Error);
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(FileEndpoint, ReadableWhileMessagesWait) {
  BusPair pair;
  std::vector<Received> at_remote;
  rpmsg::Endpoint& remote = pair.remote->create_endpoint(record_into(at_remote), 2000);
  rpmsg::FileEndpoint file(*pair.host, 2000, rpmsg::kAnyAddress, 2);
  EXPECT_FALSE(readable(file.fd()));
  EXPECT_FALSE(file.receive());

  ASSERT_TRUE(remote.try_send_to(file.address(), bytes("one")));
  ASSERT_TRUE(remote.try_send_to(file.address(), bytes("two, longer")));
  ASSERT_TRUE(remote.try_send_to(file.address(), bytes("three")));  // over capacity
  pair.pump();
  EXPECT_TRUE(readable(file.fd()));
  EXPECT_EQ(file.pending(), 2u);
  EXPECT_EQ(file.overflowed(), 1u);

  const auto first = file.receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->source, 2000u);
  EXPECT_EQ(text(first->payload), "one");
  EXPECT_TRUE(readable(file.fd()));
  std::array<std::byte, 3> small{};
  std::uint32_t source = 0;
  EXPECT_EQ(file.read(small, &source), std::optional<std::size_t>(11));
  EXPECT_EQ(text(small), "two");
  EXPECT_EQ(source, 2000u);
  EXPECT_FALSE(readable(file.fd()));
  EXPECT_FALSE(file.read(small));

  ASSERT_TRUE(file.try_write(bytes("back")));
  ASSERT_TRUE(file.write(bytes("again"), std::chrono::seconds(1)));
  pair.pump();
  EXPECT_EQ(at_remote, (std::vector<Received>{{file.address(), "back"}, {file.address(), "again"}}));
}

TEST(FileEndpoint, DestructionUnbindsTheAddress) {
  BusPair pair;
  std::uint32_t address;
  {
    rpmsg::FileEndpoint file(*pair.host, 2000, 3000);
    address = file.address();
    EXPECT_NE(pair.host->find_endpoint(address), nullptr);
    EXPECT_THROW(rpmsg::FileEndpoint(*pair.host, 2000, 3000), rpmsg::Error);
  }
  EXPECT_EQ(pair.host->find_endpoint(address), nullptr);
  EXPECT_THROW(rpmsg::FileEndpoint(*pair.host, 2000, rpmsg::kAnyAddress, 0), rpmsg::Error);
}

}  // namespace
}  // namespace vgen::test
