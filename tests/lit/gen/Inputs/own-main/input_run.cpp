// Its own main(): the virtio-input halves in one process, over the in-process transport.
#include <cstdio>

#include <vgen/testing/virtio_harness.hpp>

#include "virtio_input_device.hpp"
#include "virtio_input_driver.hpp"

int main() {
  vgen::testing::VirtioHarness<virtio_input::VirtioInputDriver, virtio_input::VirtioInputDevice> pair;
  pair.start();
  const bool complete = pair.driver().run_demo();
  std::printf("input-run: %s\n", complete ? "every event came" : "incomplete");
  return complete ? 0 : 1;
}
