// The links under the bus: buffer directions, bad lengths and chains from a broken peer,
// buffer exhaustion with blocking and non-blocking senders, layouts, and a remote restart.
#include <gtest/gtest.h>

#include <vgen/rpmsg/error.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

using namespace std::chrono_literals;
using rpmsg::ErrorCode;
using Clock = std::chrono::steady_clock;

// Writes a message straight into a transmit buffer of `link` with a chosen header and
// submit length, as a broken peer would.
void send_raw(rpmsg::Link& link, const rpmsg::Header& header, std::string_view payload, std::uint32_t length) {
  const auto buffer = link.acquire_tx();
  ASSERT_TRUE(buffer);
  rpmsg::encode_header(header, buffer->data);
  std::memcpy(buffer->data + rpmsg::kHeaderSize, payload.data(), payload.size());
  link.submit_tx(*buffer, length);
}

TEST(Link, QueueDirectionsFollowTheVirtioRoles) {
  BusPair pair;
  // The host offers all of its rx buffers as device-writable chains on queue 0 and keeps
  // queue 1 empty until it sends.
  EXPECT_EQ(pair.host_vrings->rx_queue().in_flight(), 256u);
  EXPECT_EQ(pair.host_vrings->tx_queue().in_flight(), 0u);
  EXPECT_EQ(pair.remote_vrings->host_rx_queue().available(), 256u);
  EXPECT_EQ(pair.remote_vrings->host_tx_queue().available(), 0u);

  std::vector<Received> got;
  pair.remote->create_endpoint(record_into(got), 2000);
  std::vector<Received> at_host;
  pair.host->create_endpoint(record_into(at_host), 3000);
  ASSERT_TRUE(pair.host->try_send(3000, 2000, bytes("down")));
  EXPECT_EQ(pair.host_vrings->tx_queue().in_flight(), 1u) << "host messages travel on queue 1";
  EXPECT_EQ(pair.remote_vrings->host_tx_queue().available(), 1u);
  pair.remote->poll();
  ASSERT_TRUE(pair.remote->try_send(2000, 3000, bytes("up")));
  // Remote messages fill queue 0 buffers, taken a few at a time.
  EXPECT_EQ(pair.remote_vrings->host_rx_queue().available(), 256u - rpmsg::RemoteLink::kTakeAhead);
  EXPECT_EQ(pair.host->poll(), 1u);
  EXPECT_EQ(at_host, (std::vector<Received>{{2000, "up"}}));
  EXPECT_EQ(pair.host_vrings->rx_queue().in_flight(), 256u) << "the rx buffer was offered again";
  pair.pump();

  // The message sits in the host's tx buffer area with the wire header in front.
  const std::byte* first_tx = pair.memory.translate(pair.layout.buffer_area().tx_address(0), 20);
  const rpmsg::Header h = rpmsg::decode_header(first_tx);
  EXPECT_EQ(h, (rpmsg::Header{3000, 2000, 0, 4, 0}));
  EXPECT_EQ(text({first_tx + 16, 4}), "down");
}

TEST(Link, ShortAndOversizedHeadersAreRejectedWithoutLosingOthers) {
  BusPair pair;
  std::vector<Received> at_host;
  pair.host->create_endpoint(record_into(at_host), 3000);
  rpmsg::Link& remote = pair.remote_vrings->link();
  send_raw(remote, {2000, 3000, 0, 4, 0}, "good", 20);
  send_raw(remote, {2000, 3000, 0, 4, 0}, "", 8);                    // shorter than a header
  send_raw(remote, {2000, 3000, 0, 100, 0}, "0123456789", 26);       // len beyond the bytes
  send_raw(remote, {2000, 3000, 0, 65535, 0}, "", 16);               // len far beyond
  send_raw(remote, {2000, 3000, 0, 5, 0}, "after", 21);
  pair.pump();
  EXPECT_EQ(at_host, (std::vector<Received>{{2000, "good"}, {2000, "after"}}));
  EXPECT_EQ(pair.host->statistics().rejected_messages, 3u);
  EXPECT_TRUE(pair.host_log.contains("short message: 8 bytes")) << pair.host_log.all();
  EXPECT_TRUE(pair.host_log.contains("header len 100 exceeds the 10 payload bytes")) << pair.host_log.all();
  EXPECT_EQ(pair.host_vrings->rx_queue().in_flight(), 256u) << "every rejected buffer went back";

  // The remote side: the host sends a chain longer than a buffer.
  std::vector<Received> at_remote;
  pair.remote->create_endpoint(record_into(at_remote), 2000);
  send_raw(pair.host_vrings->link(), {3000, 2000, 0, 4, 0}, "long", 600);
  send_raw(pair.host_vrings->link(), {3000, 2000, 0, 2, 0}, "ok", 18);
  pair.pump();
  EXPECT_EQ(at_remote, (std::vector<Received>{{3000, "ok"}}));
  EXPECT_EQ(pair.remote->statistics().rejected_messages, 1u);
  EXPECT_TRUE(pair.remote_log.contains("oversized message: 600 bytes in a buffer of 512")) << pair.remote_log.all();
}

