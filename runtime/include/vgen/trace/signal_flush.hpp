// Writing a recorder's log out when the process gets a signal: what lets a flight recorder be
// left on in a program that runs for days (`kill -USR1 PID` writes the latest records) and
// keeps the end of a streamed log when the program is stopped by a signal.
//
// The handler only writes the signal's number to a pipe; a watcher thread reads it, flushes
// the recorder and then calls back. One SignalFlush in a process takes the signals at a time;
// signals the program handles itself are left alone. A process forked afterwards ends on TERM
// and INT as it would have without it, and ignores USR1 (its parent's recorder writes its records).
#pragma once

#include <functional>
#include <thread>
#include <vector>

#include <vgen/trace/recorder.hpp>

namespace vgen::trace {

/// Flushes a recorder on signals while it lives.
class SignalFlush {
 public:
  /// Takes `signals` (those at their default disposition) for `recorder`; `then(signal)` runs
  /// on the watcher thread after each flush. Takes nothing when another SignalFlush has them.
  SignalFlush(Recorder& recorder, std::vector<int> signals, std::function<void(int)> then = {});
  SignalFlush(const SignalFlush&) = delete;
  SignalFlush& operator=(const SignalFlush&) = delete;
  /// Gives the signals back to their default and stops the watcher.
  ~SignalFlush();

 private:
  void watch();

  Recorder& recorder_;
  std::function<void(int)> then_;
  std::vector<int> taken_;
  int read_end_ = -1;
  std::thread watcher_;
};

}  // namespace vgen::trace
