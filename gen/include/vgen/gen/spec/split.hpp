// The model of a `kind: split` spec: a Xen-style split driver pair (frontend and backend)
// sharing a request/response ring. See docs/spec-format.md, "Split drivers".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/reference.hpp"
#include "vgen/gen/spec/scalar.hpp"

namespace vgen::gen {

/// How the two halves find each other: through XenStore (Xen) or through vbus/vbstore
/// with compatible strings (SOO).
enum class Flavour : std::uint8_t { xenbus, vbus };
/// "xenbus" or "vbus".
std::string_view flavour_name(Flavour flavour);

/// The half of a split driver.
enum class Side : std::uint8_t { frontend, backend };
/// "frontend" or "backend".
std::string_view side_name(Side side);

/// A store node one side writes below its own device directory.
struct StoreNode {
  std::string name;                  ///< relative path, e.g. "ring-ref" or "queue-0/ring-ref"
  Side side = Side::frontend;        ///< who writes it
  std::optional<ScalarKind> scalar;  ///< integer type of the value; nothing = a string value
  std::string description;           ///< free text, may be empty
  Location location;                 ///< where the entry starts
  Position name_position;            ///< where the name is written
};

/// A behaviour of vgen's runtime a spec chooses for its ring (`ring: {profile: ...}`).
enum class RingProfile : std::uint8_t {
  none,   ///< the halves do what the user's handlers say
  blkif,  ///< xen/io/blkif.h: a RAM disk backend and a disk check frontend by default
};
/// "none" or "blkif".
std::string_view ring_profile_name(RingProfile profile);

/// The compatible strings the vbus flavour matches drivers with.
struct Compatible {
  std::string frontend;  ///< "vdummy,frontend"
  std::string backend;   ///< "vdummy,backend"
};

/// Bytes of the shared ring header before the first entry (producer/event indices and
/// padding; xen/io/ring.h).
inline constexpr std::uint64_t kSharedRingHeaderSize = 64;
/// Size of one ring page.
inline constexpr std::uint64_t kPageSize = 4096;

/// Store nodes of one ring, in the frontend's directory unless said otherwise.
struct RingNodeNames {
  std::string ring_ref = "ring-ref";                   ///< grant reference (`<ring_ref>0..N-1` when multi-page)
  std::string event_channel = "event-channel";         ///< the port; rings naming one node share the port
  std::string page_order = "ring-page-order";          ///< written for a multi-page ring (blkif.h)
  std::string max_page_order = "max-ring-page-order";  ///< the backend's, written at probe (blkif.h)
  /// Where each name is written (ring_ref, event_channel, page_order, max_page_order); unset
  /// for a default name.
  std::optional<Location> written[4];
};

/// One shared ring: `ring:`, or an entry of `rings:`.
struct SplitRing {
  std::string name;                ///< the ring's name (`rings:`); empty for `ring:`
  std::string description;         ///< free text, may be empty
  std::uint32_t pages = 1;         ///< most pages, a power of two; more than 1 is negotiated (ring-page-order)
  NameRef request;                 ///< struct type of ring requests
  NameRef response;                ///< struct type of ring responses
  RingNodeNames nodes;             ///< where the ring is announced
  std::uint64_t entry_size = 0;    ///< computed: size of one ring slot (request/response union)
  std::uint64_t entry_align = 1;   ///< computed: its alignment
  std::uint32_t ring_entries = 0;  ///< computed: slots at `pages` pages, a power of two
  Location location;               ///< where the ring's mapping starts
  Position name_position;          ///< where the name is written (`rings:`)
};

/// The device-specific part of a split spec.
struct SplitDevice {
  std::string device_type;  ///< store device class, e.g. "vbd"
  Flavour flavour = Flavour::xenbus;
  std::optional<Compatible> compatible;     ///< vbus only
  std::vector<SplitRing> rings;             ///< the rings: one for `ring:`, in spec order for `rings:`
  bool named_rings = false;                 ///< written as `rings:` (generated code names each ring)
  std::uint32_t ring_pages = 1;             ///< the first ring's pages, a power of two
  NameRef request;                          ///< the first ring's request type
  NameRef response;                         ///< the first ring's response type
  RingProfile profile = RingProfile::none;  ///< the runtime behaviour chosen for the ring (`ring:` only)
  std::vector<StoreNode> store;             ///< nodes each side writes, in spec order
  std::uint64_t entry_size = 0;             ///< computed: the first ring's slot size
  std::uint64_t entry_align = 1;            ///< computed: its alignment
  std::uint32_t ring_entries = 0;           ///< computed: the first ring's slots, a power of two
};

}  // namespace vgen::gen
