#include "ratio_reporter.hpp"

#include <cstdio>

namespace vgen::bench {

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    const auto it = run.counters.find(counter_);
    if (it == run.counters.end() || run.run_type != Run::RT_Iteration) continue;
    const std::string name = run.run_name.function_name;
    if (!rates_.count(name)) order_.push_back(name);
    rates_[name] = it->second.value;
  }
}

void RatioReporter::PrintSummary(const std::vector<Comparison>& comparisons, const std::string& rtt_name) const {
  std::printf("\n%-44s %14s %-34s %14s %7s %6s\n", "vgen", counter_.c_str(), "peer", counter_.c_str(), "ratio",
              "goal");
  for (const Comparison& c : comparisons) {
    const auto v = rates_.find(c.vgen);
    const auto p = rates_.find(c.peer);
    if (v == rates_.end() || p == rates_.end()) continue;
    std::printf("%-44s %14.0f %-34s %14.0f %7.3f %6s\n", c.vgen.c_str(), v->second, c.peer.c_str(), p->second,
                v->second / p->second, c.goal > 0 ? ("≥" + std::to_string(c.goal).substr(0, 4)).c_str() : "-");
  }
  const auto rtt = rates_.find(rtt_name);
  if (rtt == rates_.end()) return;
  const double rtt_ns = 1e9 / rtt->second;
  std::printf("\ncache-line round trip (same run): %.1f ns\n", rtt_ns);
  std::printf("%-44s %14s\n", "benchmark", "ops per RTT");
  for (const std::string& name : order_) {
    if (name == rtt_name) continue;
    std::printf("%-44s %14.3f\n", name.c_str(), rates_.at(name) * rtt_ns * 1e-9);
  }
}

}  // namespace vgen::bench
