// `vgen trace html LOG -o OUT.html`: a trace log as one self-contained web page (docs/trace.md,
// "Web page"): the page's style and script are inline and it loads nothing, so it opens from a
// file anywhere. It shows
//   - a timeline: one lane per interface, a bar per chain from the moment it was made available
//     to its use, a tick for every other record; dragging across it narrows the table to that time;
//   - a table of the events (time, interface, event, fields as `vgen trace show` prints them),
//     filtered by words, interface, kind and time;
//   - for a damaged log, every complete record before the damage and the error with its byte
//     offset.
// The records are written into the page as they are read: memory does not grow with the log.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <vgen/trace/log_reader.hpp>

namespace vgen::trace_view {

/// How write_html builds the page.
struct HtmlOptions {
  std::string title;                    ///< what the page calls the log (its path)
  std::uint64_t max_records = 200'000;  ///< records put in the page at most; the rest are counted
};

/// What write_html did.
struct HtmlCounts {
  std::uint64_t records = 0;  ///< records read
  std::uint64_t written = 0;  ///< records put in the page
};

/// Writes the page of every record of `reader` to `out`. A damaged log throws trace::Error
/// after `out` received a complete page of the records before the damage that shows the error.
HtmlCounts write_html(trace::LogReader& reader, std::ostream& out, const HtmlOptions& options);

/// `text` as a JSON string literal that is safe inside an HTML script element: quotes,
/// backslashes, control characters, '<', '>', '&' and bytes above 0x7f escaped (\u00XX).
std::string json_string(const std::string& text);

/// `text` with &, <, >, " and ' replaced by HTML character references.
std::string html_text(const std::string& text);

}  // namespace vgen::trace_view
