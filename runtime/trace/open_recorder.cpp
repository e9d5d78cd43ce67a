// The recorder behind `--trace LOG`: its options from the environment, a report of what it
// lost, and the signals that write the log out before the program goes on or ends.
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <vgen/trace/error.hpp>
#include <vgen/trace/recorder.hpp>
#include <vgen/trace/signal_flush.hpp>

namespace vgen::trace {
namespace {

// The recorder behind --trace: reports what it lost when it closes, and answers the signals.
class ReportingRecorder final : public TraceSink {
 public:
  ReportingRecorder(const std::string& path, const RecorderOptions& options)
      : path_(path), recorder_(path, options), signals_(recorder_, {SIGUSR1, SIGTERM, SIGINT}, [this](int number) {
          if (number == SIGUSR1) return;
          report();
          signal(number, SIG_DFL);
          kill(getpid(), number);  // ends the program as the signal would have
        }) {}
  ~ReportingRecorder() override {
    recorder_.flush();
    report();
  }
  void record(const Event& event) noexcept override { recorder_.record(event); }
  void record_in_group(const Event& event) noexcept override { recorder_.record_in_group(event); }
  void end_group() noexcept override { recorder_.end_group(); }

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

  std::string path_;
  Recorder recorder_;
  SignalFlush signals_;  // USR1 writes the log out; TERM and INT write it and end the program
};

// The largest snap length $VGEN_TRACE_SNAP may ask for.
constexpr std::uint64_t kMaxSnap = 65536;

// The number $`variable` gives, or `fallback` when it is not set; throws std::invalid_argument
// saying `what` it must be when it is not a number that `valid` accepts.
std::uint64_t number_variable(const char* variable, std::uint64_t fallback, bool (*valid)(std::uint64_t),
                              const char* what) {
  const char* text = std::getenv(variable);
  if (text == nullptr) return fallback;
  const std::string_view value(text);
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || !valid(number)) {
    throw std::invalid_argument(std::string(variable) + "='" + text + "' is not " + what);
  }
  return number;
}

// The options of --trace: the defaults, with what the environment variables say.
RecorderOptions trace_options() {
  RecorderOptions options;
  options.snap_length = static_cast<std::uint32_t>(number_variable(
      kSnapLengthVariable, options.snap_length, [](std::uint64_t bytes) { return bytes <= kMaxSnap; },
      "a snap length (bytes, 0 to 65536)"));
  options.buffer_bytes = number_variable(
      kBufferVariable, options.buffer_bytes, [](std::uint64_t bytes) { return valid_buffer_bytes(bytes); },
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
