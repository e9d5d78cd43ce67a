// The bounded queue of watch events waiting to be sent to one connection.
//
// Policy past the bound: the queue refuses the event and becomes "overflowed" for good; the
// owner (the daemon) must then close the connection. Why close rather than drop events or
// send a marker: a watch event is a promise that the client will hear about a change, and
// clients rebuild their view only from those events. Dropping events loses changes silently;
// an "overflow" marker event is not part of the XenStore protocol, so stock clients
// (libxenstore, guest kernels) would misread it as a change of some path. A closed
// connection is something every client already handles: it reconnects, re-reads the state
// and re-registers its watches. Closing also frees the memory at once, so a client that
// stops reading (XSA-349) cannot make the daemon grow.
//
// An event identical to one still waiting (same path and token) is not queued again, as
// the C daemon does: it tells the client nothing new, since the client re-reads the node
// anyway. Events of special paths ("@releaseDomain") are always queued.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace vgen::store {

/// One watch event as sent on the wire: the changed path and the watch's token.
struct WatchEvent {
  std::string path;   ///< as the watcher registered it (relative watches get relative paths)
  std::string token;  ///< the watch's token
  bool operator==(const WatchEvent&) const = default;
};

/// Bytes counted for a message the daemon holds, beyond its wire size: the allocations and
/// container slots that hold it (so that the byte bounds track the daemon's real memory).
inline constexpr std::size_t kHeldOverhead = 64;

/// Bytes counted for holding `event`: its XS_WATCH_EVENT on the wire (16-byte header, path,
/// NUL, token, NUL) plus kHeldOverhead.
std::size_t held_size(const WatchEvent& event) noexcept;

/// FIFO of undelivered events with a count bound; the byte room is decided by the caller
/// (the store, from the connection's and its domain's budgets).
class EventQueue {
 public:
  explicit EventQueue(std::size_t max_events = 1024) : max_events_(max_events) {}

  /// Appends `event`, unless an identical event is already waiting (then nothing changes).
  /// Returns false, and marks the queue overflowed, if the queue holds max_events already,
  /// if the event needs more than `room` bytes (held_size), or if the queue has overflowed
  /// before; the event is then not stored.
  bool push(WatchEvent event, std::size_t room);
  /// Removes and returns the oldest event, or nullopt if empty.
  std::optional<WatchEvent> pop();

  bool empty() const noexcept { return events_.empty(); }
  std::size_t size() const noexcept { return events_.size(); }
  /// Bytes held (held_size of every waiting event).
  std::size_t bytes() const noexcept { return bytes_; }
  /// True once an event has been refused; the connection must be closed.
  bool overflowed() const noexcept { return overflowed_; }
  std::size_t max_events() const noexcept { return max_events_; }

 private:
  /// Path and token of a waiting event; views into an element of `events_`, which a deque
  /// never moves while it is queued.
  struct Key {
    std::string_view path;
    std::string_view token;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };

  std::size_t max_events_;
  std::deque<WatchEvent> events_;
  std::unordered_set<Key, KeyHash> waiting_;  ///< keys of the queued non-special events
  std::size_t bytes_ = 0;
  bool overflowed_ = false;
};

}  // namespace vgen::store
