// Shared rings on one thread: initialisation, the exact bytes each step writes, the
// notification rule, flow limits, and the checks against a hostile peer.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <vgen/shm/region.hpp>
#include <vgen/xen/blkif.hpp>
#include <vgen/xen/netif.hpp>
#include <vgen/xen/ring.hpp>

#include "error_of.hpp"

namespace vgen::xen {
namespace {

using test::error_of;
using test::mentions;

struct Request {
  std::uint64_t id;
  std::uint32_t value;
  std::uint32_t reserved;
};
struct Response {
  std::uint64_t id;
  std::int32_t status;
  std::uint32_t reserved;
};
using Front = FrontRing<Request, Response>;
using Back = BackRing<Request, Response>;

// (4096 - 64) / 16 = 252 entries fit; 128 is the power of two below.
constexpr std::uint32_t kEntries = 128;

class RingTest : public ::testing::Test {
 protected:
  RingTest() { std::memset(page.data(), 0xAA, page.size()); }

  RingIndex index_at(std::size_t offset) const {
    RingIndex value;
    std::memcpy(&value, page.data() + offset, sizeof value);
    return value;
  }
  void set_index(std::size_t offset, RingIndex value) { std::memcpy(page.data() + offset, &value, sizeof value); }
  template <class T>
  T entry_at(std::uint32_t slot) const {
    T value;
    std::memcpy(&value, page.data() + kRingEntriesOffset + slot * sizeof(Request), sizeof value);
    return value;
  }
  template <class T>
  void set_entry(std::uint32_t slot, const T& value) {
    std::memcpy(page.data() + kRingEntriesOffset + slot * sizeof(Request), &value, sizeof value);
  }

  shm::Region region = shm::Region::create("ring-test", kPageSize);
  std::span<std::byte> page{region.data(), kPageSize};
};

TEST_F(RingTest, FrontendInitialisesIndexesAndPadding) {
  Front front(page);
  EXPECT_EQ(index_at(kRingReqProdOffset), 0u);
  EXPECT_EQ(index_at(kRingReqEventOffset), 1u);
  EXPECT_EQ(index_at(kRingRspProdOffset), 0u);
  EXPECT_EQ(index_at(kRingRspEventOffset), 1u);
  for (std::size_t i = 16; i < kRingEntriesOffset; ++i) EXPECT_EQ(page[i], std::byte{0}) << "byte " << i;
  EXPECT_EQ(page[kRingEntriesOffset], std::byte{0xAA}) << "entries are left alone";
  EXPECT_EQ(front.size(), kEntries);
  EXPECT_EQ(front.free_requests(), kEntries);
}

TEST_F(RingTest, BackendDoesNotWriteOnAttach) {
  Back back(page);
  EXPECT_EQ(back.size(), kEntries);
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(page[i], std::byte{0xAA});
}

TEST_F(RingTest, RequestsAndResponsesGoWhereTheLayoutSays) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({100 + i, i * 10, 0});
  EXPECT_EQ(entry_at<Request>(1).id, 101u);
  EXPECT_EQ(entry_at<Request>(2).value, 20u);
  EXPECT_EQ(index_at(kRingReqProdOffset), 0u) << "queued requests are not published yet";
  EXPECT_FALSE(back.take_request().has_value());

  EXPECT_TRUE(front.push_requests()) << "req_event 1 lies in (0, 3]";
  EXPECT_EQ(index_at(kRingReqProdOffset), 3u);
  EXPECT_EQ(back.unconsumed_requests(), 3u);