TEST(Link, RemoteGathersAMessageSplitOverSeveralBuffers) {
  BusPair pair;
  std::vector<Received> got;
  pair.remote->create_endpoint(record_into(got), 2000);
  // A host that is not vgen may split a message; write one and offer it in three pieces.
  rpmsg::HostLink& link = pair.host_vrings->link();
  const auto buffer = link.acquire_tx();
  ASSERT_TRUE(buffer);
  const std::string payload = "split across three descriptors";
  rpmsg::encode_header({3000, 2000, 0, static_cast<std::uint16_t>(payload.size()), 0}, buffer->data);
  std::memcpy(buffer->data + 16, payload.data(), payload.size());
  const shm::GuestAddress addr = link.buffers().tx_address(static_cast<std::uint32_t>(buffer->token));
  const std::uint32_t total = 16 + static_cast<std::uint32_t>(payload.size());
  const virtqueue::Buffer pieces[] = {{addr, 10}, {addr + 10, 20}, {addr + 30, total - 30}};
  ASSERT_TRUE(pair.host_vrings->tx_queue().add(pieces, {}, buffer->token));
  pair.host_vrings->tx_queue().kick();
  pair.pump();
  EXPECT_EQ(got, (std::vector<Received>{{3000, payload}}));
}

// A host that is not vgen: raw driver queues on the layout, to offer odd empty chains.
struct RawHost {
  explicit RawHost(BusPair& buses)
      : layout(buses.layout), rx(buses.memory, layout.rx_queue()), tx(buses.memory, layout.tx_queue()) {}
  shm::GuestAddress buffer(std::uint32_t index) const { return layout.buffer_area().rx_address(index); }
  rpmsg::SharedLayout layout;
  virtqueue::SplitDriverQueue rx;
  virtqueue::SplitDriverQueue tx;
};

TEST(Link, RemoteRefusesUnusableEmptyBuffersAndUsesScatteredOnes) {
  BusPair pair;
  pair.stop_remote();
  RawHost host(pair);
  const virtqueue::Buffer readable[] = {{host.buffer(0), 512}};
  const virtqueue::Buffer too_small[] = {{host.buffer(1), 100}};
  const virtqueue::Buffer scattered[] = {{host.buffer(2), 200}, {host.buffer(3), 200}, {host.buffer(4), 200}};
  ASSERT_TRUE(host.rx.add(readable, {}, 0));
  ASSERT_TRUE(host.rx.add({}, too_small, 1));
  ASSERT_TRUE(host.rx.add({}, scattered, 2));
  host.rx.kick();
  pair.start_remote();
  const std::string payload(300, 'z');
  ASSERT_TRUE(pair.remote->try_send(2000, 3000, bytes(payload)));
  EXPECT_FALSE(pair.remote->try_send(2000, 3000, bytes("no more")));
  EXPECT_EQ(pair.remote->statistics().rejected_buffers, 2u);

  std::vector<virtqueue::UsedBuffer> used;
  while (auto u = host.rx.reclaim()) used.push_back(*u);
  ASSERT_EQ(used.size(), 3u);
  EXPECT_EQ(used[0].token, 0u);
  EXPECT_EQ(used[0].length, 0u);
  EXPECT_EQ(used[1].length, 0u);
  EXPECT_EQ(used[2].length, 316u);
  std::string written(316, '\0');
  for (std::uint32_t i = 0; i < 316; ++i) {
    const std::uint32_t piece = i / 200;
    written[i] = static_cast<char>(*pair.memory.translate(host.buffer(2 + piece) + i % 200, 1));
  }
  EXPECT_EQ(rpmsg::decode_header(reinterpret_cast<const std::byte*>(written.data())),
            (rpmsg::Header{2000, 3000, 0, 300, 0}));
  EXPECT_EQ(written.substr(16), payload);
}

