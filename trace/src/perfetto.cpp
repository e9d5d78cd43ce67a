#include "vgen/trace_view/perfetto.hpp"

#include <json/json.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vgen/trace_view/chain_step.hpp"
#include "vgen/trace_view/show.hpp"

namespace vgen::trace_view {
namespace {

using trace::EventKind;

// The trace event format's process all tracks belong to.
constexpr int kProcess = 1;

// Microseconds, the trace event format's time unit, from nanoseconds since the first record.
double microseconds_since(std::uint64_t ns, std::uint64_t first_ns) {
  return static_cast<double>(ns >= first_ns ? ns - first_ns : 0) / 1000.0;
}

// Writes trace events one per line inside {"traceEvents": [...]}; closes the array on
// destruction, so a log that fails midway still leaves a valid document.
class EventWriter {
 public:
  explicit EventWriter(std::ostream& out) : out_(out) {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    builder["precision"] = 3;  // microseconds to the nanosecond
    builder["precisionType"] = "decimal";
    writer_.reset(builder.newStreamWriter());
    out_ << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  }
  ~EventWriter() { out_ << "\n]}\n"; }
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void write(const Json::Value& event) {
    if (count_++ != 0) out_ << ",\n";
    writer_->write(event, &out_);
  }

 private:
  std::ostream& out_;
  std::unique_ptr<Json::StreamWriter> writer_;
  std::uint64_t count_ = 0;
};

Json::Value event(const char* phase, const std::string& name, int track, double at_us) {
  Json::Value value;
  value["ph"] = phase;
  value["name"] = name;
  value["pid"] = kProcess;
  value["tid"] = track;
  value["ts"] = at_us;
  return value;
}

// show's line without its first two columns (time and interface): the event and its fields.
std::string without_time_and_place(const std::string& line) {
  const std::size_t time_end = line.find(' ');
  const std::size_t place_end = time_end == std::string::npos ? time_end : line.find(' ', time_end + 1);
  return place_end == std::string::npos ? line : line.substr(place_end + 1);
}

// A chain made available and not yet used: when, the bytes it carried out, its lane.
struct OpenChain {
  double since_us = 0;
  std::uint64_t bytes_out = 0;
  std::size_t lane = 0;
};

// One interface's tracks and what is open on them. Chains in flight together overlap, and a
// track's slices must nest, so each chain takes the lowest free lane, a track of its own
// ("vq0", "vq0 #2", ...); lane 0 also carries the interface's other events.
struct Track {
  std::string name;
  std::vector<int> lane_ids;                          // track id of each lane
  std::vector<bool> lane_busy;                        // a chain is open on the lane
  std::unordered_map<std::uint16_t, OpenChain> open;  // by head
  std::optional<std::uint64_t> pending_kick;          // flow id of a kick not yet followed
};

class Exporter {
 public:
  explicit Exporter(std::ostream& out) : writer_(out) {}

  void add(const trace::LogRecord& entry, const std::vector<trace::LogInterface>& interfaces) {
    if (!first_ns_) first_ns_ = entry.timestamp_ns;
    ++counts_.records;
    Track& track = track_of(interface_name(entry, interfaces));
    const trace::Record& record = entry.record;
    const double at = microseconds_since(entry.timestamp_ns, *first_ns_);
    const ChainStep step = chain_step(record.kind);
    if (step == ChainStep::Available) {
      // A second side's view of a chain already open keeps the first.
      if (!track.open.contains(record.head)) {
        track.open.emplace(record.head, OpenChain{at, record.a, take_lane(track)});
      }
      if (record.kind == EventKind::ChainTaken) follow_kick(track, track.open.at(record.head).lane, at);
      return;
    }
    if (step == ChainStep::Returned) {
      close_chain(track, record, at);
      return;
    }
    Json::Value instant =
        event("i", without_time_and_place(describe(entry, interfaces, *first_ns_)), track.lane_ids[0], at);
    instant["s"] = "t";
    writer_.write(instant);
    if (record.kind == EventKind::NotifySent && record.head == 0) start_kick(track, at);
  }

  ExportCounts counts() const { return counts_; }

 private:
  Track& track_of(const std::string& name) {
    auto [found, added] = tracks_.try_emplace(name);
    if (added) {
      found->second.name = name;
      add_lane(found->second);
    }
    return found->second;
  }

  // A new lane (track) of `track`, named after the interface and announced to the viewer.
  void add_lane(Track& track) {
    const int id = ++track_ids_;
    track.lane_ids.push_back(id);
    track.lane_busy.push_back(false);
    Json::Value meta = event("M", "thread_name", id, 0);
    meta["args"]["name"] =
        track.lane_ids.size() == 1 ? track.name : track.name + " #" + std::to_string(track.lane_ids.size());
    writer_.write(meta);
  }

  std::size_t take_lane(Track& track) {
    std::size_t lane = 0;
    while (lane < track.lane_busy.size() && track.lane_busy[lane]) ++lane;
    if (lane == track.lane_busy.size()) add_lane(track);
    track.lane_busy[lane] = true;
    return lane;
  }

  void close_chain(Track& track, const trace::Record& record, double at) {
    const auto found = track.open.find(record.head);
    if (found == track.open.end()) return;
    const OpenChain& chain = found->second;
    Json::Value slice = event("X", "head " + std::to_string(record.head), track.lane_ids[chain.lane], chain.since_us);
    slice["dur"] = at - chain.since_us;
    slice["args"]["bytes_out"] = Json::UInt64(chain.bytes_out);
    slice["args"]["bytes_in"] = Json::UInt64(record.a);
    writer_.write(slice);
    ++counts_.slices;
    track.lane_busy[chain.lane] = false;
    track.open.erase(found);
  }

  void start_kick(Track& track, double at) {
    const std::uint64_t id = ++flow_ids_;
    Json::Value start = event("s", "kick", track.lane_ids[0], at);
    start["id"] = Json::UInt64(id);
    writer_.write(start);
    track.pending_kick = id;
  }

  // The flow from the last kick ends in the chain slice the device takes next.
  void follow_kick(Track& track, std::size_t lane, double at) {
    if (!track.pending_kick) return;
    Json::Value finish = event("f", "kick", track.lane_ids[lane], at);
    finish["id"] = Json::UInt64(*track.pending_kick);
    finish["bp"] = "e";
    writer_.write(finish);
    ++counts_.flows;
    track.pending_kick.reset();
  }

  EventWriter writer_;
  std::map<std::string, Track> tracks_;
  std::optional<std::uint64_t> first_ns_;
  int track_ids_ = 0;
  std::uint64_t flow_ids_ = 0;
  ExportCounts counts_;
};

}  // namespace

ExportCounts export_perfetto(trace::LogReader& reader, std::ostream& out) {
  Exporter exporter(out);
  while (const trace::LogRecord* entry = reader.next()) exporter.add(*entry, reader.interfaces());
  return exporter.counts();
}

}  // namespace vgen::trace_view