  std::vector<Request> taken;
  for (std::uint32_t i = 0; i < 3; ++i) {
    const std::optional<Request> request = back.take_request();
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->id, 100u + i);
    taken.push_back(*request);
  }
  EXPECT_EQ(back.awaiting_response(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) back.queue_response({taken[i].id, -static_cast<std::int32_t>(i), 0});
  EXPECT_EQ(back.awaiting_response(), 0u);
  EXPECT_EQ(index_at(kRingRspProdOffset), 0u) << "queued responses are not published yet";
  EXPECT_EQ(entry_at<Response>(2).status, -2) << "a response reuses its request's entry";
  EXPECT_TRUE(back.push_responses());
  EXPECT_EQ(index_at(kRingRspProdOffset), 3u);

  EXPECT_EQ(front.outstanding(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    const std::optional<Response> response = front.take_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->id, 100u + i);
  }
  EXPECT_FALSE(front.take_response().has_value());
  EXPECT_EQ(front.outstanding(), 0u);
}

TEST_F(RingTest, NotifyOnlyWhenTheEventIndexIsCrossed) {
  Front front(page);
  Back back(page);
  front.queue_request({1, 0, 0});
  EXPECT_TRUE(front.push_requests());  // 0 -> 1 crosses req_event 1
  front.queue_request({2, 0, 0});
  EXPECT_FALSE(front.push_requests());  // 1 -> 2: the backend has not asked again
  ASSERT_TRUE(back.take_request());
  ASSERT_TRUE(back.take_request());
  EXPECT_FALSE(back.final_check_for_requests());
  EXPECT_EQ(index_at(kRingReqEventOffset), 3u) << "event = consumer + 1";
  front.queue_request({3, 0, 0});
  front.queue_request({4, 0, 0});
  EXPECT_TRUE(front.push_requests());  // 2 -> 4 crosses 3
  // A consumer that set its event further ahead is not woken before it.
  set_index(kRingReqEventOffset, 7);
  front.queue_request({5, 0, 0});
  EXPECT_FALSE(front.push_requests());  // 4 -> 5
  front.queue_request({6, 0, 0});
  front.queue_request({7, 0, 0});
  EXPECT_TRUE(front.push_requests());  // 5 -> 7 reaches 7
  EXPECT_FALSE(front.push_requests()) << "pushing nothing never notifies";
}

TEST_F(RingTest, FinalCheckSeesWorkAndArmsTheEvent) {
  Front front(page);
  Back back(page);
  EXPECT_FALSE(back.final_check_for_requests());
  EXPECT_EQ(index_at(kRingReqEventOffset), 1u);
  front.queue_request({1, 0, 0});
  front.push_requests();
  set_index(kRingReqEventOffset, 50);
  EXPECT_TRUE(back.final_check_for_requests());
  EXPECT_EQ(index_at(kRingReqEventOffset), 50u) << "with work waiting the event is left alone";
  back.take_request();
  back.queue_response({1, 0, 0});
  EXPECT_TRUE(back.push_responses());
  EXPECT_TRUE(front.final_check_for_responses());
  front.take_response();
  EXPECT_FALSE(front.final_check_for_responses());
  EXPECT_EQ(index_at(kRingRspEventOffset), 2u);
}

TEST_F(RingTest, FrontendKeepsOutstandingRequestsWithinTheRing) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < kEntries; ++i) front.queue_request({i, 0, 0});
  EXPECT_EQ(front.free_requests(), 0u);
  const std::string message = error_of([&] { front.queue_request({999, 0, 0}); }, ErrorCode::RingFull);
  EXPECT_PRED2(mentions, message, "req_prod_pvt=128, rsp_cons=0, size=128");
  EXPECT_FALSE(front.broken()) << "a caller mistake does not break the ring";
  front.push_requests();
  back.take_request();
  back.queue_response({0, 0, 0});
  back.push_responses();
  front.take_response();
  front.queue_request({128, 0, 0});  // one entry came free
}

TEST_F(RingTest, BackendAnswersOnlyTakenRequests) {
  Front front(page);
  Back back(page);
  const std::string message = error_of([&] { back.queue_response({0, 0, 0}); }, ErrorCode::Invalid);
  EXPECT_PRED2(mentions, message, "req_cons=0, rsp_prod_pvt=0");
  EXPECT_FALSE(back.broken());
}

