// A split device as its spec describes it, in the form the runtime's halves read: the store
// device class, how the halves find each other, and the ring. The generated messages header
// defines one constexpr SplitSpec per spec (kSpec).
// It is the one runtime header a generated messages header includes: the wire codec and the
// standard types message structs and store node structs use come with it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <tuple>

#include <vgen/wire/codec.hpp>
#include <vgen/xenbus/device_paths.hpp>

namespace vgen::halves {

/// Where a ring is announced in the frontend's directory.
struct RingNodes {
  std::string_view ring_ref = xenbus::kRingRefNode;            ///< the grant reference of the ring page
  std::string_view event_channel = xenbus::kEventChannelNode;  ///< the frontend's port
};

/// The store nodes of a side that publishes none besides the ring's (see store_nodes.hpp).
struct NoNodes {
  /// No members.
  std::tuple<> members() noexcept { return {}; }
  /// No names.
  static constexpr std::array<std::string_view, 0> kNames{};
};

/// A split device type: what both halves and the pair runner need to know about it.
struct SplitSpec {
  std::string_view name{};                 ///< the spec's name, for messages
  std::string_view device_type{};          ///< the store device class ("vbd")
  std::string_view frontend_compatible{};  ///< vbus: the frontend's compatible string; empty for xenbus
  std::string_view backend_compatible{};   ///< vbus: the backend's compatible string; empty for xenbus
  std::uint32_t ring_pages = 1;            ///< pages of the shared ring
  std::uint32_t ring_entries = 0;          ///< its slots (xen/io/ring.h: a power of two after the header)
  RingNodes ring_nodes{};                  ///< where the frontend announces the ring
};

}  // namespace vgen::halves
