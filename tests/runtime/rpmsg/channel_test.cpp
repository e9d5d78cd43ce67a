// Channels: announcements create them on the other side and probe a matching driver;
// destroy announcements tear them down; drivers come and go; bad announcements are refused.
#include <array>

#include <gtest/gtest.h>

#include <vgen/rpmsg/error.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

using rpmsg::ChannelOrigin;
using rpmsg::ErrorCode;
using rpmsg::kAnyAddress;

TEST(Channel, AnnouncementCreatesChannelAndProbesDriver) {
  BusPair pair;
  RecordingDriver driver({"rpmsg-echo"});
  pair.host->register_driver(driver);
  std::vector<Received> at_remote;
  rpmsg::Channel& local = pair.remote->create_channel("rpmsg-echo", record_into(at_remote));
  EXPECT_EQ(local.source(), 1024u);
  EXPECT_EQ(local.destination(), kAnyAddress);
  EXPECT_TRUE(local.announced());
  pair.pump();

  ASSERT_EQ(driver.probed, std::vector<std::string>{"rpmsg-echo"});
  rpmsg::Channel* channel = driver.channel();
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->origin(), ChannelOrigin::Peer);
  EXPECT_EQ(channel->destination(), 1024u);
  EXPECT_EQ(channel->source(), 1024u) << "the host's first dynamic address";
  EXPECT_EQ(channel->driver(), &driver);
  EXPECT_EQ(pair.host->find_channel("rpmsg-echo"), channel);

  ASSERT_TRUE(channel->try_send(bytes("hello")));
  pair.pump();
  EXPECT_EQ(at_remote, (std::vector<Received>{{1024, "hello"}}));
  EXPECT_EQ(local.destination(), 1024u) << "a local channel learns its peer from the first message";
  ASSERT_TRUE(local.try_send(bytes("world")));
  pair.pump();
  EXPECT_EQ(driver.messages, (std::vector<Received>{{1024, "world"}}));
}

TEST(Channel, DestroyAnnouncementRemovesChannelAndCallsRemove) {
  BusPair pair;
  RecordingDriver driver({"svc"});
  pair.host->register_driver(driver);
  rpmsg::Channel& local = pair.remote->create_channel("svc", [](auto&, auto, auto) {});
  pair.pump();
  ASSERT_EQ(pair.host->channels().size(), 1u);
  EXPECT_EQ(pair.host->endpoint_count(), 2u) << "name service + the channel's endpoint";

  pair.remote->destroy_channel(local);
  EXPECT_EQ(pair.remote->channels().size(), 0u);
  EXPECT_EQ(pair.remote->endpoint_count(), 1u);
  pair.pump();
  EXPECT_EQ(driver.removed, std::vector<std::string>{"svc"});
  EXPECT_EQ(driver.channel(), nullptr);
  EXPECT_TRUE(pair.host->channels().empty());
  EXPECT_EQ(pair.host->endpoint_count(), 1u);
  EXPECT_TRUE(pair.host_log.contains("destroyed by the peer")) << pair.host_log.all();
}

TEST(Channel, DriverRegisteredLaterIsProbedAndUnregisterCallsRemove) {
  BusPair pair;
  pair.remote->create_channel("late", [](auto&, auto, auto) {});
  pair.pump();
  rpmsg::Channel* channel = pair.host->find_channel("late");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->driver(), nullptr);
  EXPECT_EQ(channel->endpoint(), nullptr);
  EXPECT_THROW((void)channel->try_send(bytes("x")), rpmsg::Error);

  RecordingDriver other({"unrelated"});
  RecordingDriver driver({"early", "late"});
  pair.host->register_driver(other);
  pair.host->register_driver(driver);
  EXPECT_TRUE(other.probed.empty());
  EXPECT_EQ(driver.probed, std::vector<std::string>{"late"});
  EXPECT_NE(channel->endpoint(), nullptr);

  pair.host->unregister_driver(driver);
  EXPECT_EQ(driver.removed, std::vector<std::string>{"late"});
  EXPECT_EQ(channel->driver(), nullptr);
  EXPECT_EQ(pair.host->channels().size(), 1u) << "the channel stays, unbound";
  pair.host->register_driver(driver);
  EXPECT_EQ(driver.probed.size(), 2u);

  try {
    pair.host->register_driver(driver);
    ADD_FAILURE() << "registered twice";
  } catch (const rpmsg::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidState);
  }
  pair.host->unregister_driver(other);
  EXPECT_THROW(pair.host->unregister_driver(other), rpmsg::Error);
}

