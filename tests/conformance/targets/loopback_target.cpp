// The loopback pair as a conformance target.
#include "loopback_target.hpp"

#include <chrono>
#include <vector>

#include "loopback.hpp"
#include "loopback_device.hpp"
#include "loopback_driver.hpp"

namespace vgen::conform_targets {

bool run_loopback_driver(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator) {
  loopback::DriverOptions options;
  options.queue_size = 64;
  loopback::LoopbackDriver driver(transport, memory, allocator, options);
  driver.start();
  std::vector<std::byte> sent;
  for (int i = 0; i < 24; ++i) {
    std::vector<std::byte> message(1 + (i * 37) % 400);
    for (std::size_t b = 0; b < message.size(); ++b) message[b] = static_cast<std::byte>(i + b);
    if (!driver.queue_message(message)) break;
    sent.insert(sent.end(), message.begin(), message.end());
  }
  driver.flush();
  driver.arm_interrupts();
  driver.wait(std::chrono::milliseconds(200));  // takes the interrupt: InterruptStatus, then InterruptACK
  std::vector<std::byte> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (received.size() < sent.size() && std::chrono::steady_clock::now() < deadline) {
    driver.poll([&](std::span<const std::byte> bytes) { received.insert(received.end(), bytes.begin(), bytes.end()); });
    if (received.size() < sent.size() && !driver.arm_interrupts()) driver.wait(std::chrono::milliseconds(50));
  }
  const bool counted = driver.looped_bytes() == sent.size();  // a 64-bit field, read under the generation
  driver.stop();
  return received == sent && counted;
}

conform::VirtioTarget loopback_target() {
  conform::VirtioTarget target;
  target.name = "loopback";
  target.make_device = [] { return std::make_unique<loopback::LoopbackDevice>(64); };
  target.run_driver = run_loopback_driver;
  return target;
}

}  // namespace vgen::conform_targets
