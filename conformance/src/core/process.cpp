// Forked and spawned children with deadlines.
#include <vgen/conform/process.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <vgen/error.hpp>

namespace vgen::conform {
namespace {

// Polls, with pauses from 50 us growing to 5 ms, until `done()` or `deadline`; true when done.
template <class Done>
bool poll_until(std::chrono::steady_clock::time_point deadline, Done&& done) {
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    if (done()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

}  // namespace

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
  if (!poll_until(std::chrono::steady_clock::now() + timeout, [&] { return !running(); })) return std::nullopt;
  return status_;
}

void ChildProcess::kill() {
  if (pid_ < 0 || status_) return;
  status_ = end_child(pid_);
}

namespace {

// Reaps `pid` if it has exited (or is not this process's child any more); true then.
bool reaped(pid_t pid, int& status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    return r == pid || r < 0;
  }
}

// Reaps `pid`, waiting as long as it takes.
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// True when a process of `group` is still running: a zombie has ended, though it stays in the
// group until whoever inherited it reaps it (an init that reaps late would hold every wait up).
bool group_running(pid_t group) {
  if (::kill(-group, 0) != 0 && errno == ESRCH) return false;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return true;
  bool running = false;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    const std::string path = std::string("/proc/") + entry->d_name + "/stat";
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) continue;
    char line[512];
    const bool read = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    // "pid (name) state ppid pgrp ...": the name may hold spaces and parentheses.
    const char* after = read ? std::strrchr(line, ')') : nullptr;
    char state = 0;
    int parent = 0;
    int member_of = 0;
    if (after == nullptr || std::sscanf(after + 1, " %c %d %d", &state, &parent, &member_of) != 3) continue;
    if (member_of == group && state != 'Z' && state != 'X') {
      running = true;
      break;
    }
  }
  ::closedir(proc);
  return running;
}

}  // namespace

int end_child(pid_t pid, std::chrono::milliseconds grace) {
  int status = 0;
  ::kill(pid, SIGTERM);
  if (poll_until(std::chrono::steady_clock::now() + grace, [&] { return reaped(pid, status); })) return status;
  ::kill(pid, SIGKILL);
  return reap(pid);
}

int end_group(pid_t leader, std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  ::kill(-leader, SIGTERM);
  ::kill(leader, SIGTERM);  // also when it had not made its group yet
  bool leader_reaped = false;
  poll_until(deadline, [&] {
    if (!leader_reaped) leader_reaped = reaped(leader, status);
    return leader_reaped && !group_running(leader);
  });
  ::kill(-leader, SIGKILL);
  if (leader_reaped) return status;
  ::kill(leader, SIGKILL);
  return reap(leader);
}

void end_leftovers(pid_t group, std::chrono::milliseconds grace) {
  if (::kill(-group, SIGTERM) != 0) return;  // nobody left
  if (poll_until(std::chrono::steady_clock::now() + grace, [&] { return !group_running(group); })) return;
  ::kill(-group, SIGKILL);
}

std::string describe_exit(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return "died by signal " + std::to_string(WTERMSIG(wait_status)) + " (" + ::strsignal(WTERMSIG(wait_status)) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace vgen::conform
