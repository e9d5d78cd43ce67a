// vhost-user virtio-blk device for the guest tests, a RAM disk loaded from an image file whose
// changed blocks are written back on FLUSH:
//   vgen-guest-blk --socket PATH --image FILE
// Serves until SIGTERM; prints its request counters.
#include <cstdio>
#include <exception>
#include <string>

#include "blk_device.hpp"
#include "device_main.hpp"

int main(int argc, char** argv) {
  const std::string socket = vgen::guest::option(argc, argv, "--socket");
  const std::string image = vgen::guest::option(argc, argv, "--image");
  if (socket.empty() || image.empty()) {
    std::fprintf(stderr, "usage: %s --socket PATH --image FILE\n", argv[0]);
    return 2;
  }
  try {
    vgen::guest::BlkDevice device(image);
    return vgen::guest::serve_until_signal(device, socket, [&] {
      const vgen::guest::BlkCounters& c = device.counters();
      std::printf("device: blk reads %llu, writes %llu, flushes %llu, errors %llu\n",
                  static_cast<unsigned long long>(c.reads), static_cast<unsigned long long>(c.writes),
                  static_cast<unsigned long long>(c.flushes), static_cast<unsigned long long>(c.errors));
    });
  } catch (const std::exception& error) {
    std::fprintf(stderr, "vgen-guest-blk: %s\n", error.what());
    return 1;
  }
}
