#include "vgen/pair/vhost_user_connection.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <vgen/vhost_user/backend.hpp>
#include <vgen/vhost_user/stop_on_signals.hpp>

namespace vgen::pair {
namespace {

void print(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Serves the device half on `socket` until a signal; true when nothing was refused.
bool serve(const VirtioHalves& halves, const RunContext& context, const std::string& socket) {
  const std::unique_ptr<halves::VirtioDeviceFraming> device = halves.make_device();
  vhost_user::Options options;
  options.log = [](const std::string& line) { print("vhost-user: " + line); };
  options.trace = std::getenv("VGEN_VHOST_TRACE") != nullptr;
  options.sink = context.trace;
  vhost_user::Backend backend(*device, socket, options);
  virtio::DeviceCore& core = backend.device().core();
  vhost_user::StopOnSignals stop(backend);
  print("device: serving " + std::string(halves.spec->name) + " on " + socket + " until SIGTERM or SIGINT");
  backend.run();

  const vhost_user::Statistics served = backend.statistics();
  print("device: stopped by " + std::string(stop.received() == SIGINT ? "SIGINT" : "SIGTERM") + ": " +
        std::to_string(served.connections) + " connections, " + std::to_string(served.messages) + " messages, " +
        std::to_string(served.protocol_errors) + " protocol errors, " + std::to_string(served.kicks) + " kicks");
  print("device: " + std::to_string(core.rejections().count()) + " rejected accesses, " +
        std::to_string(device->malformed()) + " malformed chains");
  if (core.rejections().count() != 0) print("device: last rejection: " + core.rejections().last());
  return served.protocol_errors == 0 && core.rejections().count() == 0 && device->malformed() == 0;
}

}  // namespace

Connection vhost_user_connection(const VirtioHalves& halves) {
  return {"vhost-user", "device half over vhost-user",
          "Serve the device half alone on Unix socket SOCKET to a vhost-user front end (QEMU: its guest runs "
          "the driver) until SIGTERM or SIGINT; VGEN_VHOST_TRACE=1 logs every request",
          "SOCKET",
          [halves](const RunContext& context, const std::string& socket) { return serve(halves, context, socket); }};
}

}  // namespace vgen::pair
