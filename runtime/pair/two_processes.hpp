// The processes connection's frame, shared by the VirtIO and rpmsg runners: the second half
// in a forked child, the first in this process, joined by a Unix socket pair over which the
// first sends what the second maps (memory, eventfds).
#pragma once

#include <sys/types.h>

#include <functional>

namespace vgen::pair {

/// One half of a two-process run: given its end of the socket pair, true when it passed.
/// `name` ("device", "driver") prefixes the message of an exception it throws.
struct ProcessHalf {
  const char* name;
  std::function<bool(int socket)> run;
};

/// Forks: the child closes the other end, runs `second` and exits with status 0 when it
/// passed, 1 otherwise; this process runs `first`, closes its end, calls `stop_second` (which
/// tells the child to finish) and waits for the child. True when both halves passed. Nothing
/// is forked (false) when the socket pair cannot be made or fork() fails.
bool run_two_processes(const ProcessHalf& first, const ProcessHalf& second, const std::function<void()>& stop_second);

/// Waits for `child` (retrying on EINTR); true when it exited with status 0.
bool child_passed(pid_t child);

}  // namespace vgen::pair
