#include "vgen/trace_view/html.hpp"

#include <map>
#include <string_view>
#include <vector>

#include <vgen/trace/error.hpp>

#include "html_assets.hpp"
#include "vgen/trace_view/chain_step.hpp"
#include "vgen/trace_view/show.hpp"

namespace vgen::trace_view {
namespace {

// The page around the data: everything before the records, between the records and the
// page's figures, and after those. The style and script come from trace/html/.
void write_head(std::ostream& out, const std::string& title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"generator\" content=\"vgen trace html\">\n<title>vgen trace: "
      << html_text(title) << "</title>\n<style>\n"
      << detail::kPageStyle << "</style>\n</head>\n<body>\n"
      << detail::kPageBody << "<script type=\"application/json\" id=\"records\">[";
}

// Splits show's line "TIME PLACE KIND FIELDS..." into the kind and the fields; `place` is the
// interface name, which may hold spaces (a log names its interfaces as it likes).
std::pair<std::string_view, std::string_view> kind_and_fields(std::string_view line, std::string_view place) {
  const std::size_t time_end = line.find(' ');
  if (time_end == std::string_view::npos || line.size() < time_end + place.size() + 2) return {line, {}};
  line.remove_prefix(time_end + place.size() + 2);
  const std::size_t end = line.find(' ');
  if (end == std::string_view::npos) return {line, {}};
  return {line.substr(0, end), line.substr(end + 1)};
}

// Writes the records of `reader` as a JSON array's elements, one per line:
// [ns since the first record, interface number, kind, fields, chain step (0 none, 1 available,
// 2 returned), head]. Interfaces are numbered in the order they first appear, across sections.
class RecordWriter {
 public:
  RecordWriter(std::ostream& out, const HtmlOptions& options) : out_(out), options_(options) {}

  void add(const trace::LogRecord& entry, const std::vector<trace::LogInterface>& interfaces) {
    if (counts_.records++ == 0) first_ns_ = entry.timestamp_ns;
    last_ns_ = std::max(last_ns_, entry.timestamp_ns);
    if (counts_.written == options_.max_records) return;
    const auto [found, added] = numbers_.try_emplace(interface_name(entry, interfaces), names_.size());
    if (added) names_.push_back(found->first);
    const std::string line = describe(entry, interfaces, first_ns_);
    const auto [kind, fields] = kind_and_fields(line, found->first);
    const ChainStep step = chain_step(entry.record.kind);
    out_ << (counts_.written++ == 0 ? "\n[" : ",\n[")
         << (entry.timestamp_ns >= first_ns_ ? entry.timestamp_ns - first_ns_ : 0) << ',' << found->second << ','
         << json_string(std::string(kind)) << ',' << json_string(std::string(fields)) << ','
         << (step == ChainStep::Available  ? 1
             : step == ChainStep::Returned ? 2
                                           : 0)
         << ',' << entry.record.head << ']';
  }

  // Closes the array and writes the page's figures and the error, if any, then the script.
  void finish(const std::string& error) {
    out_ << "\n]</script>\n<script type=\"application/json\" id=\"meta\">{\"title\":" << json_string(options_.title)
         << ",\"records\":" << counts_.records << ",\"written\":" << counts_.written
         << ",\"span_ns\":" << (last_ns_ - first_ns_) << ",\"interfaces\":[";
    for (std::size_t i = 0; i < names_.size(); ++i) out_ << (i == 0 ? "" : ",") << json_string(names_[i]);
    out_ << "],\"error\":" << (error.empty() ? "null" : json_string(error)) << "}</script>\n";
    // The error in plain HTML too, so that it shows without the script.
    if (!error.empty()) {
      out_ << "<p class=\"error\" id=\"error\">The log cannot be read past this point; every complete record "
              "before it is shown. "
           << html_text(error) << "</p>\n";
    }
    out_ << "<script>\n" << detail::kPageScript << "</script>\n</body>\n</html>\n";
  }

  HtmlCounts counts() const { return counts_; }

 private:
  std::ostream& out_;
  const HtmlOptions& options_;
  std::map<std::string, std::size_t> numbers_;
  std::vector<std::string> names_;
  std::uint64_t first_ns_ = 0;
  std::uint64_t last_ns_ = 0;
  HtmlCounts counts_;
};

}  // namespace

std::string json_string(const std::string& text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte > 0x7e || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 15];
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string html_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HtmlCounts write_html(trace::LogReader& reader, std::ostream& out, const HtmlOptions& options) {
  write_head(out, options.title);
  RecordWriter writer(out, options);
  try {
    while (const trace::LogRecord* entry = reader.next()) writer.add(*entry, reader.interfaces());
  } catch (const trace::Error& error) {
    writer.finish(error.what());
    throw;
  }
  writer.finish({});
  return writer.counts();
}

}  // namespace vgen::trace_view
