// Collecting the checks of all suites.
#include "all_checks.hpp"

#include "../rpmsg/rpmsg_suite.hpp"
#include "../virtio/virtio_suite.hpp"
#include "../xenbus/xenbus_suite.hpp"
#include "../xenstore/store_suite.hpp"

namespace vgen::conform {

std::vector<CheckInfo> all_check_infos() {
  std::vector<CheckInfo> all = virtio_checks::virtio_check_infos();
  for (CheckInfo& info : xenstore_checks::store_check_infos()) all.push_back(std::move(info));
  for (CheckInfo& info : xenbus_checks::xenbus_check_infos()) all.push_back(std::move(info));
  for (CheckInfo& info : rpmsg_checks::rpmsg_check_infos()) all.push_back(std::move(info));
  return all;
}

}  // namespace vgen::conform
