// Notifiers: one direction of "something is ready" between two parties (a kick from driver
// to device, an interrupt from device to driver). Four implementations share this interface:
// eventfd (cross-process), mailbox (a doorbell register in shared memory, as the inter-core
// interrupt of an AMP SoC), in-process callback, and busy polling.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <vgen/error.hpp>

namespace vgen::notify {

/// The single error type of vgen::notify (a failed system call, a bad register address).
class Error : public vgen::Error {
 public:
  using vgen::Error::Error;
};

/// One direction of notification. signal() is called by the sender, wait() by the receiver;
/// several signals before a wait() may coalesce into one, as interrupts do.
class Notifier {
 public:
  virtual ~Notifier() = default;
  /// Tells the receiver there is work. Never blocks for long; safe from any thread.
  virtual void signal() = 0;
  /// Blocks until a signal arrives or `timeout` passes; consumes pending signals.
  /// Returns true if a signal was consumed. A polling notifier returns true at once.
  virtual bool wait(std::chrono::nanoseconds timeout) = 0;
  /// A file descriptor that becomes readable when a signal is pending (for poll/epoll),
  /// or -1 when this kind has none.
  virtual int pollable_fd() const noexcept { return -1; }
  /// Number of signal() calls made through this object (for notification statistics).
  std::uint64_t signals_sent() const noexcept { return sent_.load(std::memory_order_relaxed); }

 protected:
  void count_signal() noexcept { sent_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace vgen::notify
