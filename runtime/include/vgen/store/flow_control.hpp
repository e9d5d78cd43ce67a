// Back-pressure between connections of the daemon (server.hpp). A connection whose request
// just gave watch events to a backed-up watcher may be made to wait: the daemon reads no more
// of its requests until the watcher has caught up, has been closed, or has stalled (taken none
// of its output for the stall timeout, which closes it). So a watcher that reads slowly slows
// down the writers feeding it instead of being closed when its budget runs out. This class
// only keeps the relations and the clocks; the server decides who may hold whom.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <vgen/store/store.hpp>

namespace vgen::store {

class FlowControl {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FlowControl(Clock::duration stall_timeout) : stall_timeout_(stall_timeout) {}

  /// `producer` waits for `watcher` from now on; the watcher's stall clock starts at `now`
  /// unless it already holds someone.
  void hold(ConnectionId producer, ConnectionId watcher, Clock::time_point now);
  /// True while `producer` waits for at least one watcher.
  bool waiting(ConnectionId producer) const { return waiting_on_.count(producer) != 0; }
  /// True while `watcher` holds at least one producer.
  bool holding(ConnectionId watcher) const { return holders_.count(watcher) != 0; }
  /// `watcher` sent output at `now`: its stall clock restarts.
  void progressed(ConnectionId watcher, Clock::time_point now);
  /// `watcher` caught up: it holds nobody any more. Returns the producers now waiting for
  /// nobody (to be resumed).
  std::vector<ConnectionId> release(ConnectionId watcher);
  /// `id` is closed: forgotten as watcher and as producer. Returns producers to resume.
  std::vector<ConnectionId> forget(ConnectionId id);
  /// Watchers that hold someone and made no progress for the stall timeout.
  std::vector<ConnectionId> stalled(Clock::time_point now) const;
  /// Time until the next watcher stalls, or nullopt if nobody holds anybody.
  std::optional<Clock::duration> next_stall(Clock::time_point now) const;

 private:
  struct Holder {
    std::set<ConnectionId> producers;
    Clock::time_point progress;
  };
  Clock::duration stall_timeout_;
  std::map<ConnectionId, Holder> holders_;                     ///< by watcher
  std::map<ConnectionId, std::set<ConnectionId>> waiting_on_;  ///< producer -> watchers
};

}  // namespace vgen::store
