// The log reader: records with their interfaces and times, whatever the section's byte
// order and time resolution; a located error for a bad record, a bad interface reference
// or a newer format, after every good record before it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <vgen/endian.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/pcapng.hpp>
#include <vgen/trace/pcapng_writer.hpp>
#include <vgen/trace/record.hpp>
#include <vgen/wire/codec.hpp>

#include "group_builder.hpp"
#include "temp_file.hpp"

namespace vgen::trace {
namespace {

using testing::GroupBuilder;
using testing::TempFile;

std::vector<std::byte> record_of(const Event& event) {
  const RecordSize size = encoded_size(event, 256);
  std::vector<std::byte> out(size.captured);
  encode(event, 256, out);
  return out;
}

// Builds blocks by hand, in either byte order, for what the writer never produces.
class BlockBuilder {
 public:
  explicit BlockBuilder(bool big_endian) : big_(big_endian) {}
  void u16(std::uint16_t v) { put(big_ ? big_endian(v) : little_endian(v)); }
  void u32(std::uint32_t v) { put(big_ ? big_endian(v) : little_endian(v)); }
  void raw(std::span<const std::byte> bytes) {
    body_.insert(body_.end(), bytes.begin(), bytes.end());
    while (body_.size() % 4 != 0) body_.push_back(std::byte{0});
  }
  void end_block(std::uint32_t type) {
    const std::uint32_t total = static_cast<std::uint32_t>(body_.size() + 12);
    std::vector<std::byte> body = std::move(body_);
    body_.clear();
    u32(type);
    u32(total);
    std::vector<std::byte> head = std::move(body_);
    body_.clear();
    u32(total);
    out_.insert(out_.end(), head.begin(), head.end());
    out_.insert(out_.end(), body.begin(), body.end());
    out_.insert(out_.end(), body_.begin(), body_.end());
    body_.clear();
  }
  void section(std::uint16_t major) {
    u32(pcapng::kByteOrderMagic);
    u16(major);
    u16(0);
    u32(0xffffffff);
    u32(0xffffffff);
    end_block(pcapng::kSectionHeader);
  }
  void interface(std::uint16_t link_type, std::uint8_t resolution) {
    u16(link_type);
    u16(0);
    u32(0);
    u16(pcapng::kIfTimestampResolution);
    u16(1);
    const std::byte value[1] = {std::byte{resolution}};
    raw(value);
    u32(0);
    end_block(pcapng::kInterfaceDescription);
  }
  void packet(std::uint32_t interface, std::uint64_t ticks, const std::vector<std::byte>& data) {
    u32(interface);
    u32(static_cast<std::uint32_t>(ticks >> 32));
    u32(static_cast<std::uint32_t>(ticks));
    u32(static_cast<std::uint32_t>(data.size()));
    u32(static_cast<std::uint32_t>(data.size()));
    raw(data);
    end_block(pcapng::kEnhancedPacket);
  }
  const std::vector<std::byte>& bytes() const { return out_; }
  std::size_t size() const { return out_.size(); }

 private:
  template <class T>
  void put(T v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    body_.insert(body_.end(), p, p + sizeof v);
  }
  bool big_;
  std::vector<std::byte> body_;
  std::vector<std::byte> out_;
};

TEST(LogReader, RecordsWithInterfacesAndTimes) {
  TempFile file;
  {
    PcapngWriter writer(file.path(), "test");
    writer.add_interface({"vq0", "requestq"});
    writer.add_interface({"xenbus0", "Xenbus states"});
    writer.write_packet(0, 1000, record_of({EventKind::ChainTaken, 0, 4}), 32);
    writer.write_packet(1, 2000, record_of({EventKind::StateChanged, 0, 0, 1, 2, 4, Channel::Xenbus}), 32);
  }
  LogReader reader(file.path());
  const LogRecord* first = reader.next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->interface, 0u);
  EXPECT_EQ(first->timestamp_ns, 1000u);
  EXPECT_EQ(first->record.kind, EventKind::ChainTaken);
  EXPECT_EQ(first->record.head, 4);
  ASSERT_EQ(reader.interfaces().size(), 2u);
  EXPECT_EQ(reader.interfaces()[0].name, "vq0");
  EXPECT_EQ(reader.interfaces()[0].description, "requestq");
  const LogRecord* second = reader.next();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->record.channel, Channel::Xenbus);
  EXPECT_EQ(second->record.b, 4u);
  EXPECT_EQ(reader.next(), nullptr);
}

TEST(LogReader, BigEndianSectionAndMicrosecondTimes) {
  BlockBuilder log(true);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 6);
  log.packet(0, 5, record_of({EventKind::UsedPushed, 2, 7, 0, 64}));
  TempFile file;
  file.write(log.bytes());
  LogReader reader(file.path());
  const LogRecord* r = reader.next();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->timestamp_ns, 5000u);
  EXPECT_EQ(r->record.queue, 2);  // the record itself is always little-endian
  EXPECT_EQ(r->record.a, 64u);
}

