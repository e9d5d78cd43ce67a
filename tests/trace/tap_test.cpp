// vgen trace tap between the vhost-user tests' independent front end and vgen's back end: the
// front end's session works through the tap as it does directly, and the tap records every
// message both ways (the back-end channel too), the chains and used entries it reads from the
// ring, and the kicks and interrupts it passes on. Malformed messages from either side end
// only that connection, with an error naming the side.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <mutex>
#include <thread>

#include <vgen/trace_tap/tap.hpp>
#include <vgen/vhost_user/channel.hpp>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {

using vgen::trace::EventKind;

// One recorded event: its numbers, its message bytes, and the bytes of its buffers that the
// record would hold (readable ones for a chain made available, written ones for a used entry).
struct Seen {
  EventKind kind;
  std::uint16_t queue, head;
  std::uint32_t index;
  std::uint64_t a, b;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> payload;
  std::size_t buffers = 0;
};

class Events final : public vgen::trace::TraceSink {
 public:
  void record(const vgen::trace::Event& event) noexcept override {
    Seen seen{event.kind, event.queue, event.head, event.index, event.a, event.b, {}, {}, event.buffers.size()};
    for (std::byte b : event.bytes) seen.bytes.push_back(std::to_integer<std::uint8_t>(b));
    std::uint64_t left = event.kind == EventKind::UsedSeen ? event.a : ~0ull;
    for (const auto& buffer : event.buffers) {
      const bool written = (buffer.flags & 2) != 0;
      if (written != (event.kind == EventKind::UsedSeen) || buffer.host == nullptr) continue;
      const auto* host = reinterpret_cast<const std::uint8_t*>(buffer.host);
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.length, left));
      seen.payload.insert(seen.payload.end(), host, host + take);
      left -= take;
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

std::uint32_t request_of(const Seen& seen) {
  std::uint32_t request = 0;
  if (seen.bytes.size() >= 4) std::memcpy(&request, seen.bytes.data(), 4);
  return request;
}

// vgen's back end (BackendTest) on `path`, and the tap on `tap_path` in front of it.
class TapTest : public BackendTest {
 protected:
  void start_tap(bool relay = true, const std::string& backend_path = "") {
    tap_path = path + ".tap";
    vgen::trace_tap::TapOptions options;
    options.listen = tap_path;
    options.backend = backend_path.empty() ? path : backend_path;
    options.relay_notifications = relay;
    options.connect_wait = std::chrono::milliseconds(1000);
    options.log = [this](const std::string& line) {
      std::lock_guard lock(tap_mutex_);
      tap_lines_.push_back(line);
    };
    tap = std::make_unique<vgen::trace_tap::Tap>(options, events);
    tap_thread_ = std::thread([this] { tap->run(); });
  }
  void TearDown() override {
    if (tap) {
      tap->stop();
      tap_thread_.join();
      tap.reset();
    }
    BackendTest::TearDown();
  }
  // True when the tap logged a line holding every fragment within 5 s.
  bool tap_logged(const std::vector<std::string>& fragments) {
    return eventually([&] {
      std::lock_guard lock(tap_mutex_);
      for (const std::string& line : tap_lines_) {
        bool all = true;
        for (const std::string& f : fragments) all = all && line.find(f) != std::string::npos;
        if (all) return true;
      }
      return false;
    });
  }
  std::string tap_log() {
    std::lock_guard lock(tap_mutex_);
    std::string text;
    for (const std::string& line : tap_lines_) text += line + "\n";
    return text;
  }
  template <class Match>
  static const Seen* find(const std::vector<Seen>& all, Match match) {
    const auto found = std::find_if(all.begin(), all.end(), match);
    return found == all.end() ? nullptr : &*found;
  }
  // Echoes `text` through ring 0 of a started session; returns what came back.
  static std::string echo(Session& s, const std::string& text) {
    s.ring.add(bytes(text), 256, false);
    s.kick.signal();
    while (s.ring.pending_used() == 0) {
      if (!s.call.wait()) return "(no interrupt)";
    }
    const auto used = s.ring.pop_used();
    return std::string(used.bytes.begin(), used.bytes.end());
  }

  Events events;
  std::string tap_path;
  std::unique_ptr<vgen::trace_tap::Tap> tap;

