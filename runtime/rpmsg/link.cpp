#include <vgen/rpmsg/link.hpp>

namespace vgen::rpmsg {

const char* to_string(Side side) noexcept { return side == Side::Host ? "host" : "remote"; }

}  // namespace vgen::rpmsg
