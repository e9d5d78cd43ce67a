// The command line of a pair's demo: which connections to run, and the hooks later
// features plug into. `<spec>-demo [MODE]` runs one mode or, without one, every mode in
// turn; a connection with a value is chosen by its option (`--vhost-user SOCKET`) and runs
// alone; `--trace LOG` exists once a TraceOpener is given.
//
// Output: "demo: <spec> <title>" before each run and "demo: <name> passed" (or FAILED)
// after it. Exit status: 0 when every run passed, 1 otherwise, 2 on a usage error.
#pragma once

#include <string>
#include <vector>

#include <vgen/pair/connection.hpp>

namespace vgen::pair {

/// Everything a demo's command line offers.
struct PairCommand {
  std::string spec;                     ///< the spec's name, for messages
  std::vector<Connection> connections;  ///< modes and transports, in the order they run
  TraceOpener open_trace;               ///< enables --trace LOG when set
};

/// Parses `argv` and runs the connections it chooses; returns the exit status.
int run_command(const PairCommand& command, int argc, char** argv);

}  // namespace vgen::pair
