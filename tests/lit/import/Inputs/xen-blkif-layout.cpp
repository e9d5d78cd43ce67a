// The structs vgen generated from the imported xen/io/blkif.h spec against the header's own.
// Xen's public headers expect the fixed-width integer types to be declared before them.
#include "xen_blkif_messages.hpp"

#include <cstdint>
#include <xen/io/blkif.h>

#include "layout.hpp"

VGEN_SAME_SIZE(xen_blkif::BlkifRequestSegment, blkif_request_segment);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequestSegment, blkif_request_segment, gref);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequestSegment, blkif_request_segment, first_sect);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequestSegment, blkif_request_segment, last_sect);

VGEN_SAME_SIZE(xen_blkif::BlkifRequest, blkif_request);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, operation);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, nr_segments);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, handle);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, id);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, sector_number);
VGEN_SAME_OFFSET(xen_blkif::BlkifRequest, blkif_request, seg);
static_assert(sizeof(xen_blkif::BlkifRequest{}.seg_) == sizeof(blkif_request{}.seg), "blkif_request.seg: size differs");

VGEN_SAME_SIZE(xen_blkif::BlkifResponse, blkif_response);
VGEN_SAME_OFFSET(xen_blkif::BlkifResponse, blkif_response, id);
VGEN_SAME_OFFSET(xen_blkif::BlkifResponse, blkif_response, operation);
VGEN_SAME_OFFSET(xen_blkif::BlkifResponse, blkif_response, status);

static_assert(static_cast<int>(xen_blkif::BlkifOperation::INDIRECT) == BLKIF_OP_INDIRECT);
// (BLKIF_RSP_EOPNOTSUPP, a macro of the header, cannot be spelt after it.)
static_assert(static_cast<int>(xen_blkif::BlkifStatus::ERROR) == BLKIF_RSP_ERROR);
