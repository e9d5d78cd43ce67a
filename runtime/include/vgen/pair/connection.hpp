// The ways a pair runner connects a device's two halves, and what each run is given. A kind's
// runner (virtio_pair.hpp, split_pair.hpp, rpmsg_pair.hpp) offers its connections; a new
// transport is one more Connection, added to that list or passed to run_pair().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vgen/trace/hooks.hpp>

namespace vgen::pair {

/// What one run of the pair is given besides the halves.
struct RunContext {
  /// Where the halves' ring and state events go (--trace LOG), or null. A connection that runs
  /// both halves records them into it with trace::Ends::Both; one that runs a single half (the
  /// vhost-user back end) with trace::Ends::One.
  trace::TraceSink* trace = nullptr;
};

/// One way to connect the halves.
struct Connection {
  /// The mode word ("threads") or, for a connection chosen by option, the option's long name
  /// ("vhost-user" for --vhost-user).
  std::string name;
  /// Completes "demo: <spec> ..." when the run starts: "as two threads".
  std::string title;
  /// What --help says about it.
  std::string description;
  /// Empty: a mode, run when named and by default. Otherwise the connection is chosen with
  /// --<name> <value_name> ("SOCKET") and runs alone.
  std::string value_name;
  /// Runs the pair this way; true when every check passed. `value` is the option's value
  /// (empty for a mode). Exceptions count as a failed run.
  std::function<bool(const RunContext& context, const std::string& value)> run;
};

/// Opens the trace log named by --trace LOG. The runner offers --trace only when it has one.
using TraceOpener = std::function<std::unique_ptr<trace::TraceSink>(const std::string& log)>;

}  // namespace vgen::pair
