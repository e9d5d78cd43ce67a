// Reads a vgen trace log record by record: the pcapng blocks (pcapng_reader.hpp) turned into
// interfaces and decoded records (record.hpp), streaming. A log that is truncated, corrupt or
// of a newer version stops with a trace::Error naming the byte offset; every record before
// that point was returned complete. Packets on interfaces of another link type (a log merged
// with a network capture) are skipped and counted. A group record comes out as the records it
// holds, each with the group's offset and timestamp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <vgen/trace/pcapng_reader.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace {

/// One interface of the current section, as its description block declares it.
struct LogInterface {
  std::uint16_t link_type = 0;    ///< 147 for vgen records
  std::uint32_t snap_length = 0;  ///< 0: no limit
  std::string name;               ///< if_name, or empty
  std::string description;        ///< if_description, or empty
  std::uint8_t resolution = 6;    ///< if_tsresol: 10^-n seconds, or 2^-n with bit 7 set
  /// True when the interface carries vgen records.
  bool carries_records() const noexcept { return link_type == 147; }
};

/// One record of the log.
struct LogRecord {
  std::uint64_t offset = 0;        ///< byte offset of its packet block
  std::uint32_t section = 0;       ///< section number, from 0
  std::uint32_t interface = 0;     ///< interface id within the section
  std::uint64_t timestamp_ns = 0;  ///< nanoseconds since the epoch
  Record record;                   ///< views valid until the next call to next()
};

/// A trace log open for reading.
class LogReader {
 public:
  /// Opens `path`. Throws trace::Error(System).
  explicit LogReader(const std::string& path);
  /// Follow mode: the end of the file, even inside a block, is where the log stands now;
  /// next() returns null there and goes on from the same place when called again.
  void set_follow(bool follow) noexcept { blocks_.set_follow(follow); }
  /// The next record, or null at the end. Throws trace::Error with the offset of the block
  /// that could not be read: Truncated, Corrupt (bad lengths, options, interface ids,
  /// record fields), FutureVersion (a section or record newer than this vgen reads).
  const LogRecord* next();
  /// The interfaces of the current section, by id.
  const std::vector<LogInterface>& interfaces() const noexcept { return interfaces_; }
  /// Packets skipped because their interface does not carry vgen records.
  std::uint64_t foreign_packets() const noexcept { return foreign_packets_; }
  /// Bytes of the log read so far.
  std::uint64_t offset() const noexcept { return blocks_.offset(); }

 private:
  void read_section(const Block& block);
  void read_interface(const Block& block);
  bool read_packet(const Block& block);
  bool next_in_group();

  PcapngReader blocks_;
  std::vector<LogInterface> interfaces_;
  LogRecord current_;
  std::optional<GroupReader> group_;  // the group record current_ comes from, while it has more
  std::uint32_t sections_ = 0;
  std::uint64_t foreign_packets_ = 0;
};

}  // namespace vgen::trace
