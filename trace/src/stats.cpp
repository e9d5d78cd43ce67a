#include "vgen/trace_view/stats.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "vgen/trace_view/chain_step.hpp"
#include "vgen/trace_view/show.hpp"

namespace vgen::trace_view {
namespace {

using trace::EventKind;

// A chain's life on one interface: made available at `since_ns`, not yet used.
using Pending = std::unordered_map<std::uint16_t, std::uint64_t>;

// Counts a chain once however many sides recorded it (chain_step.hpp).
void count_chain(const trace::LogRecord& entry, InterfaceStats& stats, Pending& pending) {
  const trace::Record& record = entry.record;
  const ChainStep step = chain_step(record.kind);
  if (step == ChainStep::Available) {
    if (!pending.emplace(record.head, entry.timestamp_ns).second) return;
    ++stats.chains;
    stats.bytes_out += record.a;
    stats.most_in_flight = std::max<std::uint64_t>(stats.most_in_flight, pending.size());
  } else if (step == ChainStep::Returned) {
    const auto found = pending.find(record.head);
    if (found == pending.end()) return;
    ++stats.used;
    stats.bytes_in += record.a;
    stats.latency_ns.push_back(entry.timestamp_ns >= found->second ? entry.timestamp_ns - found->second : 0);
    pending.erase(found);
  }
}

void count_notification(const trace::Record& record, InterfaceStats& stats) {
  if (record.kind == EventKind::NotifySuppressed) {
    ++stats.suppressed;
  } else if (record.kind == EventKind::NotifySent) {
    ++(record.head == 0 ? stats.kicks : stats.interrupts);
  }
}

std::string microseconds(std::uint64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(ns) / 1000.0);
  return text;
}

}  // namespace

void collect(trace::LogReader& reader, LogStats& into) {
  // Each interface's figures (in `into`, whose map keeps them in place) with its open chains,
  // found by one lookup per record.
  struct Counting {
    InterfaceStats* stats = nullptr;
    Pending pending;
  };
  std::map<std::string, Counting> interfaces;
  while (const trace::LogRecord* entry = reader.next()) {
    ++into.records;
    auto [found, added] = interfaces.try_emplace(interface_name(*entry, reader.interfaces()));
    if (added) found->second.stats = &into.by_name[found->first];
    InterfaceStats& stats = *found->second.stats;
    ++stats.records;
    if (entry->record.kind == EventKind::Dropped) into.dropped += entry->record.a;
    count_chain(*entry, stats, found->second.pending);
    count_notification(entry->record, stats);
  }
  for (auto& [name, stats] : into.by_name) std::sort(stats.latency_ns.begin(), stats.latency_ns.end());
}

std::uint64_t percentile(const std::vector<std::uint64_t>& values, unsigned p) {
  if (values.empty()) return 0;
  const std::size_t rank = (values.size() * std::min(p, 100u) + 99) / 100;
  return values[rank == 0 ? 0 : rank - 1];
}

void print(const LogStats& stats, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %8s %8s %8s %10s %10s %7s %10s %10s %9s %9s %9s %9s\n", "interface",
                "records", "chains", "used", "bytes-out", "bytes-in", "kicks", "interrupts", "suppressed", "in-flight",
                "p50-us", "p99-us", "max-us");
  out << line;
  for (const auto& [name, s] : stats.by_name) {
    const bool timed = !s.latency_ns.empty();
    std::snprintf(line, sizeof line, "%-12s %8llu %8llu %8llu %10llu %10llu %7llu %10llu %10llu %9llu %9s %9s %9s\n",
                  name.c_str(), static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.chains),
                  static_cast<unsigned long long>(s.used), static_cast<unsigned long long>(s.bytes_out),
                  static_cast<unsigned long long>(s.bytes_in), static_cast<unsigned long long>(s.kicks),
                  static_cast<unsigned long long>(s.interrupts), static_cast<unsigned long long>(s.suppressed),
                  static_cast<unsigned long long>(s.most_in_flight),
                  timed ? microseconds(percentile(s.latency_ns, 50)).c_str() : "-",
                  timed ? microseconds(percentile(s.latency_ns, 99)).c_str() : "-",
                  timed ? microseconds(s.latency_ns.back()).c_str() : "-");
    out << line;
  }
  out << stats.records << " records";
  if (stats.dropped != 0) out << ", " << stats.dropped << " lost by the recorder";
  out << '\n';
}

}  // namespace vgen::trace_view
