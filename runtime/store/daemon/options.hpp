// Command line of vgen-xenstored.
#pragma once

#include <string>
#include <vector>

#include <vgen/store/server.hpp>

namespace vgen::store::daemon {

/// What the command line asked for.
struct Command {
  ServerOptions server;   ///< everything the server needs (log sink left empty)
  bool help = false;      ///< --help: print usage and exit
  std::string trace_log;  ///< --trace LOG: record every message received and sent
};

/// The usage text.
std::string usage();

/// Parses argv[1..]. Throws store::Error(Invalid) naming the option and value on a bad one.
Command parse_command_line(const std::vector<std::string>& args);

}  // namespace vgen::store::daemon
