// Collecting the checks of all suites.
#include "all_checks.hpp"

#include "../virtio/virtio_suite.hpp"

namespace vgen::conform {

std::vector<CheckInfo> all_check_infos() { return virtio_checks::virtio_check_infos(); }

}  // namespace vgen::conform