 private:
  std::mutex tap_mutex_;
  std::vector<std::string> tap_lines_;
  std::thread tap_thread_;
};

TEST_F(TapTest, PassesASessionOnAndRecordsMessagesChainsUsedEntriesAndNotifications) {
  start_tap();
  Session s(tap_path, {kVersion1});
  s.connect();
  s.start();
  EXPECT_EQ(echo(s, "hello"), "olleh") << tap_log();
  EXPECT_EQ(echo(s, "tapped"), "deppat");
  s.stop();
  std::vector<Seen> all;
  ASSERT_TRUE(eventually([&] {
    all = events.all();
    return find(all, [](const Seen& e) {
             return e.kind == EventKind::VhostUserMessage && e.head == 1 && request_of(e) == kGetVringBase;
           }) != nullptr;
  })) << "the back end's reply to GET_VRING_BASE";

  const Seen* features = find(all, [](const Seen& e) {
    return e.kind == EventKind::VhostUserMessage && e.head == 0 && request_of(e) == kSetFeatures;
  });
  ASSERT_NE(features, nullptr);
  EXPECT_EQ(features->index, 1u) << "the first connection";
  EXPECT_EQ(features->bytes.size(), 12u + 8u);
  const Seen* reply = find(all, [](const Seen& e) {
    return e.kind == EventKind::VhostUserMessage && e.head == 1 && request_of(e) == kGetFeatures;
  });
  ASSERT_NE(reply, nullptr);
  std::uint64_t offered = 0;
  std::memcpy(&offered, reply->bytes.data() + 12, 8);
  EXPECT_EQ(offered, s.offered) << "the reply as the back end sent it";
  const Seen* table = find(all, [](const Seen& e) {
    return e.kind == EventKind::VhostUserMessage && (request_of(e) == kSetMemTable || request_of(e) == kAddMemReg);
  });
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->a, 1u) << "the region's fd";

  std::vector<const Seen*> chains, used;
  for (const Seen& e : all) {
    if (e.kind == EventKind::AvailSeen) chains.push_back(&e);
    if (e.kind == EventKind::UsedSeen) used.push_back(&e);
  }
  ASSERT_EQ(chains.size(), 2u);
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(std::string(chains[0]->payload.begin(), chains[0]->payload.end()), "hello");
  EXPECT_EQ(chains[0]->a, 5u) << "readable bytes";
  EXPECT_EQ(chains[0]->b, 256u) << "writable bytes";
  EXPECT_EQ(chains[0]->buffers, 2u);
  EXPECT_EQ(chains[1]->index, 1u) << "the avail ring position";
  EXPECT_EQ(used[0]->a, 5u) << "the used length";
  EXPECT_EQ(std::string(used[0]->payload.begin(), used[0]->payload.end()), "olleh");
  EXPECT_EQ(std::string(used[1]->payload.begin(), used[1]->payload.end()), "deppat");
  EXPECT_EQ(used[1]->head, chains[1]->head);

  const Seen* kick = find(all, [](const Seen& e) { return e.kind == EventKind::NotifySent && e.head == 0; });
  ASSERT_NE(kick, nullptr) << "the kick passed through the tap";
  EXPECT_EQ(kick->index, 1u) << "the avail idx the driver had published";
  const Seen* interrupt = find(all, [](const Seen& e) { return e.kind == EventKind::NotifySent && e.head == 1; });
  ASSERT_NE(interrupt, nullptr) << "the interrupt passed through the tap";
  EXPECT_EQ(interrupt->index, 1u) << "the used idx the device had published";
  EXPECT_EQ(tap->statistics().chains, 2u);
  EXPECT_EQ(tap->statistics().errors, 0u);
}