TEST(LogReader, PacketsOfOtherLinkTypesAreSkippedAndCounted) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(1, 6);  // Ethernet
  log.interface(pcapng::kLinkTypeVgen, 9);
  log.packet(0, 1, std::vector<std::byte>(60));
  log.packet(1, 2, record_of({EventKind::NotifySent}));
  TempFile file;
  file.write(log.bytes());
  LogReader reader(file.path());
  const LogRecord* r = reader.next();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->record.kind, EventKind::NotifySent);
  EXPECT_EQ(reader.foreign_packets(), 1u);
}

// Reads `log` to its end; returns the error and counts the records before it.
Error read_all(const BlockBuilder& log, std::size_t& records) {
  TempFile file;
  file.write(log.bytes());
  LogReader reader(file.path());
  records = 0;
  try {
    while (reader.next()) ++records;
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::Invalid, "");
}

TEST(LogReader, FutureSectionVersion) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  log.packet(0, 1, record_of({EventKind::NotifySent}));
  const std::size_t at = log.size();
  log.section(2);
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(records, 1u);
  EXPECT_EQ(error.code(), ErrorCode::FutureVersion);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(at) + ": pcapng section version 2.0 is newer than this vgen reads (1.x)");
}

TEST(LogReader, FutureRecordVersionIsLocated) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  log.packet(0, 1, record_of({EventKind::NotifySent}));
  std::vector<std::byte> future = record_of({EventKind::NotifySent});
  future[0] = std::byte{3};
  const std::size_t at = log.size();
  log.packet(0, 2, future);
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(records, 1u);
  EXPECT_EQ(error.code(), ErrorCode::FutureVersion);
  EXPECT_EQ(error.offset(), at);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(at) + ": record format version 3 is newer than this vgen reads (2)");
}

TEST(LogReader, GroupComesOutAsItsRecordsWithItsOffsetAndTime) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  log.packet(0, 5, record_of({EventKind::ChainAdded, 0, 1}));
  const std::size_t at = log.size();
  log.packet(0, 7,
             GroupBuilder(Channel::Virtqueue, 0)
                 .add({EventKind::ChainAdded, 0, 2})
                 .add({EventKind::ChainAdded, 0, 3})
                 .add({EventKind::AvailPublished, 0, 0, 3})
                 .bytes());
  log.packet(0, 9, record_of({EventKind::UsedReclaimed, 0, 1}));
  TempFile file;
  file.write(log.bytes());
  LogReader reader(file.path());
  std::vector<LogRecord> records;
  while (const LogRecord* r = reader.next()) records.push_back(*r);
  ASSERT_EQ(records.size(), 5u);
  const EventKind kinds[] = {EventKind::ChainAdded, EventKind::ChainAdded, EventKind::ChainAdded,
                             EventKind::AvailPublished, EventKind::UsedReclaimed};
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].record.kind, kinds[i]) << i;
  EXPECT_EQ(records[1].record.head, 2);
  EXPECT_EQ(records[2].record.head, 3);
  for (std::size_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(records[i].offset, at);
    EXPECT_EQ(records[i].timestamp_ns, 7u);
  }
  EXPECT_EQ(records[4].timestamp_ns, 9u);
}

TEST(LogReader, BadRecordInAGroupIsLocatedAfterTheGoodOnes) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  const std::size_t at = log.size();
  log.packet(0, 7,
             GroupBuilder(Channel::Virtqueue, 0)
                 .add({EventKind::ChainAdded, 0, 2})
                 .add({EventKind::ChainAdded, 0, 3})
                 .bytes(3));
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(records, 2u);
  EXPECT_EQ(error.code(), ErrorCode::Corrupt);
  EXPECT_EQ(
      std::string(error.what()),
      "byte " + std::to_string(at) + ": record 3 of the group's 3: its lengths need 8 bytes, 0 are left in the group");
}

TEST(LogReader, PacketOnAnUndeclaredInterface) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  const std::size_t at = log.size();
  log.packet(4, 1, record_of({EventKind::NotifySent}));
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(error.code(), ErrorCode::Corrupt);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(at) + ": packet on interface 4, but the section declared 1");
}

TEST(LogReader, OptionRunningPastItsBlock) {
  BlockBuilder log(false);
  log.section(1);
  const std::size_t at = log.size();
  log.u16(pcapng::kLinkTypeVgen);
  log.u16(0);
  log.u32(0);
  log.u16(pcapng::kIfName);
  log.u16(200);
  log.end_block(pcapng::kInterfaceDescription);
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(std::string(error.what()), "byte " + std::to_string(at) + ": option 2 of 200 bytes runs past its block");
}

TEST(LogReader, PacketLongerThanItsBlock) {
  BlockBuilder log(false);
  log.section(1);
  log.interface(pcapng::kLinkTypeVgen, 9);
  const std::size_t at = log.size();
  log.u32(0);
  log.u32(0);
  log.u32(0);
  log.u32(500);
  log.u32(500);
  log.end_block(pcapng::kEnhancedPacket);
  std::size_t records = 0;
  const Error error = read_all(log, records);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(at) + ": packet of 500 captured bytes in a block with room for 0");
}

}  // namespace
}  // namespace vgen::trace

