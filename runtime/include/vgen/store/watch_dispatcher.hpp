// Delivery of watch events to callbacks, shared by the store clients. Events are queued by
// whoever receives them (a socket reader, a store operation) and handed to the callbacks
// on one thread owned by the dispatcher, in arrival order. Running callbacks there (and
// never on the thread that reads replies) is what lets a callback call the client again.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vgen/store/client.hpp>

namespace vgen::store {

/// Token -> callback table plus an event queue and the thread that drains it.
class WatchDispatcher {
 public:
  WatchDispatcher();
  /// Stops the thread (see stop()).
  ~WatchDispatcher();
  WatchDispatcher(const WatchDispatcher&) = delete;
  WatchDispatcher& operator=(const WatchDispatcher&) = delete;

  /// Registers `callback` for `token`. Throws ClientError("WATCH", path, "EEXIST") if the
  /// token is taken.
  void add(const std::string& path, const std::string& token, WatchCallback callback);
  /// Forgets `token`; returns once its callback is not running (unless called from the
  /// dispatcher thread itself, i.e. from a callback). Queued events for it are dropped.
  void remove(const std::string& token);
  /// Queues one event; events for unknown tokens are dropped at delivery.
  void post(std::string path, std::string token);
  /// Number of events queued and not yet delivered.
  std::size_t pending() const;
  /// Callbacks that ended with an exception (delivery goes on; callbacks are expected to
  /// handle their own errors, so a non-zero count is a bug in one).
  std::size_t failed_callbacks() const;
  /// Waits for a running callback to return, then stops the thread; events still queued
  /// and later posts are dropped. Idempotent; not from a callback.
  void stop();

 private:
  struct Event {
    std::string path;
    std::string token;
  };
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // events arrived or stopping
  std::condition_variable finished_;  // a callback returned
  std::map<std::string, WatchCallback> callbacks_;
  std::deque<Event> events_;
  std::string running_token_;  // token whose callback runs now
  bool running_ = false;
  bool stopping_ = false;
  std::size_t failed_ = 0;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace vgen::store