TEST(Link, HostExhaustionTrySendReturnsAtOnceBlockingSendTimesOut) {
  BusPair pair;
  pair.remote->create_endpoint([](auto&, auto, auto) {}, 2000);
  rpmsg::Endpoint& host = pair.host->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(host.try_send_to(2000, bytes("fill"))) << i;
  const Clock::time_point start = Clock::now();
  EXPECT_FALSE(host.try_send_to(2000, bytes("full")));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_FALSE(host.send_to(2000, bytes("full"), 50ms));
  EXPECT_GE(Clock::now() - start, 50ms);
  const rpmsg::Statistics s = pair.host->statistics();
  EXPECT_EQ(s.send_would_block, 1u);
  EXPECT_EQ(s.send_timeouts, 1u);
  EXPECT_EQ(s.sent, 256u);
  pair.remote->poll();  // returns the host's buffers
  EXPECT_TRUE(host.try_send_to(2000, bytes("room again")));
}

TEST(Link, RemoteExhaustionWhenTheHostDoesNotPoll) {
  BusPair pair;
  pair.host->create_endpoint([](auto&, auto, auto) {}, 3000);
  rpmsg::Endpoint& remote = pair.remote->create_endpoint([](auto&, auto, auto) {});
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(remote.try_send_to(3000, bytes("fill"))) << i;
  EXPECT_FALSE(remote.try_send_to(3000, bytes("full")));
  EXPECT_FALSE(remote.send_to(3000, bytes("full"), 20ms));
  pair.host->poll();
  EXPECT_TRUE(remote.try_send_to(3000, bytes("room again")));
  EXPECT_EQ(pair.host->statistics().received, 256u);
}

TEST(Link, RemoteRestartTearsDownAndComesBack) {
  BusPair pair;
  RecordingDriver driver({"svc"});
  pair.host->register_driver(driver);
  std::vector<Received> at_host;
  rpmsg::Channel& host_channel = pair.host->create_channel("host-svc", record_into(at_host));
  std::vector<Received> first_life;
  pair.remote->create_channel("svc", record_into(first_life));
  pair.pump();
  ASSERT_NE(driver.channel(), nullptr);
  ASSERT_TRUE(driver.channel()->try_send(bytes("before")));
  pair.pump();
  ASSERT_EQ(first_life.size(), 1u);
  ASSERT_TRUE(driver.channel()->try_send(bytes("in flight")));  // never read by this remote

  pair.stop_remote();
  pair.host->link_down();
  EXPECT_EQ(driver.removed, std::vector<std::string>{"svc"});
  EXPECT_EQ(pair.host->find_channel("svc"), nullptr);
  EXPECT_EQ(host_channel.destination(), rpmsg::kAnyAddress);
  try {
    (void)pair.host->try_send(host_channel.source(), 2000, bytes("nobody there"));
    ADD_FAILURE() << "sent while the link was down";
  } catch (const rpmsg::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::LinkDown);
  }
  pair.host_vrings->reset();
  pair.host->link_up();  // announces "host-svc" again

  RecordingDriver remote_driver({"host-svc"});
  pair.start_remote();
  pair.remote->register_driver(remote_driver);
  std::vector<Received> second_life;
  pair.remote->create_channel("svc", record_into(second_life));
  pair.pump();
  EXPECT_EQ(driver.probed.size(), 2u);
  ASSERT_NE(driver.channel(), nullptr);
  ASSERT_TRUE(driver.channel()->try_send(bytes("after")));
  pair.pump();
  EXPECT_EQ(second_life, (std::vector<Received>{{driver.channel()->source(), "after"}}))
      << "the message in flight died with the old rings";
  ASSERT_EQ(remote_driver.probed, std::vector<std::string>{"host-svc"}) << "the host's channel was announced again";
  ASSERT_TRUE(remote_driver.channel()->try_send(bytes("hello host")));
  pair.pump();
  EXPECT_EQ(at_host.size(), 1u);
  EXPECT_TRUE(pair.host_log.contains("link down")) << pair.host_log.all();
}

