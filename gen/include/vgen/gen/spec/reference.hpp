// A reference by name from one part of a spec to another (a feature, a type, a component).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "vgen/gen/diagnostics/location.hpp"

namespace vgen::gen {

/// A name as written, where it was written, and what it resolved to.
struct NameRef {
  std::string name;                  ///< as written
  Location location;                 ///< where it was written
  std::optional<std::size_t> index;  ///< index of the target in its list, once resolved
};

}  // namespace vgen::gen