TEST_F(RingTest, IndexesWrapAroundTheEntriesManyTimes) {
  Front front(page);
  Back back(page);
  std::uint64_t next = 0, answered = 0;
  while (answered < 20 * kEntries) {
    for (std::uint32_t i = 0; i < 37 && front.free_requests() > 0; ++i) front.queue_request({next++, 0, 0});
    front.push_requests();
    while (auto request = back.take_request()) back.queue_response({request->id, 1, 0});
    back.push_responses();
    while (auto response = front.take_response()) ASSERT_EQ(response->id, answered++);
  }
  EXPECT_EQ(index_at(kRingRspProdOffset), static_cast<RingIndex>(answered));
}

TEST_F(RingTest, BackendReadsRequestProducerOncePerBatch) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  EXPECT_EQ(back.take_request()->id, 0u);  // reads req_prod = 3
  // A value no frontend may publish: the requests seen at the last read are taken first.
  set_index(kRingReqProdOffset, kEntries + 5);
  EXPECT_EQ(back.take_request()->id, 1u);
  EXPECT_EQ(back.take_request()->id, 2u);
  const std::string message = error_of([&] { back.take_request(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "req_prod=133: 130 unconsumed and 133 unanswered");
  EXPECT_PRED2(mentions, message, "req_cons=3, rsp_prod_pvt=0, size=128");
  EXPECT_TRUE(back.broken());
}

TEST_F(RingTest, BackendReadsRequestProducerAgainOnceItCatchesUp) {
  Front front(page);
  Back back(page);
  front.queue_request({0, 0, 0});
  front.queue_request({1, 0, 0});
  front.push_requests();
  EXPECT_EQ(back.take_request()->id, 0u);  // reads req_prod = 2
  front.queue_request({2, 0, 0});
  front.queue_request({3, 0, 0});
  front.push_requests();
  for (std::uint64_t id = 1; id < 4; ++id) EXPECT_EQ(back.take_request()->id, id);
  EXPECT_FALSE(back.take_request().has_value());
  EXPECT_EQ(back.awaiting_response(), 4u);
}

TEST_F(RingTest, UnconsumedRequestsReadsTheProducerAfresh) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  back.take_request();
  set_index(kRingReqProdOffset, kEntries + 5);
  EXPECT_PRED2(mentions, error_of([&] { back.unconsumed_requests(); }, ErrorCode::RingOverflow), "req_prod=133");
}

TEST_F(RingTest, FrontendReadsResponseProducerOncePerBatch) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  while (auto request = back.take_request()) back.queue_response({request->id, 0, 0});
  back.push_responses();
  EXPECT_EQ(front.take_response()->id, 0u);  // reads rsp_prod = 3
  set_index(kRingRspProdOffset, 9);          // more than the 3 requests published
  EXPECT_EQ(front.take_response()->id, 1u);
  EXPECT_EQ(front.take_response()->id, 2u);
  const std::string message = error_of([&] { front.take_response(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "6 responses but only 0 requests are outstanding");
  EXPECT_PRED2(mentions, message, "rsp_prod=9, rsp_cons=3, req_prod=3");
  EXPECT_TRUE(front.broken());
}

TEST_F(RingTest, FrontendReadsResponseProducerAgainOnceItCatchesUp) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 4; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  for (std::uint64_t id = 0; id < 2; ++id) back.queue_response({back.take_request()->id, 0, 0});
  back.push_responses();
  EXPECT_EQ(front.take_response()->id, 0u);  // reads rsp_prod = 2
  for (std::uint64_t id = 2; id < 4; ++id) back.queue_response({back.take_request()->id, 0, 0});
  back.push_responses();
  for (std::uint64_t id = 1; id < 4; ++id) EXPECT_EQ(front.take_response()->id, id);
  EXPECT_FALSE(front.take_response().has_value());
  EXPECT_EQ(front.outstanding(), 0u);
}

