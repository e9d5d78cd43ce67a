// The recorder behind `--trace LOG`: its options from the environment, a report of what it
// lost, and the signals that write the log out before the program goes on or ends.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/recorder.hpp>

namespace vgen::trace {
namespace {

// The signals a --trace recorder answers: USR1 writes the log out (a flight recorder's latest
// records), TERM and INT write it out and then end the program as the signal would have.
constexpr int kSignals[] = {SIGUSR1, SIGTERM, SIGINT};

// The process whose recorder watches the signals, and the pipe its handler writes them to.
// Read by the handler, so plain values set before the handlers are installed.
pid_t g_owner = 0;
int g_pipe = -1;
std::atomic<bool> g_watching{false};

void on_signal(int number) {
  const int saved = errno;
  if (getpid() != g_owner) {
    // A forked child (the pair runner's other half) has no writer thread: its parent's
    // recorder writes its records. It ends as it would have without vgen.
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

// The recorder behind --trace: reports what it lost when it closes, and answers the signals.
class ReportingRecorder final : public TraceSink {
 public:
  ReportingRecorder(const std::string& path, const RecorderOptions& options) : path_(path), recorder_(path, options) {
    watch_signals();
  }
  ~ReportingRecorder() override {
    stop_watching();
    recorder_.flush();
    report();
  }
  void record(const Event& event) noexcept override { recorder_.record(event); }

 private:
  void report() const {
    const RecorderStatistics s = recorder_.statistics();
    if (s.dropped != 0) {
      std::fprintf(stderr, "vgen trace: %s: %llu records written, %llu dropped (buffers full)\n", path_.c_str(),
                   static_cast<unsigned long long>(s.written), static_cast<unsigned long long>(s.dropped));
    }
    if (s.overwritten != 0) {
      std::fprintf(stderr, "vgen trace: %s: %llu records written, %llu older ones overwritten (flight recorder)\n",
                   path_.c_str(), static_cast<unsigned long long>(s.written),
                   static_cast<unsigned long long>(s.overwritten));
    }
  }

  // Takes the signals the program leaves at their default, when no other recorder has them.
  void watch_signals() {
    if (g_watching.exchange(true)) return;
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) {
      g_watching = false;
      return;
    }
    read_end_ = ends[0];
    g_pipe = ends[1];
    g_owner = getpid();
    for (int number : kSignals) {
      struct sigaction now {};
      struct sigaction before {};
      sigaction(number, nullptr, &before);
      if (before.sa_handler != SIG_DFL) continue;  // the program's own handler stays
      now.sa_handler = on_signal;
      sigemptyset(&now.sa_mask);
      now.sa_flags = SA_RESTART;
      sigaction(number, &now, nullptr);
      taken_.push_back(number);
    }
    watcher_ = std::thread([this] { watch(); });
  }

  // Runs on the watcher thread until the pipe closes.
  void watch() {
    unsigned char number = 0;
    for (;;) {
      const ssize_t n = read(read_end_, &number, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      recorder_.flush();
      if (number == SIGUSR1) continue;
      report();
      signal(number, SIG_DFL);
      kill(getpid(), number);  // ends the program as the signal would have
    }
  }

  void stop_watching() {
    if (!watcher_.joinable()) return;
    for (int number : taken_) signal(number, SIG_DFL);
    close(g_pipe);  // the watcher reads the end of the pipe and returns
    watcher_.join();
    close(read_end_);
    g_pipe = -1;
    g_watching = false;
  }

  std::string path_;
  Recorder recorder_;
  int read_end_ = -1;
  std::vector<int> taken_;  // the signals whose handlers this recorder set
  std::thread watcher_;
};

// The number $`variable` gives, or `fallback` when it is not set; throws std::invalid_argument
// saying `what` it must be when it is not a number from `low` to `high`.
std::uint64_t number_variable(const char* variable, std::uint64_t fallback, std::uint64_t low, std::uint64_t high,
                              const char* what) {
  const char* text = std::getenv(variable);
  if (text == nullptr) return fallback;
  const std::string_view value(text);
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  const bool power_of_two = (number & (number - 1)) == 0;
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || number < low || number > high ||
      (variable == std::string_view(kBufferVariable) && !power_of_two)) {
    throw std::invalid_argument(std::string(variable) + "='" + text + "' is not " + what);
  }
  return number;
}

// The options of --trace: the defaults, with what the environment variables say.
RecorderOptions trace_options() {
  // The largest snap length the variable may ask for.
  constexpr std::uint32_t kMaxSnap = 65536;
  RecorderOptions options;
  options.snap_length = static_cast<std::uint32_t>(
      number_variable(kSnapLengthVariable, options.snap_length, 0, kMaxSnap, "a snap length (bytes, 0 to 65536)"));
  options.buffer_bytes = number_variable(kBufferVariable, options.buffer_bytes, 4096, std::uint64_t{1} << 30,
                                         "a buffer size (a power of two from 4096 to 1073741824 bytes)");
  if (const char* mode = std::getenv(kModeVariable); mode != nullptr) {
    const std::string_view value(mode);
    if (value == "flight") {
      options.mode = RecorderMode::Flight;
    } else if (value != "stream") {
      throw std::invalid_argument(std::string(kModeVariable) + "='" + mode + "' is not a mode (stream or flight)");
    }
  }
  return options;
}

}  // namespace

std::unique_ptr<TraceSink> open_recorder(const std::string& path) {
  return std::make_unique<ReportingRecorder>(path, trace_options());
}

}  // namespace vgen::trace
