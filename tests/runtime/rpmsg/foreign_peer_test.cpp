// vgen's rpmsg sides against foreign peers that bend the VirtIO length rules as docs/rpmsg.md
// describes: a remote that returns every buffer with used.len = the buffer's length, and a
// host that reads a reused transmit buffer's used.len as its capacity. The
// peers are C over <linux/virtio_ring.h> and share no code with vgen. Each run is one thread,
// busy polling, so it is deterministic; every byte of every echo is checked.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/region.hpp>

#include "capacity_reading_host.h"
#include "length_reporting_remote.h"
#include "support.hpp"

namespace vgen::test {
namespace {

constexpr std::uint64_t kEchoes = 100000;
constexpr std::uint64_t kWindow = 64;                // messages in flight
constexpr std::uint32_t kVgenAddress = 0x400;        // vgen's endpoint
constexpr std::uint32_t kForeignAddress = 0x401;     // the foreign peer's endpoint
constexpr std::uint32_t kMaxPayload = 512 - 16;

// Message i: i % 497 payload bytes (0 to the most a 512-byte buffer holds), each derived from
// i and its position.
std::vector<std::byte> payload_of(std::uint64_t i) {
  std::vector<std::byte> out(i % (kMaxPayload + 1));
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = std::byte((i * 131 + k * 7 + (i >> 8)) & 0xff);
  return out;
}

bool is_payload_of(std::uint64_t i, std::span<const std::byte> got) {
  const std::vector<std::byte> want = payload_of(i);
  return got.size() == want.size() && std::equal(got.begin(), got.end(), want.begin());
}

// One memfd region with a SharedLayout planned in it (default sizes: 256 entries, 512-byte
// buffers, event indexes), and the raw pointers a foreign peer gets.
struct SharedArea {
  static constexpr shm::GuestAddress kBase = 0x40000000;

  SharedArea() {
    const rpmsg::LayoutOptions options;
    size = (rpmsg::SharedLayout::bytes(options) + 4095) & ~std::uint64_t{4095};
    memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-rpmsg-foreign", size)));
    shm::Allocator allocator(kBase, size);
    layout = rpmsg::SharedLayout::plan(allocator, options);
  }
  fp_window window() const {
    return {kBase, size, reinterpret_cast<unsigned char*>(memory.translate(kBase, size))};
  }
  fp_ring ring(const virtqueue::RingAddresses& r) const {
    const std::uint32_t n = layout.queue_size;
    return {memory.translate(r.desc, virtqueue::desc_table_bytes(n)),
            memory.translate(r.avail, virtqueue::avail_ring_bytes(n)),
            memory.translate(r.used, virtqueue::used_ring_bytes(n))};
  }

  std::uint64_t size = 0;
  shm::GuestMemory memory;
  rpmsg::SharedLayout layout;
};

// Counts trace events by kind.
struct EventCounter : trace::TraceSink {
  void record(const trace::Event& e) noexcept override { ++counts[static_cast<std::size_t>(e.kind)]; }
  std::uint64_t count(trace::EventKind kind) const { return counts[static_cast<std::size_t>(kind)]; }
  std::uint64_t counts[32] = {};
};

TEST(ForeignRemote, VgenHostEchoesWithARemoteThatReportsTheBufferLength) {
  SharedArea area;
  rpmsg::HostVrings vrings(area.memory, area.layout, {});
  std::vector<std::string> queue_log;
  vrings.set_log([&](const std::string& line) { queue_log.push_back(line); });
  EventCounter events;
  vrings.set_trace(&events);
  LogCapture bus_log;
  BusOptions options;
  options.log = bus_log.sink();
  Bus host(vrings.link(), options);
  lr_remote peer;
  const lr_config config{area.window(), area.ring(area.layout.rx_rings), area.ring(area.layout.tx_rings),
                         area.layout.queue_size};
  lr_init(&peer, &config);

  std::uint64_t received = 0, bad = 0;
  host.create_endpoint(
      [&](rpmsg::Endpoint&, std::span<const std::byte> payload, std::uint32_t source) {
        if (source != kForeignAddress || !is_payload_of(received, payload)) ++bad;
        ++received;
      },
      kVgenAddress);
  std::uint64_t sent = 0;
  for (std::uint64_t round = 0; received < kEchoes; ++round) {
    ASSERT_LT(round, 4 * kEchoes) << "no progress; received " << received;
    for (; sent < kEchoes && sent - received < kWindow; ++sent) {
      if (!host.try_send(kVgenAddress, kForeignAddress, payload_of(sent))) break;
    }
    ASSERT_GE(lr_echo(&peer), 0) << lr_error(&peer);
    host.poll();
  }
  EXPECT_EQ(received, kEchoes);
  EXPECT_EQ(bad, 0u);
  const rpmsg::Statistics s = host.statistics();
  EXPECT_EQ(s.sent, kEchoes);
  EXPECT_EQ(s.received, kEchoes);
  EXPECT_EQ(s.rejected_messages, 0u) << "a used len of the whole receive buffer is fine: the header says the rest";
  // Every transmit buffer came back with its length; the host took 0 for each, once logged.
  virtqueue::SplitDriverQueue& tx = vrings.tx_queue();
  EXPECT_FALSE(tx.broken());
  EXPECT_GE(tx.ignored_used_lengths(), kEchoes - area.layout.queue_size);
  EXPECT_LE(tx.ignored_used_lengths(), kEchoes);
  EXPECT_EQ(events.count(trace::EventKind::UsedLengthIgnored), tx.ignored_used_lengths());
  EXPECT_EQ(vrings.rx_queue().ignored_used_lengths(), 0u);
  ASSERT_EQ(queue_log.size(), 1u);
  EXPECT_NE(queue_log[0].find("queue 1: used ring entry 0: len 16 for chain 0, which has no device-writable bytes"),
            std::string::npos)
      << queue_log[0];
}

// The foreign host and vgen's remote, with an echo endpoint on the remote.
struct ForeignHostPair {
  explicit ForeignHostPair(rpmsg::RemoteLinkOptions link_options) : host(std::make_unique<ch_host>()) {
    const rpmsg::BufferArea buffers = area.layout.buffer_area();
    const ch_config config{area.window(),
                           area.ring(area.layout.rx_rings),
                           area.ring(area.layout.tx_rings),
                           area.layout.queue_size,
                           buffers.rx_address(0),
                           buffers.tx_address(0),
                           buffers.size,
                           kForeignAddress};
    ch_init(host.get(), &config);
    vrings = std::make_unique<rpmsg::RemoteVrings>(area.memory, area.layout, rpmsg::Notifiers{}, link_options);
    BusOptions options;
    options.name_service = false;
    options.log = log.sink();
    remote = std::make_unique<Bus>(vrings->link(), options);
    remote->create_endpoint(
        [this](rpmsg::Endpoint& endpoint, std::span<const std::byte> payload, std::uint32_t source) {
          if (!remote->try_send(endpoint.address(), source, payload)) ++echo_failures;
        },
        kVgenAddress);
  }

