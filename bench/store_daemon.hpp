// A XenStore daemon run as a child process on a socket in a fresh temporary directory, for
// benchmarks that compare daemons side by side. A daemon counts as started once a
// XS_DIRECTORY of "/" gets its reply over the socket; one that does not start throws.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vgen::bench {

class StoreDaemon {
 public:
  /// vgen-xenstored at `binary`, listening on <dir>/socket.
  static StoreDaemon start_vgen(const std::string& binary);
  /// The C xenstored at `binary`, run with -N (stay in the foreground) and LD_PRELOAD of
  /// `shim` (vgen-xenstored-shim) so that it starts without a hypervisor; it listens on
  /// $XENSTORED_RUNDIR/socket.
  static StoreDaemon start_c(const std::string& binary, const std::string& shim);

  StoreDaemon(StoreDaemon&& other) noexcept;
  StoreDaemon& operator=(StoreDaemon&&) = delete;
  StoreDaemon(const StoreDaemon&) = delete;
  StoreDaemon& operator=(const StoreDaemon&) = delete;
  /// Stops the daemon (SIGTERM, SIGKILL after 2 s) and removes its directory.
  ~StoreDaemon();

  const std::string& name() const noexcept { return name_; }
  const std::string& socket_path() const noexcept { return socket_; }
  pid_t pid() const noexcept { return pid_; }
  /// True while the child has not exited (reaps it once it has).
  bool running();
  /// CPU time the daemon's main thread has used, in ns (/proc/<pid>/schedstat); the
  /// figure that shared, busy machines disturb least.
  std::uint64_t cpu_ns() const;
  /// Everything the daemon wrote to stdout and stderr so far.
  std::string log() const;

 private:
  StoreDaemon(std::string name, std::string directory);
  void spawn(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env);
  /// Waits up to 5 s for a reply on the socket; throws with the log if none comes.
  void wait_ready();

  std::string name_;
  std::string directory_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace vgen::bench
