// What both ends of a split device did, as the store shows it: a snapshot of both
// directories (state and every node) at each watch event on either. The xenbus checks are
// judged on it; nothing is asked of the halves themselves.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <vgen/store/client.hpp>

namespace vgen::conform::xenbus_checks {

/// Both directories at one moment.
struct Snapshot {
  std::optional<std::string> frontend_state;          ///< the frontend's `state` (nullopt: missing)
  std::optional<std::string> backend_state;           ///< the backend's
  std::map<std::string, std::string> frontend_nodes;  ///< every node of the frontend directory
  std::map<std::string, std::string> backend_nodes;   ///< every node of the backend directory
  bool frontend_exists = false;                       ///< the frontend directory exists
  bool backend_exists = false;                        ///< the backend directory exists
};

/// Records snapshots while it lives. Thread-safe.
class Timeline {
 public:
  /// Watches both directories through `observer` (a domain-0 connection, which reads all).
  Timeline(store::Client& observer, std::string frontend_dir, std::string backend_dir);
  ~Timeline();

  /// Every snapshot so far.
  std::vector<Snapshot> snapshots() const;
  /// Waits up to `timeout` for a snapshot satisfying `done`; true if one came.
  bool wait_for(const std::function<bool(const Snapshot&)>& done, std::chrono::milliseconds timeout) const;
  /// A snapshot taken now.
  Snapshot now();

 private:
  void record();
  Snapshot take();

  store::Client& observer_;
  std::string frontend_dir_;
  std::string backend_dir_;
  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::vector<Snapshot> snapshots_;
};

/// The state a snapshot value stands for, or -1 (missing or not a decimal 0..8).
int state_of(const std::optional<std::string>& value);

}  // namespace vgen::conform::xenbus_checks
