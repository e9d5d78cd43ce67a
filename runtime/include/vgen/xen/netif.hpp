// The network messages of Xen netif rings (xenbus-protocol notes, "Shared ring": tx request
// 12 bytes / response 4, rx request 8 / response 8, 256 entries per 4 KiB page each).
#pragma once

#include <cstddef>
#include <cstdint>

#include <vgen/xen/ring.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen::netif {

/// A packet (or fragment) the frontend sends: a granted page and where the data is in it.
struct TxRequest {
  GrantRef gref = 0;         ///< the page holding the data
  std::uint16_t offset = 0;  ///< first byte in the page
  std::uint16_t flags = 0;   ///< checksum/fragment flags
  std::uint16_t id = 0;      ///< echoed in the response
  std::uint16_t size = 0;    ///< bytes (the whole packet's size in a first fragment)
};

/// The backend's answer to a TxRequest.
struct TxResponse {
  std::uint16_t id = 0;     ///< the request's id
  std::int16_t status = 0;  ///< 0 okay, negative on error
};

/// A page the frontend offers for a received packet.
struct RxRequest {
  std::uint16_t id = 0;        ///< echoed in the response
  std::uint16_t reserved = 0;  ///< padding, zero
  GrantRef gref = 0;           ///< the page to fill
};

/// A received packet placed in an RxRequest's page.
struct RxResponse {
  std::uint16_t id = 0;      ///< the request's id
  std::uint16_t offset = 0;  ///< first byte of the data in the page
  std::uint16_t flags = 0;   ///< checksum/fragment flags
  std::int16_t status = 0;   ///< bytes received, or negative on error
};

static_assert(sizeof(TxRequest) == 12 && offsetof(TxRequest, offset) == 4 && offsetof(TxRequest, id) == 8);
static_assert(sizeof(TxResponse) == 4);
static_assert(sizeof(RxRequest) == 8 && offsetof(RxRequest, gref) == 4);
static_assert(sizeof(RxResponse) == 8 && offsetof(RxResponse, status) == 6);
static_assert(ring_entries<TxRequest, TxResponse>(kPageSize) == 256);
static_assert(ring_entries<RxRequest, RxResponse>(kPageSize) == 256);

/// The transmit and receive ring ends.
using TxFrontRing = xen::FrontRing<TxRequest, TxResponse>;
using TxBackRing = xen::BackRing<TxRequest, TxResponse>;
using RxFrontRing = xen::FrontRing<RxRequest, RxResponse>;
using RxBackRing = xen::BackRing<RxRequest, RxResponse>;

}  // namespace vgen::xen::netif
