// Child processes of the harness: a forked function or a shell command, waited for with a
// deadline and killed when it passes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace vgen::conform {

/// How long a child asked to end (SIGTERM) has before it is killed (SIGKILL): time for a
/// program with its own `--trace` recorder to write its log out.
inline constexpr std::chrono::milliseconds kEndGrace{500};

/// Ends the child `pid` gently and reaps it: SIGTERM, up to `grace` for it to exit, then
/// SIGKILL. Returns its wait status. A child that exits at once costs no more than the exit.
int end_child(pid_t pid, std::chrono::milliseconds grace = kEndGrace);

/// Ends the process group `leader` leads (the leader a child of this process, not reaped yet)
/// as end_child() ends one child: SIGTERM to the group, up to `grace` for the leader to exit
/// and every other member to end (a zombie has), then SIGKILL to what is left. Reaps the leader;
/// returns its wait status.
int end_group(pid_t leader, std::chrono::milliseconds grace = kEndGrace);

/// Ends what is left of process group `group` (its leader already reaped) as end_group() does;
/// returns at once when the group is empty.
void end_leftovers(pid_t group, std::chrono::milliseconds grace = kEndGrace);

/// A child process, ended (end_child(): SIGTERM, SIGKILL after kEndGrace) and reaped when the
/// object goes away unless it was waited for.
class ChildProcess {
 public:
  /// Forks; the child runs `body` and exits with its return value.
  static ChildProcess fork(const std::function<int()>& body);
  /// Runs `command` with /bin/sh -c; `keep_fd` (>= 0) stays open in the child.
  static ChildProcess shell(const std::string& command, int keep_fd = -1);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const noexcept { return pid_; }
  /// True while the child has not exited (reaps it if it has).
  bool running();
  /// Waits up to `timeout` for the exit; the wait status, or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  /// Ends the child (end_child()) and reaps it.
  void kill();
  /// The wait status once the child was reaped (running() false or wait() succeeded).
  std::optional<int> status() const noexcept { return status_; }

 private:
  explicit ChildProcess(pid_t pid) noexcept : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// "exited with status N" or "died by signal N (name)".
std::string describe_exit(int wait_status);

}  // namespace vgen::conform
