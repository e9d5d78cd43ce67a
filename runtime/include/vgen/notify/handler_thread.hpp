// A thread that waits on a notifier and runs a handler for every signal it takes, the way an
// interrupt handler runs for every interrupt. Paired with a MailboxNotifier it models the
// interrupt service routine of an AMP core.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify {

/// Starts a thread on construction that loops source.wait(poll_interval) and calls `handler`
/// after each successful wait. Several signals before one wait coalesce into one call.
class HandlerThread {
 public:
  /// Default bound on how long stop() waits for the thread to notice.
  static constexpr std::chrono::milliseconds kDefaultPollInterval{10};

  /// Starts the thread. `source` must outlive this object. Throws notify::Error for an
  /// empty `handler` or a non-positive `poll_interval`.
  HandlerThread(Notifier& source, std::function<void()> handler,
                std::chrono::nanoseconds poll_interval = kDefaultPollInterval);
  HandlerThread(const HandlerThread&) = delete;
  HandlerThread& operator=(const HandlerThread&) = delete;
  /// Stops and joins the thread; an exception the handler threw is dropped.
  ~HandlerThread();

  /// Stops and joins the thread (idempotent). If the handler or the wait threw, the thread
  /// ended there and the first call of stop() rethrows that exception.
  void stop();
  /// Number of handler calls that have completed.
  std::uint64_t handled() const noexcept { return handled_.load(std::memory_order_acquire); }
  /// False once the thread has ended, by stop() or by an exception.
  bool running() const noexcept { return running_.load(std::memory_order_acquire); }

 private:
  void run() noexcept;
  /// Stops and joins the thread; returns (and forgets) the exception it ended with, if any.
  std::exception_ptr join() noexcept;

  Notifier& source_;
  std::function<void()> handler_;
  std::chrono::nanoseconds poll_interval_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{true};
  std::atomic<std::uint64_t> handled_{0};
  std::exception_ptr failure_;
  std::mutex join_mutex_;
  std::thread thread_;
};

}  // namespace vgen::notify
