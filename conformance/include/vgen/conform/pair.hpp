// The hook between a generated pair's program and the harness. A pair's main becomes
//
//   int main(int argc, char** argv) {
//     if (vgen::conform::requested(argc, argv)) return vgen::conform::run<Driver, Device>(argc, argv);
//     return vgen::run_pair<Driver, Device>(argc, argv);
//   }
//
// and `my-pair --conform virtio --role device --transport mmio` checks the pair's device,
// `--conform virtio --role driver` its driver, `vgen-conform virtio --program 'my-pair'`
// reaches the device in another process. The target is made from the halves the pair runner
// already has (vgen/pair/virtio_pair.hpp); the requests the device is probed with come from
// the spec's queues.
#pragma once

#include <type_traits>
#include <vgen/conform/main.hpp>
#include <vgen/conform/virtio_target.hpp>

#include <vgen/pair/rpmsg_pair.hpp>
#include <vgen/pair/split_pair.hpp>
#include <vgen/pair/virtio_pair.hpp>

namespace vgen::conform {

/// True when the command line asks for the harness: --conform, --conform-serve or
/// --conform-describe.
bool requested(int argc, char** argv);

/// The conformance target of a VirtIO pair: its device, one driver run (start, the demo,
/// stop) and a probe per queue from the spec (a message on driver-to-device queues, a buffer
/// on device-to-driver ones, a request with room for its reply on bidirectional ones).
VirtioTarget virtio_pair_target(const pair::VirtioHalves& halves);

/// The conformance target of a split pair (xenbus flavour).
SplitTarget split_pair_target(const pair::SplitHalves& halves);

/// The conformance target of an rpmsg pair.
RpmsgTarget rpmsg_pair_target(const pair::RpmsgHalves& halves);

/// Runs the harness with the pair of `First` (driver, frontend, host) and `Second` (device,
/// backend, remote) linked in.
template <class First, class Second>
int run(int argc, char** argv) {
  Targets targets;
  if constexpr (std::is_base_of_v<halves::VirtioDriverQueues, First>) {
    targets.virtio.push_back(virtio_pair_target(pair::virtio_halves<First, Second>()));
  } else if constexpr (std::is_base_of_v<halves::RpmsgHostDriver, First>) {
    targets.rpmsg.push_back(rpmsg_pair_target(pair::rpmsg_halves<First, Second>()));
  } else {
    static_assert(std::is_base_of_v<halves::SplitFrontendLink, First>, "a VirtIO, rpmsg or split first half");
    targets.split.push_back(split_pair_target(pair::split_halves<First, Second>()));
  }
  return main(argc, argv, targets);
}

}  // namespace vgen::conform