  SharedArea area;
  std::unique_ptr<ch_host> host;
  LogCapture log;
  std::unique_ptr<rpmsg::RemoteVrings> vrings;
  std::unique_ptr<Bus> remote;
  std::uint64_t echo_failures = 0;
};

TEST(ForeignHost, VgenRemoteReportingTheBufferLengthEchoesWithAHostThatReadsItAsCapacity) {
  ForeignHostPair pair(rpmsg::RemoteLinkOptions{.report_tx_buffer_length = true});
  ASSERT_STREQ(ch_error(pair.host.get()), "");
  std::uint64_t sent = 0, received = 0, bad = 0;
  for (std::uint64_t round = 0; received < kEchoes; ++round) {
    ASSERT_LT(round, 4 * kEchoes) << "no progress; received " << received << ", bogus capacities "
                                   << ch_bogus_capacities(pair.host.get()) << "; " << pair.log.all();
    for (; sent < kEchoes && sent - received < kWindow; ++sent) {
      const std::vector<std::byte> payload = payload_of(sent);
      const int r = ch_send(pair.host.get(), kVgenAddress, payload.data(), static_cast<std::uint32_t>(payload.size()));
      ASSERT_GE(r, 0) << ch_error(pair.host.get());
      if (r == 0) break;
    }
    pair.remote->poll();
    ch_message m;
    int r;
    while ((r = ch_receive(pair.host.get(), &m)) == 1) {
      if (m.src != kVgenAddress || m.dst != kForeignAddress ||
          !is_payload_of(received, {reinterpret_cast<const std::byte*>(m.payload), m.length})) {
        ++bad;
      }
      ch_release(pair.host.get(), &m);
      ++received;
    }
    ASSERT_EQ(r, 0) << ch_error(pair.host.get());
  }
  EXPECT_EQ(received, kEchoes);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(pair.echo_failures, 0u);
  EXPECT_EQ(ch_bogus_capacities(pair.host.get()), 0u);
  EXPECT_EQ(ch_last_capacity(pair.host.get()), kMaxPayload) << "a reused buffer holds 512 - 16 bytes";
  const rpmsg::Statistics s = pair.remote->statistics();
  EXPECT_EQ(s.received, kEchoes);
  EXPECT_EQ(s.rejected_messages, 0u) << pair.log.all();
}

// Without the setting the remote reports 0 written bytes, as VirtIO says; that host then
// takes 0 - 16 as the capacity of the reused buffer and sends a header len of 0xFFF0.
TEST(ForeignHost, WithoutTheSettingTheHostReadsABogusCapacity) {
  ForeignHostPair pair({});
  const std::vector<std::byte> first = payload_of(1), second = payload_of(2);
  ASSERT_EQ(ch_send(pair.host.get(), kVgenAddress, first.data(), static_cast<std::uint32_t>(first.size())), 1);
  pair.remote->poll();
  ch_message m;
  ASSERT_EQ(ch_receive(pair.host.get(), &m), 1) << ch_error(pair.host.get());
  EXPECT_TRUE(is_payload_of(1, {reinterpret_cast<const std::byte*>(m.payload), m.length}));
  ch_release(pair.host.get(), &m);
  EXPECT_EQ(ch_bogus_capacities(pair.host.get()), 0u) << "the first buffer was fresh";

  ASSERT_EQ(ch_send(pair.host.get(), kVgenAddress, second.data(), static_cast<std::uint32_t>(second.size())), 1);
  EXPECT_EQ(ch_bogus_capacities(pair.host.get()), 1u);
  EXPECT_EQ(ch_last_capacity(pair.host.get()), 0xfffffff0u);
  pair.remote->poll();
  EXPECT_EQ(ch_receive(pair.host.get(), &m), 0) << "nothing to echo";
  EXPECT_EQ(pair.remote->statistics().rejected_messages, 1u);
  EXPECT_TRUE(pair.log.contains("header len 65520 exceeds the 496 payload bytes received")) << pair.log.all();
}

}  // namespace
}  // namespace vgen::test
