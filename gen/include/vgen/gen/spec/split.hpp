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

/// The device-specific part of a split spec.
struct SplitDevice {
  std::string device_type;  ///< store device class, e.g. "vbd"
  Flavour flavour = Flavour::xenbus;
  std::optional<Compatible> compatible;     ///< vbus only
  std::uint32_t ring_pages = 1;             ///< pages of the shared ring, a power of two
  NameRef request;                          ///< struct type of ring requests
  NameRef response;                         ///< struct type of ring responses
  RingProfile profile = RingProfile::none;  ///< the runtime behaviour chosen for the ring
  std::vector<StoreNode> store;             ///< nodes each side writes, in spec order
  std::uint64_t entry_size = 0;             ///< computed: size of one ring slot (request/response union)
  std::uint64_t entry_align = 1;            ///< computed: its alignment
  std::uint32_t ring_entries = 0;           ///< computed: slots per ring, a power of two
};

}  // namespace vgen::gen
