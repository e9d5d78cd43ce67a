// The split message types vgen generates for devices/xen-blk and xen-netif (as checked in under
// tests/golden/) against <xen/io/blkif.h> and <xen/io/netif.h>: the same sizes and offsets, the
// same ring slot count, and accessors that produce the bytes a blkif peer reads.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <span>

#include <vgen/xen/blkif.hpp>
#include <vgen/xen/ring.hpp>

#include "xen-blk/xen_blk_messages.hpp"
#include "xen-netif/xen_netif_messages.hpp"

// Without an interface version the headers map their barriers to the legacy mb() family;
// this test expands no macro that needs a barrier.
#define __XEN_INTERFACE_VERSION__ 0x00040e00
extern "C" {
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <xen/io/ring.h>
}

namespace {

// devices/xen-netif: both rings' messages are netif.h's, and each ring holds netif.h's slots.
static_assert(sizeof(xen_netif::NetifTxRequest) == sizeof(struct netif_tx_request));
static_assert(offsetof(xen_netif::NetifTxRequest, gref_) == offsetof(struct netif_tx_request, gref));
static_assert(offsetof(xen_netif::NetifTxRequest, offset_) == offsetof(struct netif_tx_request, offset));
static_assert(offsetof(xen_netif::NetifTxRequest, flags_) == offsetof(struct netif_tx_request, flags));
static_assert(offsetof(xen_netif::NetifTxRequest, id_) == offsetof(struct netif_tx_request, id));
static_assert(offsetof(xen_netif::NetifTxRequest, size_) == offsetof(struct netif_tx_request, size));
static_assert(sizeof(xen_netif::NetifTxResponse) == sizeof(struct netif_tx_response));
static_assert(offsetof(xen_netif::NetifTxResponse, status_) == offsetof(struct netif_tx_response, status));
static_assert(sizeof(xen_netif::NetifRxRequest) == sizeof(struct netif_rx_request));
static_assert(offsetof(xen_netif::NetifRxRequest, gref_) == offsetof(struct netif_rx_request, gref));
static_assert(sizeof(xen_netif::NetifRxResponse) == sizeof(struct netif_rx_response));
static_assert(offsetof(xen_netif::NetifRxResponse, offset_) == offsetof(struct netif_rx_response, offset));
static_assert(offsetof(xen_netif::NetifRxResponse, flags_) == offsetof(struct netif_rx_response, flags));
static_assert(offsetof(xen_netif::NetifRxResponse, status_) == offsetof(struct netif_rx_response, status));
static_assert(xen_netif::kRings[xen_netif::kRingTx].entries == __CONST_RING_SIZE(netif_tx, 4096));
static_assert(xen_netif::kRings[xen_netif::kRingRx].entries == __CONST_RING_SIZE(netif_rx, 4096));
static_assert(xen_netif::kRings[xen_netif::kRingTx].ring_ref == std::string_view("tx-ring-ref"));
static_assert(xen_netif::kRings[xen_netif::kRingRx].event_channel == std::string_view("event-channel-rx"));

static_assert(sizeof(xen_blk::BlkifRequest) == sizeof(struct blkif_request));
static_assert(offsetof(xen_blk::BlkifRequest, operation_) == offsetof(struct blkif_request, operation));
static_assert(offsetof(xen_blk::BlkifRequest, nr_segments_) == offsetof(struct blkif_request, nr_segments));
static_assert(offsetof(xen_blk::BlkifRequest, handle_) == offsetof(struct blkif_request, handle));
static_assert(offsetof(xen_blk::BlkifRequest, id_) == offsetof(struct blkif_request, id));
static_assert(offsetof(xen_blk::BlkifRequest, sector_number_) == offsetof(struct blkif_request, sector_number));
static_assert(offsetof(xen_blk::BlkifRequest, seg_) == offsetof(struct blkif_request, seg));
static_assert(sizeof(xen_blk::BlkifSegment) == sizeof(struct blkif_request_segment));
static_assert(offsetof(xen_blk::BlkifSegment, first_sect_) == offsetof(struct blkif_request_segment, first_sect));
static_assert(offsetof(xen_blk::BlkifSegment, last_sect_) == offsetof(struct blkif_request_segment, last_sect));
static_assert(sizeof(xen_blk::BlkifResponse) == sizeof(struct blkif_response));
static_assert(offsetof(xen_blk::BlkifResponse, id_) == offsetof(struct blkif_response, id));
static_assert(offsetof(xen_blk::BlkifResponse, operation_) == offsetof(struct blkif_response, operation));
static_assert(offsetof(xen_blk::BlkifResponse, status_) == offsetof(struct blkif_response, status));
static_assert(vgen::xen::ring_entry_size<xen_blk::BlkifRequest, xen_blk::BlkifResponse> == sizeof(union blkif_sring_entry));
static_assert(xen_blk::kSpec.rings[0].pages == 4);
static_assert(xen_blk::kSpec.rings[0].entries == __CONST_RING_SIZE(blkif, vgen::xen::ring_bytes(2)));
// The blkif profile's runtime reads the same bytes: vgen/xen/blkif.hpp's view of the ring.
static_assert(sizeof(xen_blk::BlkifRequest) == sizeof(vgen::xen::blkif::Request));
static_assert(sizeof(xen_blk::BlkifResponse) == sizeof(vgen::xen::blkif::Response));

TEST(GeneratedSplitLayout, BlockRequestIsBlkifRequest) {
  xen_blk::BlkifRequest request;
  request.set_operation(xen_blk::BlkifOperation::WRITE);
  request.set_nr_segments(1);
  request.set_id(0x0102030405060708);
  request.set_sector_number(2048);
  request.seg(0).set_gref(77);
  request.seg(0).set_first_sect(1);
  request.seg(0).set_last_sect(6);
  struct blkif_request xen_request {};
  std::memcpy(&xen_request, &request, sizeof(request));
  EXPECT_EQ(xen_request.operation, BLKIF_OP_WRITE);
  EXPECT_EQ(xen_request.nr_segments, 1);
  EXPECT_EQ(xen_request.id, 0x0102030405060708u);
  EXPECT_EQ(xen_request.sector_number, 2048u);
  EXPECT_EQ(xen_request.seg[0].gref, 77u);
  EXPECT_EQ(xen_request.seg[0].first_sect, 1);
  EXPECT_EQ(xen_request.seg[0].last_sect, 6);
}

TEST(GeneratedSplitLayout, OperationsAndResponseMatchBlkif) {
  EXPECT_EQ(static_cast<int>(xen_blk::BlkifOperation::READ), BLKIF_OP_READ);
  EXPECT_EQ(static_cast<int>(xen_blk::BlkifOperation::FLUSH_DISKCACHE), BLKIF_OP_FLUSH_DISKCACHE);
  struct blkif_response xen_response {};
  xen_response.id = 9;
  xen_response.operation = BLKIF_OP_READ;
  xen_response.status = BLKIF_RSP_ERROR;
  const auto response = vgen::wire::decode<xen_blk::BlkifResponse>(std::as_bytes(std::span(&xen_response, 1)));
  EXPECT_EQ(response.id(), 9u);
  EXPECT_EQ(response.operation(), xen_blk::BlkifOperation::READ);
  EXPECT_EQ(response.status(), BLKIF_RSP_ERROR);
}

TEST(GeneratedSplitLayout, TheBlkifProfileReadsTheFieldsTheSpecNames) {
  xen_blk::BlkifRequest request;
  request.set_operation(xen_blk::BlkifOperation::READ);
  request.set_nr_segments(2);
  request.set_id(41);
  request.set_sector_number(8);
  request.seg(1).set_last_sect(7);
  const auto runtime = vgen::wire::convert<vgen::xen::blkif::Request>(request);
  EXPECT_EQ(runtime.operation, vgen::xen::blkif::kOpRead);
  EXPECT_EQ(runtime.segment_count, 2);
  EXPECT_EQ(runtime.id, 41u);
  EXPECT_EQ(runtime.sector, 8u);
  EXPECT_EQ(runtime.segments[1].last_sector, 7);
}

}  // namespace
