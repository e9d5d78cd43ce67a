// A host process and a remote process (fork; the remote maps only the memfd and notifiers it
// received over a Unix socket) exchanging echo round trips over several rpmsg channels at
// once. The remote announces the channels; the host's driver binds them, keeps a window of
// requests in flight on each, and checks every byte of every reply.
#pragma once

#include <cstdint>

namespace vgen::test {

/// How the two processes signal each other.
enum class EchoNotifier { Eventfd, Mailbox };

/// "eventfd" / "mailbox".
const char* to_string(EchoNotifier kind) noexcept;

/// Settings of a run.
struct EchoOptions {
  std::uint64_t round_trips = 1000000;  ///< in all, spread over the channels
  std::uint32_t channels = 4;           ///< channels "echo-0" .. announced by the remote
  std::uint32_t window = 32;            ///< requests in flight per channel
  EchoNotifier notifier = EchoNotifier::Eventfd;
};

/// What a run saw.
struct EchoResult {
  std::uint64_t round_trips = 0;     ///< replies the host received
  std::uint64_t bad_replies = 0;     ///< replies with a wrong length, byte or order
  std::uint64_t bad_requests = 0;    ///< requests the remote found wrong
  std::uint64_t remote_received = 0; ///< requests the remote's endpoints received
  std::uint64_t host_rejected = 0;   ///< messages either side dropped or rejected
  std::uint64_t remote_rejected = 0;
  std::uint64_t signals = 0;         ///< notifications sent both ways
  std::uint32_t channels_bound = 0;  ///< channels the host's driver was probed for
  double seconds = 0;
  int remote_exit_status = -1;       ///< 0 = clean
};

/// Runs the pair to completion. Throws vgen::Error if the setup fails.
EchoResult run_echo_pair(const EchoOptions& options);

}  // namespace vgen::test
