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
    stats.occupancy.push_back({entry.timestamp_ns, static_cast<std::uint32_t>(pending.size())});
  } else if (step == ChainStep::Returned) {
    const auto found = pending.find(record.head);
    if (found == pending.end()) return;
    ++stats.used;
    stats.bytes_in += record.a;
    stats.latency_ns.push_back(entry.timestamp_ns >= found->second ? entry.timestamp_ns - found->second : 0);
    pending.erase(found);
    stats.occupancy.push_back({entry.timestamp_ns, static_cast<std::uint32_t>(pending.size())});
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

// Characters of the occupancy bar at an interface's most chains in flight.
constexpr int kBarWidth = 20;

// The occupancy table: per interface with chains, one line per time bucket, times in
// microseconds since the first record, the mean drawn as a bar scaled to the interface's most.
void print_occupancy(const LogStats& stats, std::ostream& out, unsigned buckets) {
  const bool any = std::any_of(stats.by_name.begin(), stats.by_name.end(),
                               [](const auto& entry) { return !entry.second.occupancy.empty(); });
  if (!any) return;
  const double span_us = static_cast<double>(stats.last_ns - stats.first_ns) / 1000.0;
  char line[256];
  std::snprintf(line, sizeof line,
                "chains in flight over time: %u buckets of %.3f us (most at any moment, mean over the bucket)\n",
                buckets, span_us / buckets);
  out << line;
  std::snprintf(line, sizeof line, "%-12s %6s %12s %12s %6s %8s\n", "interface", "bucket", "from-us", "to-us", "most",
                "mean");
  out << line;
  for (const auto& [name, s] : stats.by_name) {
    if (s.occupancy.empty()) continue;
    const std::vector<OccupancyBucket> rows = occupancy(s, stats.first_ns, stats.last_ns, buckets);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const OccupancyBucket& b = rows[i];
      const double full = static_cast<double>(std::max<std::uint64_t>(s.most_in_flight, 1));
      const int bar = static_cast<int>(b.mean / full * kBarWidth + 0.5);
      std::snprintf(line, sizeof line, "%-12s %6zu %12.3f %12.3f %6u %8.2f |%-*s|\n", name.c_str(), i + 1,
                    static_cast<double>(b.start_ns - stats.first_ns) / 1000.0,
                    static_cast<double>(b.end_ns - stats.first_ns) / 1000.0, b.most, b.mean, kBarWidth,
                    std::string(static_cast<std::size_t>(bar), '#').c_str());
      out << line;
    }
  }
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
    if (into.records == 1) into.first_ns = entry->timestamp_ns;
    into.last_ns = std::max(into.last_ns, entry->timestamp_ns);
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

std::vector<OccupancyBucket> occupancy(const InterfaceStats& stats, std::uint64_t first_ns, std::uint64_t last_ns,
                                       unsigned buckets) {
  if (last_ns <= first_ns) {
    // No time passed: one bucket holding every step.
    OccupancyBucket only{first_ns, last_ns, 0, 0};
    for (const OccupancyStep& step : stats.occupancy) only.most = std::max(only.most, step.in_flight);
    only.mean = only.most;
    return {only};
  }
  buckets = std::max(buckets, 1u);
  const std::uint64_t span = last_ns - first_ns;
  std::vector<OccupancyBucket> rows(buckets);
  std::size_t next = 0;       // the first step not yet applied
  std::uint32_t current = 0;  // chains in flight at `position`
  std::uint64_t position = first_ns;
  for (unsigned i = 0; i < buckets; ++i) {
    OccupancyBucket& row = rows[i];
    row.start_ns = first_ns + static_cast<std::uint64_t>(static_cast<unsigned __int128>(span) * i / buckets);
    row.end_ns = i + 1 == buckets
                     ? last_ns
                     : first_ns + static_cast<std::uint64_t>(static_cast<unsigned __int128>(span) * (i + 1) / buckets);
    const bool last = i + 1 == buckets;
    // Steps before the log's first record (none in a log read in order) count from its start.
    position = std::max(position, row.start_ns);
    row.most = current;
    double area = 0;  // chains times nanoseconds
    while (next < stats.occupancy.size() &&
           (stats.occupancy[next].at_ns < row.end_ns || (last && stats.occupancy[next].at_ns <= row.end_ns))) {
      // A step earlier than one before it (records out of time order) takes effect at once.
      const std::uint64_t at = std::max(stats.occupancy[next].at_ns, position);
      area += static_cast<double>(current) * static_cast<double>(at - position);
      position = at;
      current = stats.occupancy[next].in_flight;
      row.most = std::max(row.most, current);
      ++next;
    }
    area += static_cast<double>(current) * static_cast<double>(row.end_ns - position);
    position = row.end_ns;
    row.mean = row.end_ns > row.start_ns ? area / static_cast<double>(row.end_ns - row.start_ns) : current;
  }
  return rows;
}

void print(const LogStats& stats, std::ostream& out, unsigned buckets) {
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
  print_occupancy(stats, out, buckets);
}

}  // namespace vgen::trace_view
