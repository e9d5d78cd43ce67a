// `vgen trace stats LOG`: figures per interface of a trace log (docs/trace.md, "Statistics"):
// records, chains made available and used, bytes each way, notifications sent and suppressed,
// the time from a chain made available to its used entry (percentiles), the most chains
// in flight at once, and how many were in flight over time (occupancy per time bucket).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <vgen/trace/log_reader.hpp>

namespace vgen::trace_view {

/// A change of how many chains an interface has in flight: from `at_ns` on, `in_flight`.
struct OccupancyStep {
  std::uint64_t at_ns = 0;      ///< nanoseconds since the epoch
  std::uint32_t in_flight = 0;  ///< chains available and not yet used from then on
};

/// What one interface (a queue, ring or channel) saw.
struct InterfaceStats {
  std::uint64_t records = 0;              ///< records of any kind
  std::uint64_t chains = 0;               ///< chains made available (added, taken or seen, once each)
  std::uint64_t used = 0;                 ///< chains returned (pushed or seen, once each)
  std::uint64_t bytes_out = 0;            ///< device-readable bytes of the chains made available
  std::uint64_t bytes_in = 0;             ///< bytes the device wrote (used lengths)
  std::uint64_t kicks = 0;                ///< the driver's notifications sent
  std::uint64_t interrupts = 0;           ///< the device's notifications sent
  std::uint64_t suppressed = 0;           ///< notifications found not needed
  std::uint64_t most_in_flight = 0;       ///< chains available and not yet used, at most
  std::vector<std::uint64_t> latency_ns;  ///< available-to-used time of each used chain, sorted
  std::vector<OccupancyStep> occupancy;   ///< every change of the chains in flight, in log order
};

/// The figures of a whole log, by interface name.
struct LogStats {
  std::uint64_t records = 0;                      ///< records read
  std::uint64_t dropped = 0;                      ///< records the recorder reported lost
  std::uint64_t first_ns = 0;                     ///< time of the first record (0: none)
  std::uint64_t last_ns = 0;                      ///< latest time of any record
  std::map<std::string, InterfaceStats> by_name;  ///< per interface
};

/// Reads every record of `reader`. A damaged log throws trace::Error (as show() does); the
/// figures up to the damage are in `into`.
void collect(trace::LogReader& reader, LogStats& into);

/// The `p`-th percentile (0-100) of sorted `values`, nearest rank; 0 when empty.
std::uint64_t percentile(const std::vector<std::uint64_t>& values, unsigned p);

/// One time bucket of an interface's occupancy.
struct OccupancyBucket {
  std::uint64_t start_ns = 0;  ///< from, nanoseconds since the epoch
  std::uint64_t end_ns = 0;    ///< to (the last bucket includes it)
  std::uint32_t most = 0;      ///< the most chains in flight at any moment of the bucket
  double mean = 0;             ///< chains in flight averaged over the bucket's time
};

/// The occupancy of `stats` in `buckets` equal slices of first_ns..last_ns (the whole log's
/// time, so that the buckets of all interfaces line up). A log whose records all share one
/// time has one bucket of no length, whose mean is its most.
std::vector<OccupancyBucket> occupancy(const InterfaceStats& stats, std::uint64_t first_ns, std::uint64_t last_ns,
                                       unsigned buckets);

/// Time buckets `print` splits a log's occupancy into by default.
inline constexpr unsigned kDefaultOccupancyBuckets = 10;

/// Writes a table of `stats`: one line per interface, latencies in microseconds; then, for each
/// interface that had chains, its occupancy in `buckets` time buckets (one line per bucket).
void print(const LogStats& stats, std::ostream& out, unsigned buckets = kDefaultOccupancyBuckets);

}  // namespace vgen::trace_view
