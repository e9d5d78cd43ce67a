// A trace recorder for the benchmarks that measure tracing: it writes its log in a fresh
// temporary folder, removed afterwards, and reports what reached the log per message.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>

#include <vgen/trace/recorder.hpp>

namespace vgen::bench {

/// A recorder in `mode` at snap length `snap`, on a log in a temporary folder of its own.
class BenchRecorder {
 public:
  BenchRecorder(trace::RecorderMode mode, std::uint32_t snap) {
    char pattern[] = "/tmp/vgen-bench-trace-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder_ = pattern;
    trace::RecorderOptions options;
    options.snap_length = snap;
    options.mode = mode;
    recorder_ = std::make_unique<trace::Recorder>(folder_ + "/bench.pcapng", options);
  }
  BenchRecorder(const BenchRecorder&) = delete;
  BenchRecorder& operator=(const BenchRecorder&) = delete;
  ~BenchRecorder() {
    recorder_.reset();
    std::filesystem::remove_all(folder_);
  }
  trace::Recorder& recorder() { return *recorder_; }

 private:
  std::string folder_;
  std::unique_ptr<trace::Recorder> recorder_;
};

/// Once `recorder` wrote everything: counters of the records written, dropped and overwritten
/// per message, `messages` being the run's count and `unit` its name ("msg", "req").
inline void count_records(benchmark::State& state, trace::Recorder& recorder, double messages,
                          const std::string& unit) {
  recorder.flush();
  const trace::RecorderStatistics stats = recorder.statistics();
  state.counters["records/" + unit] = static_cast<double>(stats.written) / messages;
  state.counters["dropped/" + unit] = static_cast<double>(stats.dropped) / messages;
  state.counters["overwritten/" + unit] = static_cast<double>(stats.overwritten) / messages;
}

}  // namespace vgen::bench
