// `vgen trace tap`: a vhost-user man in the middle. It listens where a front end (QEMU)
// connects, connects to the real back end, and passes every message on both ways with its
// file descriptors (SCM_RIGHTS), the back-end channel of SET_BACKEND_REQ_FD included, while it
// records into a trace sink:
//
//   - every message (VhostUserMessage: head 0 from the front end, 1 from the back end; index
//     the connection from 1, 0 on the back-end channel; a the fds it carried);
//   - every chain the driver makes available (AvailSeen, with its descriptors and readable
//     bytes) and every used entry (UsedSeen, with the written bytes), read from the rings it
//     learns from SET_VRING_NUM/ADDR/BASE/KICK in the regions of SET_MEM_TABLE or
//     ADD_MEM_REG, which it maps read-only;
//   - each kick and interrupt (NotifySent: head 0 with the avail idx, 1 with the used idx),
//     when the kick and call eventfds pass through it (the default): it hands the back end
//     eventfds of its own, and forwards each signal after recording what the ring holds.
//
// The rings are also scanned every poll interval, so chains are seen whatever the
// notifications do. Each ring is read by a virtqueue::RingObserver through virtqueue::ObservedGuestMemory,
// stopped with one QueueBroken record when it breaks a rule. What the tap cannot follow (IOTLB addresses, in-band or
// host-notifier kicks) is still passed on unchanged. docs/vhost-user.md, "Tapping a connection".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <vgen/trace/hooks.hpp>
#include <vgen/vhost_user/unique_fd.hpp>

namespace vgen::trace_tap {

/// How a Tap runs.
struct TapOptions {
  std::string listen;                            ///< socket the front end connects to
  std::string backend;                           ///< the back end's socket
  std::chrono::milliseconds poll_interval{2};    ///< the rings are scanned at least this often
  std::uint32_t snap = 256;                      ///< payload bytes read per chain: at least the sink's snap length
  bool relay_notifications = true;               ///< pass kick and call eventfds through the tap
  std::uint32_t max_connections = 0;             ///< front ends served before run() returns; 0: until stop()
  std::chrono::milliseconds connect_wait{5000};  ///< how long to retry connecting to the back end
  std::function<void(const std::string&)> log;   ///< warnings and errors, one line each; empty: stderr
};

/// What a Tap did.
struct TapStatistics {
  std::uint64_t connections = 0;  ///< front ends served
  std::uint64_t messages = 0;     ///< messages passed on, both ways and on the back-end channel
  std::uint64_t chains = 0;       ///< chains seen made available
  std::uint64_t used = 0;         ///< used entries seen
  std::uint64_t kicks = 0;        ///< kicks passed on
  std::uint64_t interrupts = 0;   ///< call signals passed on
  std::uint64_t errors = 0;       ///< connections ended by a malformed message or a failed call
};

/// The tap: one front end at a time, each with its own connection to the back end.
class Tap {
 public:
  /// Listens on options.listen (a stale socket file there is replaced). `sink` must outlive
  /// the tap. Throws vhost_user::Error(System) when the socket cannot be made.
  Tap(TapOptions options, trace::TraceSink& sink);
  ~Tap();
  Tap(const Tap&) = delete;
  Tap& operator=(const Tap&) = delete;

  /// Serves front ends until stop() or max_connections. A malformed message from either side
  /// or a back end that cannot be reached ends that connection (both sides closed) with a
  /// logged error naming the side, the message and the value.
  void run();
  /// Makes run() return soon; safe from any thread and from a signal handler.
  void stop() noexcept;
  /// The counters so far; safe from any thread.
  TapStatistics statistics() const noexcept;

 private:
  class Session;
  void log(const std::string& line) const;

  TapOptions options_;
  trace::TraceSink& sink_;
  vhost_user::UniqueFd listener_;
  vhost_user::UniqueFd stop_event_;
  // The counters of TapStatistics, read by statistics() from any thread.
  struct Counters {
    std::atomic<std::uint64_t> connections{0}, messages{0}, chains{0}, used{0}, kicks{0}, interrupts{0}, errors{0};
  };
  Counters statistics_;
};

}  // namespace vgen::trace_tap
