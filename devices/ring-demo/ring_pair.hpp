// A driver process and a device process exchanging request/response buffers over one split
// virtqueue in shared memory. The driver creates the memory (memfd), forks the device, and
// hands it the region table and the notifiers over a Unix socket; the device maps only what
// it received. Every byte of every request and response is checked.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <vgen/error.hpp>

namespace vgen::demo {

/// How the two sides notify each other.
enum class NotifierKind { Eventfd, Mailbox };

/// What one exchange carried, for printing.
struct Exchange {
  std::uint64_t sequence = 0;
  std::string request;   ///< the first bytes of the request, as text
  std::string response;  ///< the first bytes of the response, as text
  std::uint32_t used_length = 0;
};

/// Settings of a run.
struct PairOptions {
  std::uint64_t messages = 1000;
  NotifierKind notifier = NotifierKind::Eventfd;
  std::uint32_t queue_size = 256;
  bool event_idx = true;
  std::uint32_t payload = 64;                      ///< request and response bytes (>= 16)
  std::uint64_t show = 0;                          ///< how many exchanges to pass to on_exchange
  std::function<void(const Exchange&)> on_exchange;
};

/// What a run measured.
struct PairResult {
  std::uint64_t messages = 0;             ///< responses the driver received
  std::uint64_t bad_requests = 0;         ///< requests whose bytes the device found wrong
  std::uint64_t bad_responses = 0;        ///< responses whose bytes or length the driver found wrong
  std::uint64_t kicks = 0;                ///< driver-to-device notifications
  std::uint64_t interrupts = 0;           ///< device-to-driver notifications
  double seconds = 0;
  int device_exit_status = -1;            ///< the device process's exit code (0 = clean)
};

/// Runs the pair to completion. Throws vgen::Error if setup fails.
PairResult run_two_process_pair(const PairOptions& options);

/// "eventfd" / "mailbox".
const char* to_string(NotifierKind kind) noexcept;

}  // namespace vgen::demo
