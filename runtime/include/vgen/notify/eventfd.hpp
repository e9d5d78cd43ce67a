// A notifier backed by a Linux eventfd: works within a process and, once the fd has been
// passed to a peer (see vgen/shm/fd_passing.hpp), across processes.
#pragma once

#include <chrono>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify {

/// Signals by adding 1 to an eventfd counter; waiting reads (and so resets) the counter,
/// which makes several signals before one wait coalesce into one.
class EventfdNotifier final : public Notifier {
 public:
  /// Creates a fresh eventfd (close-on-exec, non-blocking). Throws notify::Error.
  EventfdNotifier();
  /// Adopts an eventfd received from a peer; this object closes it. Throws notify::Error
  /// (and closes `fd`) when `fd` is invalid or not an eventfd.
  explicit EventfdNotifier(int fd);
  EventfdNotifier(const EventfdNotifier&) = delete;
  EventfdNotifier& operator=(const EventfdNotifier&) = delete;
  ~EventfdNotifier() override;

  /// The eventfd, for passing to a peer; stays owned by this object.
  int fd() const noexcept { return fd_; }

  /// Adds 1 to the counter. Throws notify::Error if the write fails.
  void signal() override;
  /// Waits up to `timeout` for the counter to become non-zero, then consumes it.
  bool wait(std::chrono::nanoseconds timeout) override;
  /// The eventfd: readable while a signal is pending.
  int pollable_fd() const noexcept override { return fd_; }

 private:
  bool try_consume();

  int fd_ = -1;
};

}  // namespace vgen::notify
