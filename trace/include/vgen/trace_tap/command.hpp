// The `vgen trace tap` command: its options on the command line, and the run that records a
// tapped vhost-user connection into a trace log until SIGTERM or SIGINT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include <vgen/trace_tap/tap.hpp>

namespace vgen::trace_tap {

/// What `vgen trace tap` was given.
struct TapCommandOptions {
  TapOptions tap;                                   ///< sockets, polling, relaying, connections
  std::string log;                                  ///< the trace log to write (-o)
  std::uint32_t snap_length = 256;                  ///< payload bytes kept per record
  std::uint32_t poll_ms = 2;                        ///< tap.poll_interval in milliseconds
  bool flight = false;                              ///< keep only the latest records (trace::RecorderMode::Flight)
  std::size_t buffer_bytes = std::size_t{1} << 20;  ///< the recorder's buffer per thread
};

/// Adds the `tap` subcommand to `trace` (the `vgen trace` command), filling `options`.
CLI::App* add_tap_command(CLI::App& trace, TapCommandOptions& options);

/// Runs the tap until SIGTERM, SIGINT or the connection limit, then closes the log and prints
/// what passed through on standard error; SIGUSR1 writes the log out meanwhile (with
/// `flight`, the latest records). Exit status: 0 when every connection ended cleanly;
/// 1 when one ended with an error (a malformed message, an unreachable back end); 4 when the
/// log or the listening socket cannot be made.
int run_tap_command(const TapCommandOptions& options);

}  // namespace vgen::trace_tap
