// Forked and spawned children with deadlines.
#include <vgen/conform/process.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include <vgen/error.hpp>

namespace vgen::conform {

ChildProcess ChildProcess::fork(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw vgen::Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "conform child: %s\n", error.what());
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  return ChildProcess(pid);
}

ChildProcess ChildProcess::shell(const std::string& command, int keep_fd) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw vgen::Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (keep_fd >= 0) {
      const int flags = ::fcntl(keep_fd, F_GETFD);
      ::fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "conform: cannot run /bin/sh: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { kill(); }

bool ChildProcess::running() {
  if (pid_ < 0 || status_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    return false;
  }
  return r == 0;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return status_;
}

void ChildProcess::kill() {
  if (pid_ < 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
}

std::string describe_exit(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return "died by signal " + std::to_string(WTERMSIG(wait_status)) + " (" + ::strsignal(WTERMSIG(wait_status)) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace vgen::conform
