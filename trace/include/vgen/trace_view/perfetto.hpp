// `vgen trace export LOG --perfetto OUT`: a trace log as a JSON trace in the trace event format,
// which Perfetto's UI (and chrome://tracing) opens (docs/trace.md, "Timeline export"):
//   - one track per interface (vq0, virtio, vhost-user, ...), named after it, and for a queue
//     with chains in flight together one more per chain at once ("vq0 #2"), since a track's
//     slices must nest;
//   - a slice per chain from the moment it was made available to its use, named "head N" with
//     its bytes each way;
//   - an instant event for every other record, named by its kind, with show's text as argument;
//   - a flow from each kick to the first chain the device takes after it.
// The output is written record by record: memory does not grow with the log.
#pragma once

#include <cstdint>
#include <ostream>

#include <vgen/trace/log_reader.hpp>

namespace vgen::trace_view {

/// What export_perfetto wrote.
struct ExportCounts {
  std::uint64_t records = 0;  ///< records read
  std::uint64_t slices = 0;   ///< chain slices (available to used)
  std::uint64_t flows = 0;    ///< kick-to-chain flows
};

/// Writes the JSON trace of every record of `reader` to `out`. A damaged log throws
/// trace::Error after `out` received a complete JSON document of the records before the damage.
ExportCounts export_perfetto(trace::LogReader& reader, std::ostream& out);

}  // namespace vgen::trace_view
