// A console reporter that also remembers each benchmark's rate, so a run can end with a
// table of "vgen / peer" ratios measured side by side, and each rate scaled by the machine's
// cache-line round trip measured in the same run.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

namespace vgen::bench {

/// One line of the closing table: a vgen benchmark, its peer, and the goal ratio (0 = none).
struct Comparison {
  std::string vgen;
  std::string peer;
  double goal = 0;
};

/// The console reporter's options as the library would choose them for its own console
/// reporter: colour per --benchmark_color (else the BENCHMARK_COLOR environment variable,
/// else "auto": only when standard output is a colour terminal). Counters stay in columns.
benchmark::ConsoleReporter::OutputOptions console_options();

/// One line of the table of paired runs: a benchmark whose counters "ratio", "ratio-low" and
/// "ratio-high" compare runs of its own made in turn with its peer's (paired.hpp), what that
/// peer is, and the goal (0 = none).
struct PairedComparison {
  std::string name;
  std::string peer;
  double goal = 0;
};

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  /// `rate_counter` is the user counter holding operations per second (e.g. "msgs/s").
  /// Colours its output only as console_options() says.
  explicit RatioReporter(std::string rate_counter)
      : ConsoleReporter(console_options()), counter_(std::move(rate_counter)) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  /// Prints the comparisons, the cache-line round trip (from benchmark `rtt_name`, whose
  /// counter is round trips per second) and every rate times that round trip. A benchmark
  /// run several times (--benchmark_repetitions, best with
  /// --benchmark_enable_random_interleaving=true) counts with the median of its runs.
  void PrintSummary(const std::vector<Comparison>& comparisons, const std::string& rtt_name) const;
  /// Prints the paired comparisons that ran: each one's median pair ratio, and the lowest and
  /// highest, each the median over the benchmark's repetitions.
  void PrintPaired(const std::vector<PairedComparison>& comparisons) const;

 private:
  std::string counter_;
  double rate(const std::string& name) const;  // the median of the name's repetitions
  bool has(const std::string& name) const;     // a rate of `name` was reported

  std::map<std::string, std::vector<double>> rates_;  // by benchmark: each repetition's rate
  std::map<std::string, double> medians_;             // by benchmark: its median, when reported
  // by benchmark and counter ("ratio", "ratio-low", "ratio-high"): each repetition's value, or their
  // median alone when only it was reported
  std::map<std::string, std::map<std::string, std::vector<double>>> pairs_;
  std::vector<std::string> order_;
};

}  // namespace vgen::bench
