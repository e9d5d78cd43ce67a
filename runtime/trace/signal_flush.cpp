#include "vgen/trace/signal_flush.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace vgen::trace {
namespace {

// What the handler reads: set before the handlers are installed, cleared after they are gone.
pid_t g_owner = 0;
int g_pipe = -1;
std::atomic<bool> g_taken{false};

void on_signal(int number) {
  const int saved = errno;
  if (getpid() != g_owner) {
    // A forked child has no watcher thread.
    if (number != SIGUSR1) {
      signal(number, SIG_DFL);
      raise(number);
    }
  } else {
    const unsigned char byte = static_cast<unsigned char>(number);
    (void)!write(g_pipe, &byte, 1);
  }
  errno = saved;
}

}  // namespace

SignalFlush::SignalFlush(Recorder& recorder, std::vector<int> signals, std::function<void(int)> then)
    : recorder_(recorder), then_(std::move(then)) {
  if (g_taken.exchange(true)) return;
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    g_taken = false;
    return;
  }
  read_end_ = ends[0];
  g_pipe = ends[1];
  g_owner = getpid();
  for (int number : signals) {
    struct sigaction before {};
    sigaction(number, nullptr, &before);
    if (before.sa_handler != SIG_DFL) continue;  // the program's own handler stays
    struct sigaction now {};
    now.sa_handler = on_signal;
    sigemptyset(&now.sa_mask);
    now.sa_flags = SA_RESTART;
    sigaction(number, &now, nullptr);
    taken_.push_back(number);
  }
  watcher_ = std::thread([this] { watch(); });
}

SignalFlush::~SignalFlush() {
  if (!watcher_.joinable()) return;
  for (int number : taken_) signal(number, SIG_DFL);
  close(g_pipe);  // the watcher reads the end of the pipe and returns
  watcher_.join();
  close(read_end_);
  g_pipe = -1;
  g_taken = false;
}

// Runs on the watcher thread until the pipe closes.
void SignalFlush::watch() {
  unsigned char number = 0;
  for (;;) {
    const ssize_t n = read(read_end_, &number, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    recorder_.flush();
    if (then_) then_(number);
  }
}

}  // namespace vgen::trace