TEST(Channel, DriverMayBeDestroyedBeforeItsBus) {
  BusPair pair;
  pair.remote->create_channel("svc", [](auto&, auto, auto) {});
  pair.pump();
  {
    RecordingDriver driver({"svc"});
    pair.host->register_driver(driver);
    ASSERT_NE(driver.channel(), nullptr);
    EXPECT_EQ(pair.host->endpoint_count(), 2u);
  }
  rpmsg::Channel* channel = pair.host->find_channel("svc");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->driver(), nullptr);
  EXPECT_EQ(pair.host->endpoint_count(), 1u);
  RecordingDriver again({"svc"});
  pair.host->register_driver(again);
  EXPECT_EQ(again.probed.size(), 1u);
}

TEST(Channel, BusDestroyedFirstCallsRemove) {
  RecordingDriver driver({"svc"});
  auto pair = std::make_unique<BusPair>();
  pair->host->register_driver(driver);
  pair->remote->create_channel("svc", [](auto&, auto, auto) {});
  pair->pump();
  ASSERT_EQ(driver.probed.size(), 1u);
  pair.reset();
  EXPECT_EQ(driver.removed, std::vector<std::string>{"svc"});
}

TEST(Channel, RefusingProbeLeavesChannelUnbound) {
  BusPair pair;
  RecordingDriver driver({"svc"});
  driver.refuse = true;
  pair.host->register_driver(driver);
  pair.remote->create_channel("svc", [](auto&, auto, auto) {});
  pair.pump();
  EXPECT_EQ(driver.probed.size(), 1u);
  rpmsg::Channel* channel = pair.host->find_channel("svc");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->driver(), nullptr);
  EXPECT_EQ(pair.host->endpoint_count(), 1u);
  EXPECT_EQ(pair.host->statistics().callback_failures, 1u);
  EXPECT_TRUE(pair.host_log.contains("refused channel 'svc': not today")) << pair.host_log.all();
}

TEST(Channel, LocalChannelsOnBothSidesBindToEachOther) {
  BusPair pair;
  std::vector<Received> at_host, at_remote;
  rpmsg::Channel& host_side = pair.host->create_channel("pair", record_into(at_host));
  rpmsg::Channel& remote_side = pair.remote->create_channel("pair", record_into(at_remote), 2000);
  pair.pump();
  EXPECT_EQ(host_side.destination(), 2000u);
  EXPECT_EQ(remote_side.destination(), host_side.source());
  EXPECT_EQ(pair.host->channels().size(), 1u) << "no peer channel besides the local one";
  ASSERT_TRUE(host_side.try_send(bytes("ping")));
  pair.pump();
  EXPECT_EQ(at_remote, (std::vector<Received>{{host_side.source(), "ping"}}));

  pair.remote->destroy_channel(remote_side);
  pair.pump();
  EXPECT_EQ(host_side.destination(), kAnyAddress) << "the peer went away";
  EXPECT_THROW((void)host_side.try_send(bytes("lost")), rpmsg::Error);
}

TEST(Channel, HostAnnouncementProbesRemoteDriver) {
  BusPair pair;
  RecordingDriver driver({"from-host"});
  driver.echo = true;
  pair.remote->register_driver(driver);
  std::vector<Received> at_host;
  rpmsg::Channel& channel = pair.host->create_channel("from-host", record_into(at_host));
  pair.pump();
  ASSERT_NE(driver.channel(), nullptr);
  EXPECT_EQ(driver.channel()->destination(), channel.source());
  ASSERT_TRUE(driver.channel()->try_send(bytes("hi")));
  pair.pump();
  EXPECT_EQ(at_host, (std::vector<Received>{{driver.channel()->source(), "hi"}}));
}

