#include "vgen/gen/render/version.hpp"

namespace vgen::gen {

// VGEN_VERSION comes from project(vgen VERSION ...) through gen/CMakeLists.txt.
std::string_view version() { return VGEN_VERSION; }

}  // namespace vgen::gen
