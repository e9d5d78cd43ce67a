// Drives a LoopbackDriver through a number of checked messages, as every loopback test does.
#pragma once

#include <chrono>
#include <cstdint>

#include "loopback_driver.hpp"
#include "stream.hpp"

namespace vgen::test {

/// How the driver learns that buffers were used.
enum class Completion {
  Polling,     ///< look at the used rings first; sleep on the interrupt line only when idle
  Interrupts,  ///< after each notification, wait for the device's interrupt, then reclaim
};

/// What a run did.
struct RunResult {
  bool completed = false;        ///< every sent byte came back before the time limit
  std::uint64_t interrupts = 0;  ///< interrupts taken (read and acknowledged)
};

/// Sends `count` more messages from `sender` and receives until every sent byte came back
/// into `receiver`. Interrupts are re-armed before each sleep (§2.7.10).
inline RunResult run_messages(loopback::LoopbackDriver& driver, StreamSender& sender, StreamReceiver& receiver,
                              std::uint64_t count, Completion mode = Completion::Polling,
                              std::chrono::seconds limit = std::chrono::seconds(120)) {
  RunResult result;
  const std::uint64_t target = sender.messages() + count;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const auto accept = [&](std::span<const std::byte> data) { receiver.accept(data); };
  const auto wait = [&] {
    if (driver.wait(std::chrono::milliseconds(100))) {
      ++result.interrupts;
      return true;
    }
    return std::chrono::steady_clock::now() <= deadline;
  };
  bool used_waiting = false;  // arming found used buffers: their interrupt may never come
  while (sender.messages() < target || receiver.bytes() < sender.bytes()) {
    bool queued = false;
    while (sender.messages() < target && driver.queue_message(sender.peek())) {
      sender.commit();
      queued = true;
    }
    if (queued) driver.flush();
    if (mode == Completion::Interrupts) {
      if (!used_waiting && !wait()) return result;
      driver.poll(accept);
      used_waiting = driver.arm_interrupts();
      continue;
    }
    if (driver.poll(accept) > 0) continue;
    if (driver.arm_interrupts()) continue;
    if (!wait()) return result;
  }
  driver.poll(accept);  // take back the last transmit slots
  result.completed = true;
  return result;
}

}  // namespace vgen::test
