// Paired runs: two configurations of one benchmark run in turn, many times, each run timed on
// its own, so that the ratio of their rates is taken between runs a few tens of milliseconds
// apart. A shared host's speed moves by more than the effects measured here within a second
// or two; runs of half a second each, even interleaved, compare different phases of it.
#pragma once

#include <functional>
#include <vector>

#include <benchmark/benchmark.h>

namespace vgen::bench {

/// What run_pairs() measured.
struct PairedTimes {
  std::vector<double> ratios;  ///< per pair: the subject's rate over the peer's, sorted
  double subject_seconds = 0;  ///< the subject's runs, all together
  double peer_seconds = 0;     ///< the peer's runs, all together
};

/// Runs `peer` and `subject` in turn `pairs` times, the subject first in every other pair (so
/// that neither always runs on the machine the other left). Each does the same work once on a
/// setup of its own and returns the seconds the work took, its setup not counted.
PairedTimes run_pairs(int pairs, const std::function<double()>& peer, const std::function<double()>& subject);

/// Reports `times` on `state` (registered with UseManualTime() and Iterations(1), and run with
/// one iteration): its time is the subject's; counters: `rate_counter` the subject's rate and
/// "peer-" `rate_counter` the peer's, given `work` units per run; "ratio" the median pair's
/// ratio, "ratio-low" and "ratio-high" the extremes (RatioReporter::PrintPaired() reads them).
void report_pairs(benchmark::State& state, const PairedTimes& times, double work, const char* rate_counter);

}  // namespace vgen::bench
