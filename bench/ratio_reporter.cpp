#include "ratio_reporter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace vgen::bench {
namespace {

constexpr std::string_view kColorFlag = "--benchmark_color=";

// The value of the last --benchmark_color=... the program was started with. Read from
// /proc/self/cmdline because benchmark::Initialize removes the flags it knows from argv
// before a reporter exists, and the library does not tell what it parsed.
std::optional<std::string> color_flag() {
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  std::optional<std::string> value;
  for (std::string argument; std::getline(cmdline, argument, '\0');) {
    if (argument.starts_with(kColorFlag)) value = argument.substr(kColorFlag.size());
  }
  return value;
}

// The library's reading of a yes/no flag value: false, no, off, 0, f, n (any case) say no.
bool says_yes(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value != "false" && value != "no" && value != "off" && value != "0" && value != "f" && value != "n";
}

// "auto": colour only on a terminal whose TERM names a kind that shows colours.
bool stdout_shows_colour() {
  if (::isatty(STDOUT_FILENO) == 0) return false;
  const char* term = std::getenv("TERM");
  if (term == nullptr) return false;
  const std::string_view kind(term);
  for (const std::string_view colour :
       {"xterm", "screen", "tmux", "rxvt", "linux", "cygwin", "alacritty", "foot", "wezterm"}) {
    if (kind.starts_with(colour)) return true;
  }
  return false;
}

}  // namespace

benchmark::ConsoleReporter::OutputOptions console_options() {
  std::optional<std::string> setting = color_flag();
  if (!setting) {
    const char* environment = std::getenv("BENCHMARK_COLOR");
    setting = environment != nullptr ? environment : "auto";
  }
  const bool colour = *setting == "auto" ? stdout_shows_colour() : says_yes(*setting);
  return colour ? benchmark::ConsoleReporter::OO_ColorTabular : benchmark::ConsoleReporter::OO_Tabular;
}

namespace {

// The goal column: "≥0.90", or "-" when there is no goal, right-aligned to 6 characters ("≥"
// takes three bytes, and printf pads by bytes).
std::string goal_column(double goal) {
  const std::string text = goal > 0 ? "≥" + std::to_string(goal).substr(0, 4) : "-";
  const std::size_t characters = goal > 0 ? text.size() - 2 : text.size();
  return std::string(characters < 6 ? 6 - characters : 0, ' ') + text;
}

// The median of `values` (not empty).
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type != Run::RT_Iteration && !median) continue;
    const std::string name = run.run_name.function_name;
    // --benchmark_report_aggregates_only hands over the median alone, not the repetitions;
    // otherwise the repetitions come first, and their median is taken from them.
    if (!median || !pairs_.count(name)) {
      for (const char* counter : {"ratio", "ratio-low", "ratio-high"}) {
        const auto found = run.counters.find(counter);
        if (found != run.counters.end()) pairs_[name][counter].push_back(found->second.value);
      }
    }
    const auto it = run.counters.find(counter_);
    if (it == run.counters.end()) continue;
    if (!rates_.count(name) && !medians_.count(name)) order_.push_back(name);
    if (median) {
      medians_[name] = it->second.value;
    } else {
      rates_[name].push_back(it->second.value);
    }
  }
}

bool RatioReporter::has(const std::string& name) const { return rates_.count(name) || medians_.count(name); }

double RatioReporter::rate(const std::string& name) const {
  if (!rates_.count(name)) return medians_.at(name);
  return median(rates_.at(name));
}

void RatioReporter::PrintPaired(const std::vector<PairedComparison>& comparisons) const {
  bool header = false;
  for (const PairedComparison& c : comparisons) {
    const auto found = pairs_.find(c.name);
    if (found == pairs_.end() || found->second.size() != 3) continue;
    if (!header) {
      std::printf("\npaired runs: each benchmark's rate over its peer's, the two run in turn on fresh setups\n");
      std::printf("%-52s %-12s %7s %7s %7s %6s\n", "benchmark", "peer", "median", "lowest", "highest", "goal");
      header = true;
    }
    const auto& values = found->second;
    std::printf("%-52s %-12s %7.3f %7.3f %7.3f %s\n", c.name.c_str(), c.peer.c_str(), median(values.at("ratio")),
                median(values.at("ratio-low")), median(values.at("ratio-high")), goal_column(c.goal).c_str());
  }
}

void RatioReporter::PrintSummary(const std::vector<Comparison>& comparisons, const std::string& rtt_name) const {
  std::size_t most_runs = 0;
  for (const auto& [name, runs] : rates_) most_runs = std::max(most_runs, runs.size());
  if (most_runs > 1) std::printf("\nrates: the median of each benchmark's %zu runs\n", most_runs);
  if (rates_.empty() && !medians_.empty()) std::printf("\nrates: the medians reported\n");
  std::printf("\n%-44s %14s %-34s %14s %7s %6s\n", "vgen", counter_.c_str(), "peer", counter_.c_str(), "ratio", "goal");
  for (const Comparison& c : comparisons) {
    if (!has(c.vgen) || !has(c.peer)) continue;
    const double v = rate(c.vgen);
    const double p = rate(c.peer);
    std::printf("%-44s %14.0f %-34s %14.0f %7.3f %s\n", c.vgen.c_str(), v, c.peer.c_str(), p, v / p,
                goal_column(c.goal).c_str());
  }
  if (!has(rtt_name)) return;
  const double rtt_ns = 1e9 / rate(rtt_name);
  std::printf("\ncache-line round trip (same run): %.1f ns\n", rtt_ns);
  std::printf("%-44s %14s\n", "benchmark", "ops per RTT");
  for (const std::string& name : order_) {
    if (name == rtt_name) continue;
    std::printf("%-44s %14.3f\n", name.c_str(), rate(name) * rtt_ns * 1e-9);
  }
}

}  // namespace vgen::bench
