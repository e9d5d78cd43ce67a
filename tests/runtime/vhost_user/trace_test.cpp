// The back end's trace: with Options::sink set, a served device records the vhost-user
// messages both ways, the features SET_FEATURES put in force, the kicks it receives with the
// avail idx the driver published, the chains it takes with their bytes, the used entries and
// interrupts it sends, and the back-end channel's notices.
#include <poll.h>
#include <sys/socket.h>

#include <linux/virtio_config.h>
#include <algorithm>

#include <vgen/trace/hooks.hpp>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {

using vgen::trace::EventKind;


// One event as the sink copied it: its numbers, its message bytes and its first buffer's bytes.
struct Seen {
  EventKind kind;
  std::uint16_t queue, head;
  std::uint32_t index;
  std::uint64_t a, b;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> first_buffer;
};

class Events final : public vgen::trace::TraceSink {
 public:
  void record(const vgen::trace::Event& event) noexcept override {
    Seen seen{event.kind, event.queue, event.head, event.index, event.a, event.b, {}, {}};
    for (std::byte b : event.bytes) seen.bytes.push_back(std::to_integer<std::uint8_t>(b));
    if (!event.buffers.empty() && event.buffers[0].host != nullptr) {
      const auto* host = reinterpret_cast<const std::uint8_t*>(event.buffers[0].host);
      seen.first_buffer.assign(host, host + event.buffers[0].length);
    }
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(seen));
  }
  std::vector<Seen> all() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

// The request code in a recorded message's header.
std::uint32_t request_of(const Seen& seen) {
  std::uint32_t request = 0;
  if (seen.bytes.size() >= 4) std::memcpy(&request, seen.bytes.data(), 4);
  return request;
}

class TracedBackendTest : public BackendTest {
 protected:
  TracedBackendTest() { trace_sink = &events; }
  // The first event matching `match`, or null.
  template <class Match>
  static const Seen* find(const std::vector<Seen>& all, Match match) {
    const auto found = std::find_if(all.begin(), all.end(), match);
    return found == all.end() ? nullptr : &*found;
  }
  Events events;
};

TEST_F(TracedBackendTest, RecordsMessagesFeaturesKicksChainsAndUsedEntries) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  EXPECT_EQ(s.peer.get_u64(kGetQueueNum), 2u) << "a round trip: the ring is live before the kick";
  s.ring.add(bytes("hello"), 256, false);
  s.kick.signal();
  ASSERT_TRUE(s.call.wait());
  EXPECT_EQ(s.ring.pop_used().bytes.size(), 5u);
  s.stop();
  std::vector<Seen> all;
  ASSERT_TRUE(eventually([&] {
    all = events.all();
    return find(all, [](const Seen& e) {
             return e.kind == EventKind::VhostUserMessage && request_of(e) == kGetVringBase && e.head == 1;
           }) != nullptr;
  })) << "the reply to GET_VRING_BASE";

  const Seen* features = find(all, [](const Seen& e) {
    return e.kind == EventKind::VhostUserMessage && e.head == 0 && request_of(e) == kSetFeatures;
  });
  ASSERT_NE(features, nullptr);
  EXPECT_EQ(features->bytes.size(), 12u + 8u) << "header and the u64";
  EXPECT_EQ(features->index, 1u) << "the first connection";
  const Seen* kick_fd =
      find(all, [](const Seen& e) { return e.kind == EventKind::VhostUserMessage && request_of(e) == kSetVringKick; });
  ASSERT_NE(kick_fd, nullptr);
  EXPECT_EQ(kick_fd->a, 1u) << "the kick eventfd came with it";
  const Seen* reply = find(all, [](const Seen& e) {
    return e.kind == EventKind::VhostUserMessage && e.head == 1 && request_of(e) == kGetFeatures;
  });
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->bytes.size(), 12u + 8u);

  const Seen* negotiated = find(all, [](const Seen& e) { return e.kind == EventKind::FeaturesNegotiated; });
  ASSERT_NE(negotiated, nullptr);
  EXPECT_EQ(negotiated->index, 1u) << "as the device sees them";
  EXPECT_EQ(negotiated->b, kVersion1) << "the virtio features, without vhost-user's protocol bit";
  EXPECT_EQ(negotiated->a, s.offered & ~(1ull << kProtocolFeaturesBit));

  const Seen* kick = find(all, [](const Seen& e) { return e.kind == EventKind::NotifySent && e.head == 0; });
  ASSERT_NE(kick, nullptr);
  EXPECT_EQ(kick->queue, 0u);
  EXPECT_EQ(kick->index, 1u) << "the avail idx the driver published";
  const Seen* taken = find(all, [](const Seen& e) { return e.kind == EventKind::ChainTaken; });
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->a, 5u);
  EXPECT_EQ(std::string(taken->first_buffer.begin(), taken->first_buffer.end()), "hello");
  const Seen* used = find(all, [](const Seen& e) { return e.kind == EventKind::UsedPushed; });
  ASSERT_NE(used, nullptr);
  EXPECT_EQ(used->a, 5u);
  EXPECT_NE(find(all, [](const Seen& e) { return e.kind == EventKind::NotifySent && e.head == 1; }), nullptr)
      << "the interrupt";
  EXPECT_NE(find(all, [](const Seen& e) { return e.kind == EventKind::StateChanged && (e.b & 4) != 0; }), nullptr)
      << "DRIVER_OK";
}

TEST_F(TracedBackendTest, RecordsTheBackEndChannelsNotices) {
  Session s(path, {kVersion1});
  const int channel = start_and_change_config(s);
  pollfd entry{channel, POLLIN, 0};
  ASSERT_EQ(poll(&entry, 1, 5000), 1);
  close(channel);
  const std::vector<Seen> all = events.all();
  const Seen* notice = find(
      all, [](const Seen& e) { return e.kind == EventKind::VhostUserMessage && e.head == 1 && request_of(e) == 2; });
  ASSERT_NE(notice, nullptr) << "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG";
  EXPECT_EQ(notice->bytes.size(), 12u);
}

}  // namespace
}  // namespace vhost_test
