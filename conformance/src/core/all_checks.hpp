// Every check of every suite, for the catalogue test and `vgen-conform list`.
#pragma once

#include <vector>

#include <vgen/conform/check.hpp>

namespace vgen::conform {

/// The checks of all suites, in suite order.
std::vector<CheckInfo> all_check_infos();

}  // namespace vgen::conform
