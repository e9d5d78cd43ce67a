// A device spec: the model of one `kind: virtio | split | rpmsg` file, which code
// generation renders templates from (see template_data.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/rpmsg.hpp"
#include "vgen/gen/spec/split.hpp"
#include "vgen/gen/spec/types.hpp"
#include "vgen/gen/spec/virtio.hpp"

namespace vgen::gen {

/// Which family of paravirtual device a spec describes.
enum class SpecKind : std::uint8_t { virtio, split, rpmsg };
/// "virtio", "split" or "rpmsg".
std::string_view spec_kind_name(SpecKind kind);

/// One valid device spec.
struct Spec {
  std::string name;                                              ///< "virtio-blk": lowercase, digits, '-' and '_'
  std::string description;                                       ///< free text, may be empty
  std::string source;                                            ///< the file it was loaded from, as given
  TypeTable types;                                               ///< `types:`, laid out
  std::variant<VirtioDevice, SplitDevice, RpmsgService> device;  ///< the kind-specific part
  Position name_position;                                        ///< where the value of `name:` is written

  /// Which alternative `device` holds.
  SpecKind kind() const { return static_cast<SpecKind>(device.index()); }
  /// The kind-specific part, or null when the spec is of another kind.
  const VirtioDevice* virtio() const { return std::get_if<VirtioDevice>(&device); }
  const SplitDevice* split() const { return std::get_if<SplitDevice>(&device); }
  const RpmsgService* rpmsg() const { return std::get_if<RpmsgService>(&device); }
};

}  // namespace vgen::gen
