#include "two_processes.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

#include <vgen/trace/recorder.hpp>

namespace vgen::pair {
namespace {

// Runs `half`, printing the message of an exception it throws; true when it passed.
bool run_half(const ProcessHalf& half, int socket) {
  try {
    return half.run(socket);
  } catch (const std::exception& error) {
    std::printf("%s: %s\n", half.name, error.what());
  }
  return false;
}

}  // namespace

bool child_passed(pid_t child) {
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool run_two_processes(const ProcessHalf& first, const ProcessHalf& second, const std::function<void()>& stop_second) {
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) return false;
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) {
    close(sockets[0]);
    close(sockets[1]);
    return false;
  }
  if (child == 0) {
    close(sockets[0]);
    const bool passed = run_half(second, sockets[1]);
    std::fflush(stdout);
    trace::close_thread_group();  // _exit runs no thread-local destructor that would
    _exit(passed ? 0 : 1);
  }
  close(sockets[1]);
  const bool complete = run_half(first, sockets[0]);
  close(sockets[0]);
  stop_second();
  return child_passed(child) && complete;
}

}  // namespace vgen::pair
