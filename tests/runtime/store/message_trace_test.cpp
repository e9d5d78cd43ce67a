// XenStore message tracing: the in-process store records each operation as the request and
// reply a wire client would exchange, and each watch event, with xs_wire.h's header.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <vgen/store/local_client.hpp>
#include <vgen/store/message_trace.hpp>

namespace vgen::store {
namespace {

struct TracedMessage {
  std::uint16_t domain, direction;
  std::uint32_t connection;
  std::uint64_t at;
  Header header;
  std::string payload;
};

struct MessageSpy final : trace::TraceSink {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<TracedMessage> seen;
  void record(const trace::Event& e) noexcept override {
    if (e.kind != trace::EventKind::StoreMessage || e.bytes.size() < kHeaderSize) return;
    const Header header = decode_header(e.bytes.first<kHeaderSize>());
    std::lock_guard lock(mutex);
    seen.push_back(
        {e.queue, e.head, e.index, e.a, header,
         std::string(reinterpret_cast<const char*>(e.bytes.data()) + kHeaderSize, e.bytes.size() - kHeaderSize)});
    changed.notify_all();
  }
};

TEST(StoreMessageTrace, LocalOperationsAreRecordedAsTheirWireMessages) {
  LocalStore store;
  MessageSpy spy;
  store.set_trace(&spy);
  LocalClient client(store, 0);
  client.write("/a", "value");
  EXPECT_EQ(client.read("/a"), "value");
  EXPECT_THROW(client.read("/missing"), ClientError);

  std::lock_guard lock(spy.mutex);
  ASSERT_EQ(spy.seen.size(), 6u);
  const TracedMessage& write = spy.seen[0];
  EXPECT_EQ(write.direction, 0u) << "to the daemon";
  EXPECT_EQ(write.at, 1u) << "seen by the store";
  EXPECT_EQ(write.header.type, static_cast<std::uint32_t>(MessageType::Write));
  EXPECT_EQ(write.header.len, write.payload.size());
  EXPECT_EQ(write.payload, std::string("/a\0value", 8));
  EXPECT_EQ(spy.seen[1].direction, 1u);
  EXPECT_EQ(spy.seen[1].header.req_id, write.header.req_id) << "the reply answers the request";
  EXPECT_EQ(spy.seen[1].payload, std::string("OK\0", 3));
  EXPECT_EQ(spy.seen[3].payload, "value");
  EXPECT_EQ(spy.seen[5].header.type, static_cast<std::uint32_t>(MessageType::Error));
  EXPECT_EQ(spy.seen[5].payload, std::string("ENOENT\0", 7));
}

TEST(StoreMessageTrace, WatchEventsAreRecordedForTheWatchersConnection) {
  LocalStore store;
  MessageSpy spy;
  store.set_trace(&spy);
  LocalClient watcher(store, 0);
  LocalClient writer(store, 0);
  watcher.watch("/w", "token", [](const std::string&, const std::string&) {});
  writer.write("/w", "1");
  std::lock_guard lock(spy.mutex);
  std::vector<std::string> events;
  for (const TracedMessage& m : spy.seen) {
    if (m.header.type == static_cast<std::uint32_t>(MessageType::WatchEvent)) events.push_back(m.payload);
  }
  ASSERT_EQ(events.size(), 2u) << "the event on registration, then the write's";
  EXPECT_EQ(events[0], std::string("/w\0token\0", 9));
  EXPECT_EQ(events[1], std::string("/w\0token\0", 9));
}

TEST(StoreMessageTrace, NoSinkNoRecordsAndANullSinkIsIgnored) {
  MessageSpy spy;
  trace_message(nullptr, 1, 2, TracedDirection::ToDaemon, TracedAt::Client, Message{});
  trace_message(&spy, 3, 4, TracedDirection::FromDaemon, TracedAt::Client, Message{Header{2, 9, 0, 77}, "x"});
  ASSERT_EQ(spy.seen.size(), 1u);
  EXPECT_EQ(spy.seen[0].domain, 3u);
  EXPECT_EQ(spy.seen[0].connection, 4u);
  EXPECT_EQ(spy.seen[0].at, 0u);
  EXPECT_EQ(spy.seen[0].header.len, 1u) << "the length the payload has, not the header's claim";
}

}  // namespace
}  // namespace vgen::store
