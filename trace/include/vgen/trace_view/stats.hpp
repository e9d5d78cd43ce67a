// `vgen trace stats LOG`: figures per interface of a trace log (docs/trace.md, "Statistics"):
// records, chains made available and used, bytes each way, notifications sent and suppressed,
// the time from a chain made available to its used entry (percentiles), and the most chains
// in flight at once.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <vgen/trace/log_reader.hpp>

namespace vgen::trace_view {

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
};

/// The figures of a whole log, by interface name.
struct LogStats {
  std::uint64_t records = 0;                      ///< records read
  std::uint64_t dropped = 0;                      ///< records the recorder reported lost
  std::map<std::string, InterfaceStats> by_name;  ///< per interface
};

/// Reads every record of `reader`. A damaged log throws trace::Error (as show() does); the
/// figures up to the damage are in `into`.
void collect(trace::LogReader& reader, LogStats& into);

/// The `p`-th percentile (0-100) of sorted `values`, nearest rank; 0 when empty.
std::uint64_t percentile(const std::vector<std::uint64_t>& values, unsigned p);

/// Writes a table of `stats`: one line per interface, latencies in microseconds.
void print(const LogStats& stats, std::ostream& out);

}  // namespace vgen::trace_view
