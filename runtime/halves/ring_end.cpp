#include "vgen/halves/ring_end.hpp"

#include <string>

#include <vgen/xen/error.hpp>

namespace vgen::halves {

std::size_t checked_ring_index(const SplitSpec& spec, std::size_t index) {
  if (index >= spec.rings.size()) {
    throw xen::Error(xen::ErrorCode::Invalid, "ring " + std::to_string(index) + " of " + std::string(spec.name) +
                                                  ", which has " + std::to_string(spec.rings.size()) + " ring(s)");
  }
  return index;
}

}  // namespace vgen::halves
