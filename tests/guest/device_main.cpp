#include "device_main.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <vgen/vhost_user/backend.hpp>
#include <vgen/vhost_user/stop_on_signals.hpp>

namespace vgen::guest {

std::string option(int argc, char** argv, const std::string& name) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return "";
}

int serve_until_signal(virtio::DeviceModel& model, const std::string& socket, const std::function<void()>& report) {
  try {
    vhost_user::Options options;
    options.log = [](const std::string& line) {
      std::printf("vhost-user: %s\n", line.c_str());
      std::fflush(stdout);
    };
    options.trace = std::getenv("VGEN_VHOST_TRACE") != nullptr;
    vhost_user::Backend backend(model, socket, options);
    const vhost_user::StopOnSignals stop(backend);
    std::printf("device: serving on %s\n", socket.c_str());
    std::fflush(stdout);
    backend.run();
    const vhost_user::Statistics stats = backend.statistics();
    std::printf("device: %llu connections, %llu messages, %llu protocol errors, %llu kicks\n",
                static_cast<unsigned long long>(stats.connections), static_cast<unsigned long long>(stats.messages),
                static_cast<unsigned long long>(stats.protocol_errors), static_cast<unsigned long long>(stats.kicks));
    report();
    std::fflush(stdout);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "device: %s\n", error.what());
    return 1;
  }
}

}  // namespace vgen::guest
