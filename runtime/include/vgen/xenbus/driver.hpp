// What a Xenbus frontend and backend have in common: a device directory of their own, the
// other end's directory whose `state` node they watch, and one function through which every
// state change goes.
//
// Threading: the store client delivers watch events on its own thread; the driver only
// records there that the other end changed and signals an eventfd (pollable_fd()). The
// owner runs the state machine by calling process() on one thread of its choosing, which
// is also the thread that runs every handler. A process therefore waits on the event
// channel and on pollable_fd() in one loop and never has handlers racing its I/O.
//
// Watch events carry only the path, so process() re-reads the other end's state and the
// handlers are idempotent; intermediate states can be missed (xenbus-protocol notes).
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vgen/notify/eventfd.hpp>
#include <vgen/store/client.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/nodes.hpp>
#include <vgen/xenbus/state.hpp>

namespace vgen::xenbus {

/// Base of Frontend and Backend. Not copyable; destroy it before its client.
class Driver {
 public:
  virtual ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// Which end this is.
  Side side() const noexcept { return side_; }
  /// This end's device directory.
  const std::string& path() const noexcept { return path_; }
  /// The other end's device directory (as last read from the store).
  const std::string& other_path() const noexcept { return other_path_; }
  /// The other end's domain.
  DomainId other_id() const noexcept { return other_id_; }
  /// This end's state as last written by switch_state().
  State state() const noexcept { return state_; }
  /// The other end's state as last read by process() (Unknown if its node is missing or
  /// no longer readable).
  State other_state() const noexcept { return other_state_; }
  /// The text of the last error reported with fatal() ("<errno> <message>"), or empty.
  const std::string& last_error() const noexcept { return last_error_; }
  /// Where fatal() writes: /local/domain/<self>/error/<nodename>/error.
  std::string error_node() const;

  /// Readable while a watch event waits for process().
  int pollable_fd() const noexcept { return wakeup_.pollable_fd(); }
  /// Runs the state machine if the other end changed (and any pending close step); true if
  /// it did something. Bad store contents, and any other vgen::Error a handler throws (a
  /// grant that does not map...), are reported with fatal(), never thrown; a failing store
  /// (store::ClientError) is thrown.
  bool process();
  /// Waits up to `timeout` for a watch event, then process().
  bool wait_and_process(std::chrono::nanoseconds timeout);

  /// Every state change is reported to `sink` as trace::EventKind::StateChanged with
  /// a = old state, b = new state, queue = devid (low 16 bits), index = 0 frontend / 1 backend.
  /// `ends`: trace::Ends::Both when the other end records into `sink` too; halves hand it to
  /// their rings, which then record the entries they take without their bytes.
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One) noexcept {
    trace_ = sink;
    trace_ends_ = ends;
  }
  /// The sink given to set_trace() (null: none); halves hand it to their rings.
  trace::TraceSink* trace() const noexcept { return trace_; }
  /// The ends given to set_trace().
  trace::Ends trace_ends() const noexcept { return trace_ends_; }
  /// The device id (the last component of path()).
  std::uint32_t devid() const noexcept { return devid_; }

  /// The one way this end changes state. Does nothing if `to` is the current state;
  /// throws Error(BadTransition) naming the node and both states if the side may not make
  /// the change. In one transaction (retried on EAGAIN): checks that the state node still
  /// exists (Error(MissingNode) otherwise), writes `nodes` (relative to path()) and the
  /// new state.
  void switch_state(State to, const Nodes& nodes = {});

  /// Xen's xenbus_dev_error: writes "<errno> <message>" to error_node() and remembers it in
  /// last_error(); the state does not change.
  void report_error(int error_number, const std::string& message);
  /// Xen's xenbus_dev_fatal: report_error(), then Closing (if this side may).
  void fatal(int error_number, const std::string& message);

 protected:
  /// `path` is this end's directory; `other_path_node` the node in it naming the other
  /// end's directory ("backend"/"frontend"), `other_id_node` its domain.
  Driver(store::Client& client, Side side, std::string path, std::string other_path_node, std::string other_id_node,
         std::uint32_t devid);

  /// Reads this end's state and the other end's path and id, and watches its state node.
  /// Throws MissingNode/BadValue naming the node.
  void attach();
  /// Stops watching the other end (events already queued are ignored).
  void detach() noexcept;
  /// Reads the other end's path and id again and watches its new state node.
  void reattach();

  /// Called by process() with the other end's current state; the protocol lives here.
  virtual void on_other_state(State other) = 0;
  /// Called by process() every time, after events: lets a side finish a pending step
  /// (a frontend waiting for in-flight requests to drain). True if it did something.
  virtual bool continue_pending() { return false; }

  /// The store connection, acting as this end's domain (for handlers reading nodes).
  store::Client& client() noexcept { return client_; }
  /// This end's domain.
  DomainId self() const noexcept { return client_.domain(); }

 private:
  void read_other_end();
  State read_other_state();
  std::string token() const;

  store::Client& client_;
  Side side_;
  std::string path_;
  std::string other_path_node_;
  std::string other_id_node_;
  std::uint32_t devid_;
  std::string other_path_;
  DomainId other_id_ = 0;
  State state_ = State::Unknown;
  State other_state_ = State::Unknown;
  std::string last_error_;
  trace::TraceSink* trace_ = nullptr;
  trace::Ends trace_ends_ = trace::Ends::One;
  notify::EventfdNotifier wakeup_;
  std::atomic<bool> changed_{false};
  std::optional<std::string> watched_;  // the other end's state node while watched
  unsigned generation_ = 0;             // makes each watch's token unique
};

}  // namespace vgen::xenbus
