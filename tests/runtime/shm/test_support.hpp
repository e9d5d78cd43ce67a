// Helpers shared by the shm and notify tests: counting open fds (to prove nothing leaks)
// and running a function in a forked child process.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

namespace vgen::test {

/// Number of fds open in this process (entries of /proc/self/fd).
inline std::size_t count_open_fds() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

/// A connected pair of Unix sockets of `type`, closed on destruction.
struct SocketPair {
  /// Both ends time out after 10 s, so a broken test fails instead of hanging.
  explicit SocketPair(int type = SOCK_STREAM) {
    if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair failed");
    const timeval timeout{10, 0};
    for (int fd : fds) {
      if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0 ||
          ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) != 0) {
        throw std::runtime_error("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO) failed");
      }
    }
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  ~SocketPair() {
    close_end(0);
    close_end(1);
  }
  void close_end(int index) {
    if (fds[index] >= 0) ::close(fds[index]);
    fds[index] = -1;
  }
  int fds[2] = {-1, -1};
};

/// Forks; the child runs `body` and exits with its return value (an exception exits with 100
/// after printing it). The child never returns into the test framework.
inline pid_t run_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  int code = 100;
  try {
    code = body();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "child: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "child: unknown exception\n");
  }
  std::fflush(stderr);
  ::_exit(code);
}

/// Waits for `pid`; returns its exit code, or -1 if it did not exit normally.
inline int wait_child(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace vgen::test
