#include <vgen/rpmsg/driver.hpp>

#include <algorithm>
#include <utility>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/error.hpp>
#include <vgen/rpmsg/wire.hpp>

namespace vgen::rpmsg {

Driver::Driver(std::vector<std::string> names) : names_(std::move(names)) {
  if (names_.empty()) throw Error(ErrorCode::InvalidName, "rpmsg driver: the list of service names is empty");
  for (const std::string& name : names_) {
    if (auto problem = check_name(name)) throw Error(ErrorCode::InvalidName, "rpmsg driver: " + *problem);
  }
}

Driver::~Driver() {
  // Each call removes the bus from buses_.
  while (!buses_.empty()) buses_.back()->forget_driver(*this);
}

bool Driver::matches(std::string_view channel_name) const noexcept {
  return std::find(names_.begin(), names_.end(), channel_name) != names_.end();
}

void Driver::probe(Channel& /*channel*/) {}

void Driver::remove(Channel& /*channel*/) {}

}  // namespace vgen::rpmsg
