// `vgen trace show LOG`: one line per event of a trace log, with names instead of numbers
// (event kinds, VirtIO status bits, Xenbus states, descriptor flags) and a chain's
// descriptors and payload on its line. docs/trace.md describes what the log holds.
//
// A line: time since the log's first record (seconds), the interface (vq0, virtio, ...),
// the event and its fields, e.g.
//
//   +0.000012345 vq0 chain-added head 0 avail-idx 1 out 5 in 20 [0x100000+5 r, 0x100008+20 w] "hello"
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <vgen/trace/log_reader.hpp>

#include "vgen/trace_view/decode.hpp"

namespace vgen::trace_view {

/// The name of the interface `record` is on ("vq0", "virtio", ...), or "if<id>" when unnamed.
std::string interface_name(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces);
/// The text of one record (no newline); `first_ns` is the time of the log's first record.
std::string describe(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces,
                     std::uint64_t first_ns);
/// As above, naming what `context` learned from the records before (rpmsg channel names) and
/// decoding payloads by its spec, if any.
std::string describe(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces,
                     std::uint64_t first_ns, const DecodeContext& context);

/// The VirtIO device status bits of `status` by name, joined by '|' ("0" for none).
std::string status_names(std::uint64_t status);
/// The name of a Xenbus state, or its number when unknown.
std::string xenbus_state_name(std::uint64_t state);

/// Writes one line per record of `reader` to `out`; returns how many. A damaged log throws
/// trace::Error after the lines of every complete record before the damage were written.
std::uint64_t show(trace::LogReader& reader, std::ostream& out);

/// Which records `show` prints, and whether it waits for more at the end of the log.
struct ShowFilter {
  std::vector<std::string> interfaces;  ///< interface names to print ("vq0", "virtio"); empty: all
  std::optional<double> since;          ///< seconds after the first record; earlier ones skipped
  std::optional<double> until;          ///< seconds after the first record; later ones skipped
  bool follow = false;                  ///< at the end, wait for records the writer appends
  /// Decodes payloads by a device's spec (--spec), or null.
  const PayloadDecoder* payloads = nullptr;
};

/// As show(), printing only what `filter` selects; the time column still counts from the log's
/// first record. With follow it returns only when reading fails (or the process is stopped).
std::uint64_t show(trace::LogReader& reader, std::ostream& out, const ShowFilter& filter);

}  // namespace vgen::trace_view
