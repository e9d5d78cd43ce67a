// vhost-user virtio-rng device for the guest tests:
//   vgen-guest-rng --socket PATH [--seed N]
// Serves until SIGTERM; prints how many stream bytes it produced.
#include <cstdio>
#include <string>

#include "device_main.hpp"
#include "rng_device.hpp"

int main(int argc, char** argv) {
  const std::string socket = vgen::guest::option(argc, argv, "--socket");
  const std::string seed = vgen::guest::option(argc, argv, "--seed");
  if (socket.empty()) {
    std::fprintf(stderr, "usage: %s --socket PATH [--seed N]\n", argv[0]);
    return 2;
  }
  vgen::guest::RngDevice device(seed.empty() ? 0 : std::stoull(seed));
  return vgen::guest::serve_until_signal(device, socket, [&] {
    std::printf("device: rng produced %llu bytes\n", static_cast<unsigned long long>(device.produced()));
  });
}
