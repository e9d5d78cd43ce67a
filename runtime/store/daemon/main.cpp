// vgen-xenstored: a XenStore-compatible daemon on a Unix socket. Stock clients reach it with
// XENSTORED_PATH=<socket>. See docs/store.md and vgen/store/server.hpp.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <vgen/store/error.hpp>
#include <vgen/store/server.hpp>
#include <vgen/trace/recorder.hpp>

#include "options.hpp"

namespace {

// The handlers are installed before the server exists (its socket file appears while it is
// constructed, and a client may signal as soon as it sees it): a signal that arrives before
// the server is published is remembered and honoured right after.
std::atomic<vgen::store::Server*> running_server{nullptr};
std::atomic<bool> stop_requested{false};

extern "C" void on_signal(int) {
  if (vgen::store::Server* server = running_server.load()) {
    server->stop();
  } else {
    stop_requested = true;
  }
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void log_line(std::string_view line) {
  std::fprintf(stderr, "vgen-xenstored: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto command = vgen::store::daemon::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (command.help) {
      std::fputs(vgen::store::daemon::usage().c_str(), stdout);
      return 0;
    }
    vgen::store::ServerOptions options = command.server;
    options.log = log_line;
    std::unique_ptr<vgen::trace::TraceSink> recorder;
    if (!command.trace_log.empty()) {
      try {
        recorder = vgen::trace::open_recorder(command.trace_log);
      } catch (const std::exception& error) {
        log_line(std::string("cannot record the trace: ") + error.what());
        return 1;
      }
      options.trace = recorder.get();
    }
    install_signal_handlers();
    vgen::store::Server server(std::move(options));
    running_server = &server;
    if (stop_requested) server.stop();
    server.run();
    running_server = nullptr;
    return 0;
  } catch (const vgen::Error& error) {
    log_line(error.what());
    return 1;
  }
}
