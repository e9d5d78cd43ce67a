// A split device as its spec describes it, in the form the runtime's halves read: the store
// device class, how the halves find each other, and the ring. The generated messages header
// defines one constexpr SplitSpec per spec (kSpec).
// It is the one runtime header a generated messages header includes: the wire codec and the
// standard types message structs and store node structs use come with it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>

#include <vgen/wire/codec.hpp>
#include <vgen/xenbus/device_paths.hpp>

namespace vgen::halves {

/// One shared ring of a split device and the frontend nodes that announce it. A device has
/// one ring (blkif) or several (netif: tx and rx), each with its own request/response types.
struct RingSpec {
  std::string_view name{};                                     ///< the spec's ring name ("tx"); empty for `ring:`
  std::string_view ring_ref = xenbus::kRingRefNode;            ///< grant reference node of a one-page ring
  std::string_view event_channel = xenbus::kEventChannelNode;  ///< the port's node; rings naming one node share it
  std::uint32_t pages = 1;                                     ///< most pages the frontend offers (a power of two)
  std::uint32_t entries = 0;  ///< slots at `pages` pages (xen/io/ring.h: a power of two after the header)
  /// blkif.h: the frontend's `ring-page-order` node, written (with `<ring_ref>0`..`<ring_ref>N-1`
  /// instead of `<ring_ref>`) when the ring has more than one page.
  std::string_view page_order = "ring-page-order";
  /// blkif.h: the backend's `max-ring-page-order` node, written at probe for a ring of more than one page.
  std::string_view max_page_order = "max-ring-page-order";
};

/// The page order of `pages` (a power of two): log2.
constexpr std::uint32_t page_order_of(std::uint32_t pages) noexcept {
  std::uint32_t order = 0;
  while ((std::uint32_t{1} << order) < pages) ++order;
  return order;
}

/// The number ring `index` of a device with `rings` rings and id `devid` records under in a
/// trace log (interface `xen-ringN`): devid x rings + index, so every ring of every device has an
/// interface of its own, and both ends of a ring record under the same one.
constexpr std::uint16_t ring_trace_number(std::uint32_t devid, std::size_t rings, std::size_t index) noexcept {
  return static_cast<std::uint16_t>(devid * rings + index);
}

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
  std::span<const RingSpec> rings{};       ///< the shared rings, in spec order

  /// Grant-table frames every ring takes at its largest: ring i uses the frames after ring i-1's.
  constexpr std::uint32_t ring_frames() const noexcept {
    std::uint32_t frames = 0;
    for (const RingSpec& ring : rings) frames += ring.pages;
    return frames;
  }
};

}  // namespace vgen::halves
