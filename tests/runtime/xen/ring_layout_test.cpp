// vgen's ring layout and blkif/netif messages against Xen's own headers: the same offsets,
// sizes and entry counts, computed here with Xen's macros (and in C by xen_peer.c).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <vgen/shm/region.hpp>
#include <vgen/xen/blkif.hpp>
#include <vgen/xen/netif.hpp>
#include <vgen/xen/ring.hpp>

// Without an interface version the headers map their barriers to the legacy mb() family;
// this test expands no macro that needs a barrier.
#define __XEN_INTERFACE_VERSION__ 0x00040e00
extern "C" {
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <xen/io/ring.h>
}

#include "xen_peer.h"

namespace vgen::xen {
namespace {

// ---- checked at compile time with Xen's definitions ----
static_assert(offsetof(blkif_sring_t, req_prod) == kRingReqProdOffset);
static_assert(offsetof(blkif_sring_t, req_event) == kRingReqEventOffset);
static_assert(offsetof(blkif_sring_t, rsp_prod) == kRingRspProdOffset);
static_assert(offsetof(blkif_sring_t, rsp_event) == kRingRspEventOffset);
static_assert(offsetof(blkif_sring_t, ring) == kRingEntriesOffset);
static_assert(sizeof(RING_IDX) == sizeof(RingIndex));
static_assert(sizeof(union blkif_sring_entry) == ring_entry_size<blkif::Request, blkif::Response>);
static_assert(sizeof(struct blkif_request) == sizeof(blkif::Request));
static_assert(sizeof(struct blkif_response) == sizeof(blkif::Response));
static_assert(sizeof(struct blkif_request_segment) == sizeof(blkif::Segment));
static_assert(offsetof(struct blkif_request, operation) == offsetof(blkif::Request, operation));
static_assert(offsetof(struct blkif_request, nr_segments) == offsetof(blkif::Request, segment_count));
static_assert(offsetof(struct blkif_request, handle) == offsetof(blkif::Request, handle));
static_assert(offsetof(struct blkif_request, id) == offsetof(blkif::Request, id));
static_assert(offsetof(struct blkif_request, sector_number) == offsetof(blkif::Request, sector));
static_assert(offsetof(struct blkif_request, seg) == offsetof(blkif::Request, segments));
static_assert(offsetof(struct blkif_request_segment, gref) == offsetof(blkif::Segment, gref));
static_assert(offsetof(struct blkif_request_segment, first_sect) == offsetof(blkif::Segment, first_sector));
static_assert(offsetof(struct blkif_request_segment, last_sect) == offsetof(blkif::Segment, last_sector));
static_assert(offsetof(struct blkif_response, id) == offsetof(blkif::Response, id));
static_assert(offsetof(struct blkif_response, operation) == offsetof(blkif::Response, operation));
static_assert(offsetof(struct blkif_response, status) == offsetof(blkif::Response, status));
static_assert(BLKIF_MAX_SEGMENTS_PER_REQUEST == blkif::kMaxSegmentsPerRequest);
static_assert(BLKIF_OP_READ == blkif::kOpRead && BLKIF_OP_WRITE == blkif::kOpWrite);
static_assert(BLKIF_OP_WRITE_BARRIER == blkif::kOpWriteBarrier && BLKIF_OP_FLUSH_DISKCACHE == blkif::kOpFlushDiskCache);
static_assert(BLKIF_OP_DISCARD == blkif::kOpDiscard && BLKIF_OP_INDIRECT == blkif::kOpIndirect);
static_assert(BLKIF_RSP_OKAY == blkif::kStatusOkay && BLKIF_RSP_ERROR == blkif::kStatusError &&
              BLKIF_RSP_EOPNOTSUPP == blkif::kStatusNotSupported);
static_assert(__CONST_RING_SIZE(blkif, 4096) == ring_entries<blkif::Request, blkif::Response>(kPageSize));
static_assert(__CONST_RING_SIZE(blkif, 4096) == 32);
static_assert(sizeof(struct netif_tx_request) == sizeof(netif::TxRequest));
static_assert(offsetof(struct netif_tx_request, offset) == offsetof(netif::TxRequest, offset));
static_assert(offsetof(struct netif_tx_request, flags) == offsetof(netif::TxRequest, flags));
static_assert(offsetof(struct netif_tx_request, id) == offsetof(netif::TxRequest, id));
static_assert(offsetof(struct netif_tx_request, size) == offsetof(netif::TxRequest, size));
static_assert(sizeof(struct netif_tx_response) == sizeof(netif::TxResponse));
static_assert(offsetof(struct netif_tx_response, status) == offsetof(netif::TxResponse, status));
static_assert(sizeof(struct netif_rx_request) == sizeof(netif::RxRequest));
static_assert(offsetof(struct netif_rx_request, gref) == offsetof(netif::RxRequest, gref));
static_assert(sizeof(struct netif_rx_response) == sizeof(netif::RxResponse));
static_assert(offsetof(struct netif_rx_response, offset) == offsetof(netif::RxResponse, offset));
static_assert(offsetof(struct netif_rx_response, flags) == offsetof(netif::RxResponse, flags));
static_assert(offsetof(struct netif_rx_response, status) == offsetof(netif::RxResponse, status));
static_assert(__CONST_RING_SIZE(netif_tx, 4096) == ring_entries<netif::TxRequest, netif::TxResponse>(kPageSize));
static_assert(__CONST_RING_SIZE(netif_rx, 4096) == ring_entries<netif::RxRequest, netif::RxResponse>(kPageSize));

TEST(RingLayout, RingSizeMacroAgreesForEveryPageOrder) {
  static blkif_sring_t ring;  // __RING_SIZE takes a ring; only its address is used
  blkif_sring_t* sring = &ring;
  for (unsigned order = 0; order <= kMaxRingPageOrder; ++order) {
    const std::size_t bytes = ring_bytes(order);
    EXPECT_EQ(static_cast<std::uint32_t>(__RING_SIZE(sring, bytes)),
              (ring_entries<blkif::Request, blkif::Response>(bytes)))
        << "order " << order;
  }
  EXPECT_EQ((ring_entries<blkif::Request, blkif::Response>(kPageSize)), 32u);
}

TEST(RingLayout, RingSizeMacroAgreesForOddSizes) {
  static blkif_sring_t ring;  // __RING_SIZE takes a ring; only its address is used
  blkif_sring_t* sring = &ring;
  for (std::size_t bytes = 64 + 112; bytes < 3 * kPageSize; bytes += 61) {
    EXPECT_EQ(static_cast<std::uint32_t>(__RING_SIZE(sring, bytes)), (ring_entries<blkif::Request, blkif::Response>(bytes)))
        << bytes << " bytes";
  }
}

TEST(RingLayout, CLayoutFromXenHeadersMatches) {
  struct xp_layout facts;
  xp_get_layout(&facts);
  EXPECT_EQ(facts.req_prod, kRingReqProdOffset);
  EXPECT_EQ(facts.req_event, kRingReqEventOffset);
  EXPECT_EQ(facts.rsp_prod, kRingRspProdOffset);
  EXPECT_EQ(facts.rsp_event, kRingRspEventOffset);
  EXPECT_EQ(facts.ring, kRingEntriesOffset);
  EXPECT_EQ(facts.entry_size, (ring_entry_size<blkif::Request, blkif::Response>));
  EXPECT_EQ(facts.request_size, 112u);
  EXPECT_EQ(facts.response_size, 16u);
  EXPECT_EQ(facts.request_size, sizeof(blkif::Request));
  EXPECT_EQ(facts.response_size, sizeof(blkif::Response));
  EXPECT_EQ(facts.request_id, offsetof(blkif::Request, id));
  EXPECT_EQ(facts.request_sector, offsetof(blkif::Request, sector));
  EXPECT_EQ(facts.request_segments, offsetof(blkif::Request, segments));
  EXPECT_EQ(facts.request_handle, offsetof(blkif::Request, handle));
  EXPECT_EQ(facts.segment_size, sizeof(blkif::Segment));
  EXPECT_EQ(facts.segment_first, offsetof(blkif::Segment, first_sector));
  EXPECT_EQ(facts.segment_last, offsetof(blkif::Segment, last_sector));
  EXPECT_EQ(facts.response_id, offsetof(blkif::Response, id));
  EXPECT_EQ(facts.response_operation, offsetof(blkif::Response, operation));
  EXPECT_EQ(facts.response_status, offsetof(blkif::Response, status));
  EXPECT_EQ(facts.const_ring_size_page, 32u);
  // Every page order a ring may have (ring-page-order 0..8), sized by C code with Xen's macros.
  for (unsigned order = 0; order <= kMaxRingPageOrder; ++order) {
    EXPECT_EQ(facts.ring_size_for[order], (ring_entries<blkif::Request, blkif::Response>(ring_bytes(order))));
    EXPECT_EQ(facts.netif_tx_size_for[order], (ring_entries<netif::TxRequest, netif::TxResponse>(ring_bytes(order))));
    EXPECT_EQ(facts.netif_rx_size_for[order], (ring_entries<netif::RxRequest, netif::RxResponse>(ring_bytes(order))));
  }
  EXPECT_EQ(facts.netif_tx_entries, 256u);
  EXPECT_EQ(facts.netif_rx_entries, 256u);
  EXPECT_EQ(facts.netif_tx_request, sizeof(netif::TxRequest));
  EXPECT_EQ(facts.netif_tx_response, sizeof(netif::TxResponse));
  EXPECT_EQ(facts.netif_rx_request, sizeof(netif::RxRequest));
  EXPECT_EQ(facts.netif_rx_response, sizeof(netif::RxResponse));
  EXPECT_EQ(facts.op_read, blkif::kOpRead);
  EXPECT_EQ(facts.op_write, blkif::kOpWrite);
  EXPECT_EQ(facts.rsp_okay, blkif::kStatusOkay);
  EXPECT_EQ(facts.rsp_error, blkif::kStatusError);
  EXPECT_EQ(facts.rsp_eopnotsupp, blkif::kStatusNotSupported);
  EXPECT_EQ(facts.max_segments, static_cast<int>(blkif::kMaxSegmentsPerRequest));
}

TEST(RingLayout, InitialisedHeaderIsByteIdenticalToXens) {
  shm::Region ours = shm::Region::create("vgen-init", kPageSize);
  shm::Region theirs = shm::Region::create("xen-init", kPageSize);
  std::memset(ours.data(), 0x5C, kPageSize);
  std::memset(theirs.data(), 0x5C, kPageSize);
  blkif::FrontRing front(std::span(ours.data(), kPageSize));
  EXPECT_EQ(xp_shared_init(theirs.data(), kPageSize), front.size());
  EXPECT_EQ(std::memcmp(ours.data(), theirs.data(), kPageSize), 0);
}

TEST(RingLayout, RequestBytesReadBackThroughXensStruct) {
  blkif::Request request;
  request.operation = blkif::kOpWrite;
  request.segment_count = 3;
  request.handle = 0x1234;
  request.id = 0x0102030405060708;
  request.sector = 0x1122334455667788;
  request.segments[2] = {0xdeadbeef, 1, 6, 0};
  struct blkif_request xen_view;
  std::memcpy(&xen_view, &request, sizeof xen_view);
  EXPECT_EQ(xen_view.operation, BLKIF_OP_WRITE);
  EXPECT_EQ(xen_view.nr_segments, 3);
  EXPECT_EQ(xen_view.handle, 0x1234);
  EXPECT_EQ(xen_view.id, 0x0102030405060708u);
  EXPECT_EQ(xen_view.sector_number, 0x1122334455667788u);
  EXPECT_EQ(xen_view.seg[2].gref, 0xdeadbeefu);
  EXPECT_EQ(xen_view.seg[2].first_sect, 1);
  EXPECT_EQ(xen_view.seg[2].last_sect, 6);

  blkif::Response response;
  response.id = 77;
  response.operation = blkif::kOpRead;
  response.status = blkif::kStatusNotSupported;
  struct blkif_response xen_response;
  std::memcpy(&xen_response, &response, sizeof xen_response);
  EXPECT_EQ(xen_response.id, 77u);
  EXPECT_EQ(xen_response.operation, BLKIF_OP_READ);
  EXPECT_EQ(xen_response.status, BLKIF_RSP_EOPNOTSUPP);
}

}  // namespace
}  // namespace vgen::xen