TEST_F(RingTest, UnconsumedResponsesReadsTheProducerAfresh) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  while (auto request = back.take_request()) back.queue_response({request->id, 0, 0});
  back.push_responses();
  front.take_response();
  set_index(kRingRspProdOffset, 9);
  EXPECT_PRED2(mentions, error_of([&] { front.unconsumed_responses(); }, ErrorCode::RingOverflow), "rsp_prod=9");
  // Responses 1 and 2 were seen before; a broken ring hands out none.
  EXPECT_PRED2(mentions, error_of([&] { front.take_response(); }, ErrorCode::RingBroken), "take_response refused");
}

TEST_F(RingTest, ConsumerWorksOnAPrivateCopy) {
  Front front(page);
  Back back(page);
  front.queue_request({5, 55, 0});
  front.push_requests();
  const std::optional<Request> request = back.take_request();
  set_entry(0, Request{6, 66, 0});  // the frontend rewrites the entry afterwards
  EXPECT_EQ(request->id, 5u);
  EXPECT_EQ(request->value, 55u);
}

TEST(RingSetup, RejectsMemoryWithoutRoomOrAlignment) {
  alignas(64) std::byte small[64 + 15] = {};
  std::string message = error_of([&] { Front front(small); }, ErrorCode::Invalid);
  EXPECT_PRED2(mentions, message, "no entry of 16 bytes fits");
  alignas(64) std::byte buffer[256] = {};
  message = error_of([&] { Back back(std::span(buffer + 4, 128)); }, ErrorCode::Invalid);
  EXPECT_PRED2(mentions, message, "not aligned to 8 bytes");
  Front one(std::span(buffer, 64 + 16));
  EXPECT_EQ(one.size(), 1u);
}

TEST(RingSetup, EntryCountsFollowTheSizes) {
  EXPECT_EQ((ring_entry_size<Request, Response>), 16u);
  EXPECT_EQ((ring_entries<blkif::Request, blkif::Response>(kPageSize)), 32u);
  EXPECT_EQ((ring_entries<blkif::Request, blkif::Response>(ring_bytes(1))), 64u);
  EXPECT_EQ((ring_entries<blkif::Request, blkif::Response>(ring_bytes(4))), 512u);
  EXPECT_EQ((ring_entries<netif::TxRequest, netif::TxResponse>(kPageSize)), 256u);
  EXPECT_EQ((ring_entries<netif::RxRequest, netif::RxResponse>(kPageSize)), 256u);
  // Mixed alignment: a 12-byte request and an 8-byte-aligned response make 16-byte entries.
  struct Twelve {
    std::uint32_t a, b, c;
  };
  struct Eight {
    std::uint64_t a;
  };
  EXPECT_EQ((ring_entry_size<Twelve, Eight>), 16u);
  EXPECT_EQ(ring_entry_count(64 + 24 * 168, 24), 128u);
  EXPECT_EQ(ring_entry_count(63, 8), 0u);
  EXPECT_EQ(round_down_to_power_of_two(0), 0u);
  EXPECT_EQ(round_down_to_power_of_two(1), 1u);
  EXPECT_EQ(round_down_to_power_of_two(255), 128u);
}

TEST(RingSetup, MultiPageRing) {
  shm::Region region = shm::Region::create("ring-order-2", ring_bytes(2));
  blkif::FrontRing front(std::span(region.data(), ring_bytes(2)));
  blkif::BackRing back(std::span(region.data(), ring_bytes(2)));
  ASSERT_EQ(front.size(), 128u);
  for (std::uint64_t round = 0; round < 3; ++round) {
    for (std::uint32_t i = 0; i < front.size(); ++i) {
      blkif::Request request;
      request.id = round * 1000 + i;
      front.queue_request(request);
    }
    front.push_requests();
    while (auto request = back.take_request()) {
      blkif::Response response;
      response.id = request->id;
      back.queue_response(response);
    }
    back.push_responses();
    for (std::uint32_t i = 0; i < front.size(); ++i) ASSERT_EQ(front.take_response()->id, round * 1000 + i);
  }
}

// ---- a hostile peer ----