namespace vgen::trace {
namespace {

// A small log the writer made: two interfaces, records with descriptors and payloads.
std::vector<std::byte> sample_log(const TempFile& file, std::vector<std::uint64_t>& block_ends) {
  {
    PcapngWriter writer(file.path(), "vgen test");
    writer.add_interface({"vq0", "virtqueue 0"});
    writer.add_interface({"virtio", "status"});
    std::vector<std::byte> data(40);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i);
    for (std::uint32_t i = 0; i < 6; ++i) {
      BufferRef buffers[2] = {{data.data(), 0x1000 + i, 24, 1}, {data.data() + 24, 0x2000, 16, 2}};
      Event event{EventKind::ChainAdded, 0, static_cast<std::uint16_t>(i), i, 24, 16};
      event.buffers = buffers;
      const std::vector<std::byte> record = record_of(event);
      writer.write_packet(0, 1000 + i, record, record.size());
      const std::vector<std::byte> status = record_of({EventKind::StateChanged, 0, 0, 1, i, i + 1});
      writer.write_packet(1, 2000 + i, status, status.size());
    }
  }
  std::vector<std::byte> bytes = file.bytes();
  // Where each block ends, from the lengths the writer put at each block's start.
  for (std::uint64_t at = 0; at + 8 <= bytes.size();) {
    at += wire::load_le<std::uint32_t>(bytes.data() + at + 4);
    block_ends.push_back(at);
  }
  return bytes;
}

// Reads `path` to the end or the first error: the records read and the error, if any.
struct ReadResult {
  std::size_t records = 0;
  bool failed = false;
  ErrorCode code = ErrorCode::Corrupt;
  std::uint64_t offset = 0;
  std::string message;
};

ReadResult read_all(const std::string& path) {
  ReadResult result;
  try {
    LogReader reader(path);
    while (const LogRecord* r = reader.next()) {
      ++result.records;
      // Touch every byte the record's views cover, so a view past the block would be seen
      // (by the sanitizers, and by the check below).
      std::size_t sum = 0;
      for (std::byte b : r->record.payload) sum += static_cast<std::size_t>(b);
      for (std::size_t i = 0; i < r->record.descriptor_count(); ++i) sum += r->record.descriptor(i).length;
      EXPECT_LE(r->record.payload.size(), r->record.payload_length);
      (void)sum;
    }
  } catch (const Error& error) {
    result.failed = true;
    result.code = error.code();
    result.offset = error.offset();
    result.message = error.what();
  }
  return result;
}

// Cut anywhere, a log reads as every record of the blocks wholly before the cut, then a
// Truncated error naming the offset of the block the cut falls in (none at a block's end).
TEST(DamagedLog, EveryTruncationKeepsTheCompleteRecordsAndNamesTheOffset) {
  TempFile file;
  std::vector<std::uint64_t> ends;
  const std::vector<std::byte> whole = sample_log(file, ends);
  ASSERT_EQ(ends.back(), whole.size());
  // Blocks: section, 2 interfaces, then 12 packets.
  ASSERT_EQ(ends.size(), 15u);
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    file.write({whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut)});
    const ReadResult result = read_all(file.path());
    std::size_t complete = 0;  // blocks wholly before the cut
    while (complete < ends.size() && ends[complete] <= cut) ++complete;
    const std::uint64_t block_start = complete == 0 ? 0 : ends[complete - 1];
    SCOPED_TRACE("cut at " + std::to_string(cut));
    EXPECT_EQ(result.records, complete > 3 ? complete - 3 : 0);
    if (cut == block_start) {
      EXPECT_FALSE(result.failed) << result.message;
    } else {
      ASSERT_TRUE(result.failed);
      EXPECT_EQ(result.code, ErrorCode::Truncated);
      EXPECT_EQ(result.offset, block_start);
      EXPECT_NE(result.message.find("byte " + std::to_string(block_start) + ": the log ends inside"), std::string::npos)
          << result.message;
    }
  }
}

// Any one byte of a log set to any of a few values: the reader returns records or a
// located trace::Error, never crashes, never reads outside the file's bytes.
TEST(DamagedLog, EveryDamagedByteIsAnErrorOrReadsCleanly) {
  TempFile file;
  std::vector<std::uint64_t> ends;
  const std::vector<std::byte> whole = sample_log(file, ends);
  std::size_t errors = 0;
  for (std::size_t at = 0; at < whole.size(); ++at) {
    for (const std::uint8_t value : {0x00, 0x80, 0xff}) {
      if (whole[at] == std::byte{value}) continue;
      std::vector<std::byte> damaged = whole;
      damaged[at] = std::byte{value};
      file.write(damaged);
      const ReadResult result = read_all(file.path());
      if (!result.failed) continue;
      ++errors;
      SCOPED_TRACE("byte " + std::to_string(at) + " set to " + std::to_string(value) + ": " + result.message);
      EXPECT_LT(result.offset, whole.size());
      EXPECT_EQ(result.message.rfind("byte " + std::to_string(result.offset) + ": ", 0), 0u);
    }
  }
  EXPECT_GT(errors, 0u);
}

}  // namespace
}  // namespace vgen::trace
