// The xen layer's trace hooks: ring entries and pushes, grant mappings, event channel
// notifications, each with the fields docs/trace.md gives them.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>
#include <vgen/xen/ring.hpp>

namespace vgen::xen {
namespace {

using trace::EventKind;

struct TracedEvent {
  EventKind kind;
  std::uint16_t queue, head;
  std::uint32_t index;
  std::uint64_t a, b;
  std::vector<std::byte> bytes;
};

struct TraceSpy final : trace::TraceSink {
  std::vector<TracedEvent> seen;
  void record(const trace::Event& e) noexcept override {
    seen.push_back({e.kind, e.queue, e.head, e.index, e.a, e.b, {e.bytes.begin(), e.bytes.end()}});
  }
};

// Logs how a ring groups its events: "+kind" for an event in a group, "kind" for one alone,
// "|" where a group ends.
struct GroupSpy final : trace::TraceSink {
  std::vector<std::string> seen;
  void record(const trace::Event& e) noexcept override { seen.push_back(std::to_string(static_cast<int>(e.kind))); }
  void record_in_group(const trace::Event& e) noexcept override {
    seen.push_back("+" + std::to_string(static_cast<int>(e.kind)));
  }
  void end_group() noexcept override { seen.push_back("|"); }
};

struct TracedRequest {
  std::uint64_t id;
  std::uint32_t value;
  std::uint32_t reserved;
};
struct TracedResponse {
  std::uint64_t id;
  std::int32_t status;
  std::uint32_t reserved;
};

// A front and a back ring on one page, both tracing into one `Sink` as ring 7.
template <class Sink>
struct TracedRings {
  alignas(4096) std::byte page[4096]{};
  FrontRing<TracedRequest, TracedResponse> front{std::span(page)};
  BackRing<TracedRequest, TracedResponse> back{std::span(page)};
  Sink sink;
  explicit TracedRings(trace::Ends ends = trace::Ends::One) {
    front.set_trace(&sink, 7, ends);
    back.set_trace(&sink, 7, ends);
  }
};

// The entries queued or taken up to a push share a group with the push, which ends it; a poll
// that finds nothing and a push with nothing new end the group too.
TEST(XenTrace, EntriesShareAGroupWithTheirPush) {
  TracedRings<GroupSpy> rings;
  auto& [page, front, back, sink] = rings;
  front.queue_request({1, 0, 0});
  front.queue_request({2, 0, 0});
  front.push_requests();
  ASSERT_TRUE(back.take_request().has_value());
  ASSERT_TRUE(back.take_request().has_value());
  EXPECT_FALSE(back.take_request().has_value());
  back.queue_response({1, 0, 0});
  back.push_responses();
  front.push_requests();
  const std::string request = std::to_string(static_cast<int>(EventKind::XenRequest));
  const std::string response = std::to_string(static_cast<int>(EventKind::XenResponse));
  const std::string pushed = std::to_string(static_cast<int>(EventKind::XenPushed));
  const std::vector<std::string> expected = {"+" + request, "+" + request, "+" + pushed, "|",
                                             "+" + request, "+" + request, "|",          "+" + response,
                                             "+" + pushed,  "|",           "|"};
  EXPECT_EQ(sink.seen, expected);
}

TEST(XenTrace, RingEntriesAndPushesCarryTheirIndexesAndBytes) {
  TracedRings<TraceSpy> rings;
  auto& [page, front, back, sink] = rings;
  front.queue_request({42, 5, 0});
  EXPECT_TRUE(front.push_requests());
  ASSERT_TRUE(back.take_request().has_value());
  back.queue_response({42, -1, 0});
  back.push_responses();
  ASSERT_TRUE(front.take_response().has_value());
  EXPECT_FALSE(front.push_requests()) << "nothing new";

  ASSERT_EQ(sink.seen.size(), 6u);
  const TracedEvent& queued = sink.seen[0];
  EXPECT_EQ(queued.kind, EventKind::XenRequest);
  EXPECT_EQ(queued.queue, 7u) << "the ring's device id";
  EXPECT_EQ(queued.head, 0u) << "queued by the frontend";
  EXPECT_EQ(queued.index, 0u);
  ASSERT_EQ(queued.bytes.size(), sizeof(TracedRequest));
  TracedRequest request{};
  std::memcpy(&request, queued.bytes.data(), sizeof request);
  EXPECT_EQ(request.id, 42u);
  EXPECT_EQ(request.value, 5u);
  EXPECT_EQ(sink.seen[1].kind, EventKind::XenPushed);
  EXPECT_EQ(sink.seen[1].head, 0u) << "requests";
  EXPECT_EQ(sink.seen[1].index, 1u) << "the new req_prod";
  EXPECT_EQ(sink.seen[1].a, 1u) << "the backend must be notified";
  EXPECT_EQ(sink.seen[2].kind, EventKind::XenRequest);
  EXPECT_EQ(sink.seen[2].head, 1u) << "taken by the backend";
  EXPECT_EQ(sink.seen[3].kind, EventKind::XenResponse);
  EXPECT_EQ(sink.seen[3].head, 0u) << "queued by the backend";
  EXPECT_EQ(sink.seen[4].kind, EventKind::XenPushed);
  EXPECT_EQ(sink.seen[4].head, 1u) << "responses";
  EXPECT_EQ(sink.seen[5].kind, EventKind::XenResponse);
  EXPECT_EQ(sink.seen[5].head, 1u) << "taken by the frontend";
  TracedResponse response{};
  std::memcpy(&response, sink.seen[5].bytes.data(), sizeof response);
  EXPECT_EQ(response.status, -1);
}

// Both ends into one sink, saying so: an entry's bytes are recorded once, when it is queued; the
// end that takes it records its index alone.
TEST(XenTrace, BothEndsRecordTheBytesOfWhatTheyQueueOnly) {
  TracedRings<TraceSpy> rings(trace::Ends::Both);
  auto& [page, front, back, sink] = rings;
  front.queue_request({42, 5, 0});
  front.push_requests();
  ASSERT_TRUE(back.take_request().has_value());
  back.queue_response({42, -1, 0});
  back.push_responses();
  ASSERT_TRUE(front.take_response().has_value());
  ASSERT_EQ(sink.seen.size(), 6u);
  const std::size_t entry_bytes[6] = {sizeof(TracedRequest), 0, 0, sizeof(TracedResponse), 0, 0};
  for (std::size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(sink.seen[i].bytes.size(), entry_bytes[i]);
  }
  EXPECT_EQ(sink.seen[2].kind, EventKind::XenRequest);
  EXPECT_EQ(sink.seen[2].head, 1u) << "taken by the backend";
  EXPECT_EQ(sink.seen[2].index, 0u);
  EXPECT_EQ(sink.seen[5].kind, EventKind::XenResponse);
  EXPECT_EQ(sink.seen[5].head, 1u) << "taken by the frontend";
  EXPECT_EQ(sink.seen[5].index, 0u);
}

TEST(XenTrace, GrantMappingsAndUnmappings) {
  GrantTable table = GrantTable::create(1, 2, 8);
  const GrantRef ref = table.grant_access(2, 1, Access::ReadOnly);
  GrantMapper mapper = GrantMapper::attach(table, 2);
  TraceSpy sink;
  mapper.set_trace(&sink);
  {
    GrantMapping mapping = mapper.map(ref, Access::ReadOnly);
    ASSERT_EQ(sink.seen.size(), 1u);
  }
  ASSERT_EQ(sink.seen.size(), 2u);
  for (const TracedEvent& s : sink.seen) {
    EXPECT_EQ(s.index, ref);
    EXPECT_EQ(s.head, 2u) << "the mapping domain";
    EXPECT_EQ(s.a, 1u) << "the granting domain";
    EXPECT_EQ(s.b, 0u) << "read-only";
  }
  EXPECT_EQ(sink.seen[0].kind, EventKind::GrantMapped);
  EXPECT_EQ(sink.seen[1].kind, EventKind::GrantUnmapped);
  EXPECT_THROW(mapper.map(ref, Access::ReadWrite), Error);
  EXPECT_EQ(sink.seen.size(), 2u) << "a refused mapping is not one";
}

TEST(XenTrace, NotificationsSentAndConsumed) {
  EventChannels first(1);
  EventChannels second(2);
  EventChannels::link(first, second);
  TraceSpy sink;
  first.set_trace(&sink);
  second.set_trace(&sink);
  const Port port = first.alloc_unbound(2);
  const Port bound = second.bind_interdomain(1, port);
  first.notify(port);
  EXPECT_FALSE(first.wait(port, std::chrono::nanoseconds(0)));
  EXPECT_TRUE(second.wait(bound, std::chrono::seconds(1)));
  ASSERT_EQ(sink.seen.size(), 2u) << "a wait that found nothing is not recorded";
  EXPECT_EQ(sink.seen[0].kind, EventKind::EventSent);
  EXPECT_EQ(sink.seen[0].head, 1u);
  EXPECT_EQ(sink.seen[0].index, port);
  EXPECT_EQ(sink.seen[1].kind, EventKind::EventReceived);
  EXPECT_EQ(sink.seen[1].head, 2u);
  EXPECT_EQ(sink.seen[1].index, bound);
}

}  // namespace
}  // namespace vgen::xen