TEST_F(RingTest, FrontendClaimingMoreRequestsThanTheRingHoldsBreaksTheRing) {
  Front front(page);
  Back back(page);
  set_index(kRingReqProdOffset, kEntries + 1);
  const std::string message = error_of([&] { back.take_request(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "req_prod=129");
  EXPECT_PRED2(mentions, message, "req_cons=0, rsp_prod_pvt=0, size=128");
  EXPECT_TRUE(back.broken());
  // Nothing more is done with this ring, even once the index looks sane again.
  set_index(kRingReqProdOffset, 1);
  EXPECT_PRED2(mentions, error_of([&] { back.take_request(); }, ErrorCode::RingBroken), "req_prod=129");
  error_of([&] { back.unconsumed_requests(); }, ErrorCode::RingBroken);
  error_of([&] { back.final_check_for_requests(); }, ErrorCode::RingBroken);
  error_of([&] { back.queue_response({0, 0, 0}); }, ErrorCode::RingBroken);
  error_of([&] { back.push_responses(); }, ErrorCode::RingBroken);
}

TEST_F(RingTest, FrontendMovingItsProducerBackwardsBreaksTheRing) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 6; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  for (int i = 0; i < 5; ++i) back.take_request();
  set_index(kRingReqProdOffset, 4);  // behind req_cons 5
  // Request 5 was published when req_prod was read; the backend reads it again only after.
  EXPECT_EQ(back.take_request()->id, 5u);
  const std::string message = error_of([&] { back.take_request(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "req_prod=4");
  EXPECT_PRED2(mentions, message, "req_cons=6");
}

TEST_F(RingTest, FrontendClaimingMoreUnansweredRequestsThanTheRingHoldsBreaksTheRing) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < kEntries; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  for (int i = 0; i < 10; ++i) back.take_request();  // 10 taken, none answered
  // 119 unconsumed fit the ring, but 129 unanswered requests cannot exist.
  set_index(kRingReqProdOffset, kEntries + 1);
  const std::string message = error_of([&] { back.final_check_for_requests(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "129 unanswered");
  // 118 requests seen at the earlier read are still untaken; a broken ring hands out none.
  EXPECT_PRED2(mentions, error_of([&] { back.take_request(); }, ErrorCode::RingBroken), "take_request refused");
}

TEST_F(RingTest, BackendAnsweringMoreThanOutstandingBreaksTheRing) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 3; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  set_index(kRingRspProdOffset, 5);
  const std::string message = error_of([&] { front.take_response(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "5 responses but only 3 requests are outstanding");
  EXPECT_PRED2(mentions, message, "rsp_prod=5, rsp_cons=0, req_prod=3");
  EXPECT_TRUE(front.broken());
  error_of([&] { front.queue_request({9, 0, 0}); }, ErrorCode::RingBroken);
  error_of([&] { front.push_requests(); }, ErrorCode::RingBroken);
  error_of([&] { front.final_check_for_responses(); }, ErrorCode::RingBroken);
}

TEST_F(RingTest, BackendAnsweringUnpublishedRequestsBreaksTheRing) {
  Front front(page);
  front.queue_request({0, 0, 0});  // queued, not pushed: the backend cannot have seen it
  set_index(kRingRspProdOffset, 1);
  error_of([&] { front.unconsumed_responses(); }, ErrorCode::RingOverflow);
}

TEST_F(RingTest, BackendMovingItsProducerBackwardsBreaksTheRing) {
  Front front(page);
  Back back(page);
  for (std::uint32_t i = 0; i < 4; ++i) front.queue_request({i, 0, 0});
  front.push_requests();
  while (auto request = back.take_request()) back.queue_response({request->id, 0, 0});
  back.push_responses();
  front.take_response();
  front.take_response();
  set_index(kRingRspProdOffset, 1);  // behind rsp_cons 2
  const std::string message = error_of([&] { front.final_check_for_responses(); }, ErrorCode::RingOverflow);
  EXPECT_PRED2(mentions, message, "rsp_prod=1, rsp_cons=2");
}

}  // namespace
}  // namespace vgen::xen