TEST(Channel, CreateChannelRejectsBadArguments) {
  BusPair pair;
  auto nothing = [](auto&, auto, auto) {};
  const auto code_of = [&](auto&& call) {
    try {
      call();
    } catch (const rpmsg::Error& e) {
      return e.code();
    }
    return ErrorCode::InvalidState;  // "did not throw" for these cases
  };
  EXPECT_EQ(code_of([&] { pair.host->create_channel("", nothing); }), ErrorCode::InvalidName);
  EXPECT_EQ(code_of([&] { pair.host->create_channel(std::string(32, 'a'), nothing); }), ErrorCode::InvalidName);
  EXPECT_EQ(code_of([&] { pair.host->create_channel("low", nothing, 100); }), ErrorCode::InvalidAddress);
  pair.host->create_channel("dup", nothing);
  EXPECT_EQ(code_of([&] { pair.host->create_channel("dup", nothing); }), ErrorCode::ChannelExists);
  EXPECT_EQ(code_of([&] { pair.host->create_channel("empty-callback", {}); }), ErrorCode::InvalidConfig);
  EXPECT_EQ(pair.host->channels().size(), 1u);

  BusPair other;
  rpmsg::Channel& foreign = other.host->create_channel("foreign", nothing);
  EXPECT_EQ(code_of([&] { pair.host->destroy_channel(foreign); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { pair.host->destroy_endpoint(*foreign.endpoint()); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { other.host->destroy_endpoint(*foreign.endpoint()); }), ErrorCode::InvalidState);
}

TEST(Channel, DriverNamesAreChecked) {
  EXPECT_THROW(RecordingDriver({}), rpmsg::Error);
  EXPECT_THROW(RecordingDriver({std::string(40, 'x')}), rpmsg::Error);
}

// Sends raw bytes to the host's name service from the remote, as a broken peer would.
void send_to_name_service(BusPair& pair, std::span<const std::byte> payload) {
  rpmsg::Endpoint& raw = pair.remote->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(raw.try_send_to(rpmsg::kNameServiceAddress, payload));
  pair.pump();
  pair.remote->destroy_endpoint(raw);
}

TEST(Channel, MalformedAnnouncementsAreCountedAndLogged) {
  BusPair pair;
  std::array<std::byte, 40> good;
  rpmsg::encode_announcement({"svc", 0x400, rpmsg::AnnouncementKind::Create}, good);

  send_to_name_service(pair, std::span(good).first(39));
  EXPECT_TRUE(pair.host_log.contains("39 bytes, not 40")) << pair.host_log.all();
  auto flags = good;
  flags[36] = std::byte{7};
  send_to_name_service(pair, flags);
  EXPECT_TRUE(pair.host_log.contains("flags 7")) << pair.host_log.all();
  auto destroy_unknown = good;
  destroy_unknown[36] = std::byte{1};
  send_to_name_service(pair, destroy_unknown);
  EXPECT_TRUE(pair.host_log.contains("destroy of unknown channel 'svc'")) << pair.host_log.all();
  send_to_name_service(pair, good);
  send_to_name_service(pair, good);  // the same channel again
  EXPECT_TRUE(pair.host_log.contains("exists already")) << pair.host_log.all();

  EXPECT_EQ(pair.host->statistics().rejected_announcements, 4u);
  EXPECT_EQ(pair.host->channels().size(), 1u);
}

TEST(Channel, WithoutNameServiceNothingIsAnnounced) {
  BusOptions off;
  off.name_service = false;
  BusPair pair({}, off, off);
  EXPECT_EQ(pair.host->endpoint_count(), 0u);
  rpmsg::Channel& channel = pair.remote->create_channel("quiet", [](auto&, auto, auto) {});
  EXPECT_FALSE(channel.announced());
  EXPECT_EQ(pair.pump(), 0u);
  EXPECT_TRUE(pair.host->channels().empty());
  // A message to 0x35 finds nobody there.
  ASSERT_TRUE(channel.endpoint()->try_send_to(rpmsg::kNameServiceAddress, bytes("hello?")));
  pair.pump();
  EXPECT_EQ(pair.host->statistics().unknown_destination, 1u);
}

TEST(Channel, NameServiceNeedsRoomForAnnouncements) {
  rpmsg::LayoutOptions small;
  small.buffer_size = 48;
  BusOptions off;
  off.name_service = false;
  BusPair pair(small, off, off);  // fine without the name service
  try {
    Bus bus(pair.host_vrings->link());
    ADD_FAILURE() << "48-byte buffers accepted with the name service";
  } catch (const rpmsg::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("at least 56 bytes"), std::string::npos) << e.what();
  }
}

class CountingSink : public trace::TraceSink {
 public:
  void record(const trace::Event& e) noexcept override {
    if (e.kind == trace::EventKind::StateChanged) events.push_back({e.index, e.b});
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> events;
};

TEST(Channel, ChannelEventsAreTraced) {
  CountingSink sink;
  BusOptions traced;
  traced.trace = &sink;
  BusPair pair({}, traced);
  pair.remote->create_channel("svc", [](auto&, auto, auto) {}, 3000);
  RecordingDriver driver({"svc"});
  pair.host->register_driver(driver);
  pair.pump();
  rpmsg::Channel& local = pair.host->create_channel("mine", [](auto&, auto, auto) {}, 4000);
  pair.host->destroy_channel(local);
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[0].second, 1u);  // peer channel "svc" came
  EXPECT_EQ(sink.events[1], std::make_pair(4000u, std::uint64_t{1}));
  EXPECT_EQ(sink.events[2], std::make_pair(4000u, std::uint64_t{0}));
}

}  // namespace
}  // namespace vgen::test
