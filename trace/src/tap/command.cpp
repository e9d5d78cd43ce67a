#include "vgen/trace_tap/command.hpp"

#include <csignal>
#include <iostream>
#include <memory>

#include <vgen/trace/error.hpp>
#include <vgen/trace/recorder.hpp>
#include <vgen/trace/signal_flush.hpp>
#include <vgen/vhost_user/error.hpp>

namespace vgen::trace_tap {
namespace {

// The tap a signal stops; set while run_tap_command runs.
Tap* volatile g_running = nullptr;

extern "C" void stop_on_signal(int) {
  if (Tap* tap = g_running) tap->stop();
}

}  // namespace

CLI::App* add_tap_command(CLI::App& trace, TapCommandOptions& options) {
  CLI::App* tap = trace.add_subcommand(
      "tap",
      "Sit between a vhost-user front end (QEMU) and a back end: pass every message on with its fds, and record "
      "the messages and every chain and used entry of the rings");
  tap->add_option("--listen", options.tap.listen, "The socket to create, where the front end connects")
      ->required()
      ->type_name("SOCK");
  tap->add_option("--backend", options.tap.backend, "The back end's socket")->required()->type_name("SOCK");
  tap->add_option("-o,--output", options.log, "The trace log to write (pcapng)")->required()->type_name("LOG");
  tap->add_option("--snap", options.snap_length, "Payload bytes kept per record (default 256)")
      ->type_name("BYTES")
      ->check(CLI::Range(0u, 1u << 20));
  tap->add_flag("--flight", options.flight,
                "Keep only the latest records (a flight recorder): the log is written on SIGUSR1 and at the end");
  tap->add_option("--buffer", options.buffer_bytes, "Bytes of records kept per thread (default 1048576)")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->check(CLI::Validator(
          [](std::string& text) {
            // Past the range check: only a size that is not a power of two is refused here.
            return trace::valid_buffer_bytes(std::stoull(text)) ? std::string() : "not a power of two: " + text;
          },
          "POWER OF TWO"));
  tap->add_option("--poll-ms", options.poll_ms, "Scan the rings at least every MS milliseconds (default 2)")
      ->type_name("MS")
      ->check(CLI::Range(1u, 10000u));
  tap->add_flag("!--no-relay", options.tap.relay_notifications,
                "Hand the front end's kick and call eventfds to the back end unchanged (rings are polled only)");
  tap->add_option("--connections", options.tap.max_connections,
                  "Stop after N front ends were served (default: until SIGTERM or SIGINT)")
      ->type_name("N");
  tap->footer(
      "Exit status: 0 every connection ended cleanly; 1 a connection ended with an error (a malformed\n"
      "message from either side, a back end that cannot be reached); 2 usage error; 4 the log or the\n"
      "socket cannot be made.");
  return tap;
}

int run_tap_command(const TapCommandOptions& options) {
  trace::RecorderOptions recording;
  recording.snap_length = options.snap_length;
  recording.application = "vgen trace tap";
  recording.mode = options.flight ? trace::RecorderMode::Flight : trace::RecorderMode::Stream;
  recording.buffer_bytes = options.buffer_bytes;
  std::unique_ptr<trace::Recorder> recorder;
  try {
    recorder = std::make_unique<trace::Recorder>(options.log, recording);
  } catch (const trace::Error& error) {
    std::cerr << "vgen trace tap: cannot record the trace: " << error.what() << '\n';
    return 4;
  }
  TapOptions tap_options = options.tap;
  tap_options.snap = options.snap_length;
  tap_options.poll_interval = std::chrono::milliseconds(options.poll_ms);
  std::unique_ptr<Tap> tap;
  try {
    tap = std::make_unique<Tap>(tap_options, *recorder);
  } catch (const vhost_user::Error& error) {
    std::cerr << "vgen trace tap: " << error.what() << '\n';
    return 4;
  }
  const trace::SignalFlush write_out(*recorder, {SIGUSR1});
  g_running = tap.get();
  struct sigaction action {};
  action.sa_handler = stop_on_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction previous_term {};
  struct sigaction previous_int {};
  sigaction(SIGTERM, &action, &previous_term);
  sigaction(SIGINT, &action, &previous_int);
  tap->run();
  sigaction(SIGTERM, &previous_term, nullptr);
  sigaction(SIGINT, &previous_int, nullptr);
  g_running = nullptr;
  const TapStatistics s = tap->statistics();
  tap.reset();
  recorder->flush();
  const trace::RecorderStatistics written = recorder->statistics();
  recorder.reset();
  std::cerr << "vgen trace tap: " << s.connections << " connections, " << s.messages << " messages, " << s.chains
            << " chains, " << s.used << " used, " << s.kicks << " kicks, " << s.interrupts << " interrupts, "
            << s.errors << " errors; " << written.written << " records in " << options.log;
  if (written.dropped != 0) std::cerr << " (" << written.dropped << " lost)";
  if (written.overwritten != 0) std::cerr << " (the latest; " << written.overwritten << " older ones overwritten)";
  std::cerr << '\n';
  return s.errors == 0 ? 0 : 1;
}

}  // namespace vgen::trace_tap