TEST(Layout, PlanAndValidate) {
  shm::Allocator allocator(0x1000, 1 << 22);
  rpmsg::LayoutOptions options;
  options.queue_size = 24;
  EXPECT_THROW(rpmsg::SharedLayout::plan(allocator, options), rpmsg::Error);
  options.queue_size = 64;
  options.buffer_size = 16;
  EXPECT_THROW(rpmsg::SharedLayout::bytes(options), rpmsg::Error);
  options.buffer_size = 70000;
  EXPECT_THROW(rpmsg::SharedLayout::plan(allocator, options), rpmsg::Error);

  BusPair pair;
  EXPECT_NO_THROW(pair.layout.validate(pair.memory));
  const auto message_of = [&](rpmsg::SharedLayout bad) {
    try {
      bad.validate(pair.memory);
    } catch (const rpmsg::Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  rpmsg::SharedLayout bad = pair.layout;
  bad.tx_rings.used = 0x10;
  EXPECT_NE(message_of(bad).find("tx queue used ring [0x10"), std::string::npos) << message_of(bad);
  bad = pair.layout;
  bad.rx_rings.desc += 8;
  EXPECT_NE(message_of(bad).find("rx queue descriptor table at"), std::string::npos) << message_of(bad);
  bad = pair.layout;
  bad.buffers = BusPair::kBase + (1ull << 30);
  EXPECT_NE(message_of(bad).find("buffers ["), std::string::npos);
  bad = pair.layout;
  bad.feedback += 4;
  EXPECT_NE(message_of(bad).find("feedback at"), std::string::npos);
  bad = pair.layout;
  bad.event_idx = 3;
  EXPECT_NE(message_of(bad).find("event_idx is 3"), std::string::npos);
  bad = pair.layout;
  bad.queue_size = 0;
  EXPECT_NE(message_of(bad).find("queue size 0"), std::string::npos);
  bad = pair.layout;
  bad.remote_doorbell = 0;
  EXPECT_THROW(rpmsg::RemoteVrings(pair.memory, bad, {}), rpmsg::Error);
}

TEST(Layout, LinkConfigurationErrors) {
  BusPair pair;
  rpmsg::BufferArea area = pair.layout.buffer_area();
  area.count = 0;
  EXPECT_THROW(rpmsg::HostLink(pair.memory, area, nullptr), rpmsg::Error);
  area = pair.layout.buffer_area();
  area.size = 8;
  EXPECT_THROW(rpmsg::HostLink(pair.memory, area, nullptr), rpmsg::Error);
  area = pair.layout.buffer_area();
  area.base = 0x10;
  try {
    rpmsg::HostLink link(pair.memory, area, nullptr);
    ADD_FAILURE() << "area outside memory accepted";
  } catch (const rpmsg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("buffer area [0x10"), std::string::npos) << e.what();
  }
  // Queues too small for the buffers.
  area = pair.layout.buffer_area();
  rpmsg::HostLink link(pair.memory, area, nullptr);
  RawHost raw(pair);
  (void)raw.rx.add({}, std::vector<virtqueue::Buffer>{{area.rx_address(0), 512}}, 0);
  EXPECT_THROW(link.attach(raw.rx, raw.tx), rpmsg::Error);
  EXPECT_FALSE(link.attached());
  EXPECT_THROW(rpmsg::RemoteLink(pair.remote_vrings->host_rx_queue(), pair.remote_vrings->host_tx_queue(), 20, nullptr),
               rpmsg::Error);
}

}  // namespace
}  // namespace vgen::test
