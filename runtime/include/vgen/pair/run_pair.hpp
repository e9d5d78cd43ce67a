// The demo main of a generated pair in one call:
//
//   int main(int argc, char** argv) {
//     return vgen::run_pair<my_device::MyDeviceDriver, my_device::MyDeviceDevice>(argc, argv);
//   }
//
// picks the runner of the halves' kind (VirtIO, split, rpmsg), offers its connections on the
// command line (see command_line.hpp) and runs them. `options` adds transports (a Connection
// chosen by its option, such as --vhost-user SOCKET) and may replace the trace opener: by
// default --trace LOG records the halves' ring and state events with a trace::Recorder
// (docs/trace.md).
#pragma once

#include <type_traits>
#include <vector>

#include <vgen/pair/command_line.hpp>
#include <vgen/pair/rpmsg_pair.hpp>
#include <vgen/pair/split_pair.hpp>
#include <vgen/pair/virtio_pair.hpp>
#include <vgen/trace/recorder.hpp>

namespace vgen {

/// What a demo adds to its kind's runner.
struct PairOptions {
  std::vector<pair::Connection> connections;  ///< more ways to connect the halves, after the kind's own
  pair::TraceOpener open_trace;               ///< what --trace LOG opens; empty: trace::open_recorder
};

/// Runs the pair of `First` (the driver, frontend or host) and `Second` (the device, backend
/// or remote) as the command line says; returns the exit status (command_line.hpp).
template <class First, class Second>
int run_pair(int argc, char** argv, PairOptions options = {}) {
  pair::PairCommand command;
  if constexpr (std::is_base_of_v<halves::VirtioDriverQueues, First>) {
    command.spec = First::kSpec.name;
    command.connections = pair::virtio_connections(pair::virtio_halves<First, Second>());
  } else if constexpr (std::is_base_of_v<halves::SplitFrontendLink, First>) {
    command.spec = First::kSpec.name;
    command.connections = pair::split_connections(pair::split_halves<First, Second>());
  } else {
    static_assert(std::is_base_of_v<halves::RpmsgHostDriver, First>, "a VirtIO, split or rpmsg first half");
    command.spec = First::kSpec.name;
    command.connections = pair::rpmsg_connections(pair::rpmsg_halves<First, Second>());
  }
  for (pair::Connection& connection : options.connections) command.connections.push_back(std::move(connection));
  command.open_trace = options.open_trace ? std::move(options.open_trace) : pair::TraceOpener(trace::open_recorder);
  return pair::run_command(command, argc, argv);
}

}  // namespace vgen