TEST_F(TapTest, PassesTheBackEndChannelOnBothWays) {
  start_tap();
  Session s(tap_path, {kVersion1});
  const int channel = start_and_change_config(s);
  pollfd entry{channel, POLLIN, 0};
  ASSERT_EQ(poll(&entry, 1, 5000), 1) << "the notice came through the tap's channel";
  std::uint32_t header[3] = {};
  ASSERT_EQ(recv(channel, header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
  EXPECT_EQ(header[0], 2u) << "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG";
  close(channel);
  std::vector<Seen> all;
  ASSERT_TRUE(eventually([&] {
    all = events.all();
    return find(all, [](const Seen& e) {
             return e.kind == EventKind::VhostUserMessage && e.index == 0 && e.head == 1 && request_of(e) == 2;
           }) != nullptr;
  })) << "the notice is recorded on the back-end channel (index 0), from the back end";
  EXPECT_EQ(echo(s, "still"), "llits") << "the session goes on";
}

TEST_F(TapTest, FollowsMemorySlotsAndRingsWithoutRelayedNotifications) {
  start_tap(false);
  SessionSetup setup{kVersion1};
  setup.memory_slots = true;
  Session s(tap_path, setup);
  s.connect();
  s.start();
  EXPECT_EQ(echo(s, "polled"), "dellop");
  std::vector<Seen> all;
  ASSERT_TRUE(eventually([&] {
    all = events.all();
    return find(all, [](const Seen& e) { return e.kind == EventKind::UsedSeen; }) != nullptr;
  })) << "the rings are scanned without any notification passing through the tap";
  const Seen* chain = find(all, [](const Seen& e) { return e.kind == EventKind::AvailSeen; });
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(std::string(chain->payload.begin(), chain->payload.end()), "polled");
  EXPECT_EQ(find(all, [](const Seen& e) { return e.kind == EventKind::NotifySent; }), nullptr);
  EXPECT_NE(
      find(all, [](const Seen& e) { return e.kind == EventKind::VhostUserMessage && request_of(e) == kAddMemReg; }),
      nullptr);
}

TEST_F(TapTest, AHostileRingIsReportedAndStillPassedOn) {
  start_tap();
  Session s(tap_path, {kVersion1});
  s.connect();
  s.start();
  // A chain whose second descriptor points back at the first: a loop.
  const std::uint64_t data = s.ring.desc_gpa() + 0x8000;
  s.ring.put_descriptor(0, data, 8, 1, 1);
  s.ring.put_descriptor(1, data, 8, 1, 0);
  s.ring.publish(0);
  s.kick.signal();
  ASSERT_TRUE(tap_logged({"ring 0 is no longer observed", "loop"})) << tap_log();
  std::vector<Seen> all = events.all();
  const Seen* broken = find(all, [](const Seen& e) { return e.kind == EventKind::QueueBroken; });
  ASSERT_NE(broken, nullptr);
  EXPECT_EQ(broken->index, 4u) << "ObserverError::Loop";
  EXPECT_TRUE(logged({"loop"})) << "the back end saw the chain too: " << log_text();
}

TEST_F(TapTest, AMalformedFrontEndMessageEndsOnlyThatConnection) {
  start_tap();
  {
    FrontEnd bad(tap_path);
    const std::uint32_t header[3] = {kGetFeatures, 0x2, 0};  // version 2
    bad.send_raw(header, sizeof header);
    EXPECT_TRUE(bad.closed_by_back_end());
  }
  EXPECT_TRUE(tap_logged({"connection 1 ended", "the front end", "VHOST_USER_GET_FEATURES", "version 2"})) << tap_log();
  {
    FrontEnd bad(tap_path);
    const std::uint32_t header[3] = {kSetFeatures, 0x1, 100000};
    bad.send_raw(header, sizeof header);
    EXPECT_TRUE(bad.closed_by_back_end());
  }
  EXPECT_TRUE(tap_logged({"connection 2 ended", "payload size 100000"})) << tap_log();
  {
    // A region table that says 9 regions.
    FrontEnd bad(tap_path);
    std::vector<std::uint8_t> payload(8 + 32, 0);
    payload[0] = 9;
    bad.send(kSetMemTable, payload.data(), payload.size());
    EXPECT_TRUE(bad.closed_by_back_end());
  }
  EXPECT_TRUE(tap_logged({"connection 3 ended", "VHOST_USER_SET_MEM_TABLE", "9 regions"})) << tap_log();
  {
    FrontEnd bad(tap_path);
    const std::uint32_t state[2] = {0, 64};
    bad.send(kSetVringNum, state, 4);  // half a vring state
    EXPECT_TRUE(bad.closed_by_back_end());
  }
  EXPECT_TRUE(tap_logged({"connection 4 ended", "VHOST_USER_SET_VRING_NUM: payload of 4 bytes, expected 8"}))
      << tap_log();
  Session s(tap_path, {kVersion1});
  s.connect();
  s.start();
  EXPECT_EQ(echo(s, "after"), "retfa") << "the next front end is served";
  EXPECT_EQ(tap->statistics().errors, 4u);
}

TEST_F(TapTest, AMalformedBackEndReplyEndsTheConnection) {
  // A back end that answers anything with a reply claiming 5000 payload bytes.
  const std::string hostile = path + ".hostile";
  const auto listener = vgen::vhost_user::listen_unix(hostile, true);
  std::thread server([&] {
    const int peer = accept(listener.get(), nullptr, nullptr);
    if (peer < 0) return;
    std::uint32_t request[3] = {};
    if (recv(peer, request, sizeof request, MSG_WAITALL) == static_cast<ssize_t>(sizeof request)) {
      const std::uint32_t reply[3] = {request[0], 0x5, 5000};
      send(peer, reply, sizeof reply, MSG_NOSIGNAL);
    }
    char byte;
    recv(peer, &byte, 1, 0);  // until the tap closes
    close(peer);
  });
  start_tap(true, hostile);
  FrontEnd front(tap_path);
  front.send(kGetFeatures, nullptr, 0);
  EXPECT_TRUE(front.closed_by_back_end());
  server.join();
  EXPECT_TRUE(tap_logged({"connection 1 ended", "the back end", "VHOST_USER_GET_FEATURES", "payload size 5000"}))
      << tap_log();
  unlink(hostile.c_str());
}

TEST_F(TapTest, ABackEndThatCannotBeReachedIsAnError) {
  start_tap(true, path + ".nobody");
  FrontEnd front(tap_path);
  EXPECT_TRUE(front.closed_by_back_end(std::chrono::seconds(10)));
  EXPECT_TRUE(tap_logged({"connection 1 ended", "connecting to the back end", ".nobody"})) << tap_log();
}

}  // namespace
}  // namespace vhost_test
