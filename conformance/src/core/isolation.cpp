// One check per child process: the verdict comes back over a pipe.
#include <vgen/conform/isolation.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <vgen/conform/process.hpp>

namespace vgen::conform {
namespace {

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child(int fd, const std::function<Verdict()>& body) {
  ::setpgid(0, 0);
  ::dup2(2, 1);  // what the half under test prints goes to standard error, not into the transcript
  Verdict verdict;
  try {
    verdict = body();
  } catch (const std::exception& error) {
    verdict = fail(std::string("unexpected error: ") + error.what());
  }
  std::fflush(nullptr);
  write_all(fd, std::string(1, static_cast<char>('0' + static_cast<int>(verdict.outcome))) + verdict.reason);
  ::close(fd);
  ::_exit(0);
}

// Reads the child's answer until end of file or the deadline; false on timeout.
bool read_answer(int fd, std::chrono::milliseconds timeout, std::string& answer) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? false : true;
    char buffer[512];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
}

Verdict judge_exit(int status, const std::string& answer) {
  if (WIFSIGNALED(status)) {
    return fail(std::string("the check's process died by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                ::strsignal(WTERMSIG(status)) + ")");
  }
  if (answer.empty())
    return fail("the check's process exited without a verdict (status " + std::to_string(WEXITSTATUS(status)) + ")");
  const int code = answer[0] - '0';
  if (code < 0 || code > 2) return fail("the check's process sent a malformed verdict");
  return {static_cast<Outcome>(code), answer.substr(1)};
}

}  // namespace

std::vector<Verdict> run_isolated_batch(const std::function<std::vector<Verdict>()>& body, std::size_t count,
                                        std::chrono::milliseconds timeout) {
  constexpr char kSeparator = '\x1e';
  const Verdict joined = run_isolated(
      [&] {
        const std::vector<Verdict> verdicts = body();
        std::string text;
        for (const Verdict& v : verdicts)
          text += std::string(1, static_cast<char>('0' + static_cast<int>(v.outcome))) + v.reason + kSeparator;
        return Verdict{Outcome::Pass, text};
      },
      timeout);
  std::vector<Verdict> verdicts;
  if (joined.outcome == Outcome::Pass) {
    std::size_t start = 0;
    for (std::size_t end; (end = joined.reason.find(kSeparator, start)) != std::string::npos; start = end + 1) {
      const std::string item = joined.reason.substr(start, end - start);
      if (item.empty() || item[0] < '0' || item[0] > '2') break;
      verdicts.push_back({static_cast<Outcome>(item[0] - '0'), item.substr(1)});
    }
  }
  if (verdicts.size() != count)
    return std::vector<Verdict>(count, joined.outcome == Outcome::Pass ? fail("malformed batch of verdicts") : joined);
  return verdicts;
}

Verdict run_isolated(const std::function<Verdict()>& body, std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], body);
  }
  ::setpgid(pid, pid);
  ::close(fds[1]);
  std::string answer;
  const bool answered = read_answer(fds[0], timeout, answer);
  ::close(fds[0]);
  // The processes of a check that gave no verdict in time, and those a check started and left
  // behind, are ended gently (SIGTERM, SIGKILL after kEndGrace): a device program with its own
  // --trace recorder writes its log out. A forked check ends on SIGTERM at once, so a hung
  // check costs no more than before unless it is a program that takes its time.
  int status = 0;
  if (!answered) {
    status = end_group(pid);
  } else {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    end_leftovers(pid);
  }
  if (!answered) return fail("no verdict within " + std::to_string(timeout.count()) + " ms: the peer hung (wedged)");
  return judge_exit(status, answer);
}

}  // namespace vgen::conform
