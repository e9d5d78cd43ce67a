#include "paired.hpp"

#include <algorithm>
#include <string>

namespace vgen::bench {

PairedTimes run_pairs(int pairs, const std::function<double()>& peer, const std::function<double()>& subject) {
  PairedTimes times;
  for (int pair = 0; pair < pairs; ++pair) {
    double peer_seconds = 0;
    double subject_seconds = 0;
    if (pair % 2 == 0) {
      peer_seconds = peer();
      subject_seconds = subject();
    } else {
      subject_seconds = subject();
      peer_seconds = peer();
    }
    times.ratios.push_back(peer_seconds / subject_seconds);  // rates: work / seconds, the same work
    times.peer_seconds += peer_seconds;
    times.subject_seconds += subject_seconds;
  }
  std::sort(times.ratios.begin(), times.ratios.end());
  return times;
}

void report_pairs(benchmark::State& state, const PairedTimes& times, double work, const char* rate_counter) {
  if (times.ratios.empty()) return;
  const double runs = static_cast<double>(times.ratios.size());
  state.SetIterationTime(times.subject_seconds);
  state.counters[rate_counter] = work * runs / times.subject_seconds;
  state.counters[std::string("peer-") + rate_counter] = work * runs / times.peer_seconds;
  state.counters["ratio"] = times.ratios[times.ratios.size() / 2];
  state.counters["ratio-low"] = times.ratios.front();
  state.counters["ratio-high"] = times.ratios.back();
}

}  // namespace vgen::bench
