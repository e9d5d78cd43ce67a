// Runs an rpmsg pair, the host (driver) and the remote (device), over the rpmsg rings on
// shared memory with eventfd notifications: as two threads of one process, and as two
// processes that share only the rpmsg memory and the two eventfds (passed over a Unix
// socket). The remote announces its service and serves until the host is done; the host
// binds the channel and runs its demo. Both report the messages they had to drop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <vgen/halves/handler_check.hpp>
#include <vgen/halves/rpmsg_host.hpp>
#include <vgen/halves/rpmsg_remote.hpp>
#include <vgen/pair/connection.hpp>

namespace vgen::pair {

/// The two halves of an rpmsg pair, as the runner makes and drives them.
struct RpmsgHalves {
  /// The service both halves follow.
  const halves::RpmsgSpec* spec = nullptr;
  /// Makes the remote half on the remote's bus.
  std::function<std::unique_ptr<halves::RpmsgRemoteEndpoints>(rpmsg::Bus&)> make_remote;
  /// Makes the host half on the host's bus.
  std::function<std::unique_ptr<halves::RpmsgHostDriver>(rpmsg::Bus&)> make_host;
  /// Runs the host's demo; true when every answer came.
  std::function<bool(halves::RpmsgHostDriver&)> run_demo;
};

/// The connections of an rpmsg pair: "threads" and "processes".
std::vector<Connection> rpmsg_connections(const RpmsgHalves& halves);

/// The halves of `Driver` (constructible from the host's bus, with `bool run_demo()`) and
/// `Device` (constructible from the remote's bus), both made from one spec.
template <class Driver, class Device>
RpmsgHalves rpmsg_halves() {
  static_assert(&Driver::kSpec == &Device::kSpec, "both halves follow the same spec");
  static_assert(halves::overrides_handlers<Driver>() && halves::overrides_handlers<Device>());
  return {&Device::kSpec, [](rpmsg::Bus& bus) { return std::make_unique<Device>(bus); },
          [](rpmsg::Bus& bus) { return std::make_unique<Driver>(bus); },
          [](halves::RpmsgHostDriver& driver) { return static_cast<Driver&>(driver).run_demo(); }};
}

}  // namespace vgen::pair
