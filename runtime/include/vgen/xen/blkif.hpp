// The block-device messages of a Xen blkif ring (xenbus-protocol notes, "Shared ring":
// request 112 bytes, response 16 bytes, 32 entries per 4 KiB page). Padding is spelled out
// as reserved fields so no uninitialised byte reaches shared memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include <vgen/xen/ring.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen::blkif {

/// Operation codes (Request::operation).
inline constexpr std::uint8_t kOpRead = 0;
inline constexpr std::uint8_t kOpWrite = 1;
inline constexpr std::uint8_t kOpWriteBarrier = 2;
inline constexpr std::uint8_t kOpFlushDiskCache = 3;
inline constexpr std::uint8_t kOpDiscard = 5;
inline constexpr std::uint8_t kOpIndirect = 6;

/// Status codes (Response::status).
inline constexpr std::int16_t kStatusOkay = 0;
inline constexpr std::int16_t kStatusError = -1;
inline constexpr std::int16_t kStatusNotSupported = -2;

/// Segments a direct request can carry.
inline constexpr std::size_t kMaxSegmentsPerRequest = 11;
/// Bytes of a sector as first_sector/last_sector count them.
inline constexpr std::size_t kSectorSize = 512;
/// Sectors in one granted page: a segment's last_sector is at most this minus one.
inline constexpr std::size_t kSectorsPerPage = kPageSize / kSectorSize;

/// One granted page and the sectors of it to transfer (both inclusive, 0..7 in 4 KiB).
struct Segment {
  GrantRef gref = 0;              ///< the page's grant reference
  std::uint8_t first_sector = 0;  ///< first sector in the page
  std::uint8_t last_sector = 0;   ///< last sector in the page
  std::uint16_t reserved = 0;     ///< padding, zero
};

/// A read or write request.
struct Request {
  std::uint8_t operation = 0;                     ///< kOp*
  std::uint8_t segment_count = 0;                 ///< segments used, 1..kMaxSegmentsPerRequest for read/write
  std::uint16_t handle = 0;                       ///< the virtual device
  std::uint32_t reserved = 0;                     ///< padding, zero
  std::uint64_t id = 0;                           ///< the frontend's tag, echoed in the response
  std::uint64_t sector = 0;                       ///< first sector on the disk
  Segment segments[kMaxSegmentsPerRequest] = {};  ///< the pages
};

/// The answer to one request.
struct Response {
  std::uint64_t id = 0;         ///< the request's id
  std::uint8_t operation = 0;   ///< the request's operation
  std::uint8_t reserved0 = 0;   ///< padding, zero
  std::int16_t status = 0;      ///< kStatus*
  std::uint32_t reserved1 = 0;  ///< padding, zero
};

static_assert(sizeof(Segment) == 8 && offsetof(Segment, first_sector) == 4 && offsetof(Segment, last_sector) == 5);
static_assert(sizeof(Request) == 112);
static_assert(offsetof(Request, segment_count) == 1 && offsetof(Request, handle) == 2 && offsetof(Request, id) == 8 &&
              offsetof(Request, sector) == 16 && offsetof(Request, segments) == 24);
static_assert(sizeof(Response) == 16);
static_assert(offsetof(Response, operation) == 8 && offsetof(Response, status) == 10);
static_assert(ring_entry_size<Request, Response> == 112);
static_assert(ring_entries<Request, Response>(kPageSize) == 32);

/// The blkif ring ends.
using FrontRing = xen::FrontRing<Request, Response>;
using BackRing = xen::BackRing<Request, Response>;

}  // namespace vgen::xen::blkif
