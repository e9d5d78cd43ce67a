// The vgen version, from the project version in the top-level CMakeLists.txt.
#pragma once

#include <string_view>

namespace vgen::gen {

/// "0.1.0".
std::string_view version();

}  // namespace vgen::gen
