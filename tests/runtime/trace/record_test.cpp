// The record codec: every field round trips, payloads come from the right buffers and are
// cut at the snap length, and every malformed record is refused with its reason.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace {
namespace {

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

std::string text_of(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The record of `event` and its uncut length.
std::vector<std::byte> encoded(const Event& event, std::uint32_t snap, std::uint64_t& original) {
  const RecordSize size = encoded_size(event, snap);
  std::vector<std::byte> out(size.captured);
  encode(event, snap, out);
  original = size.original;
  return out;
}

// Encodes and decodes; the record's views point into `keep`.
Record round_trip(const Event& event, std::uint32_t snap, std::vector<std::byte>& keep) {
  std::uint64_t original = 0;
  keep = encoded(event, snap, original);
  return decode(keep, original);
}

TEST(Record, NumbersRoundTrip) {
  Event event{EventKind::StateChanged, 7, 3, 0x12345678, 0x1122334455667788, 0x99};
  event.channel = Channel::Xenbus;
  std::uint64_t original = 0;
  const std::vector<std::byte> out = encoded(event, 256, original);
  ASSERT_EQ(out.size(), kRecordHeaderBytes);
  EXPECT_EQ(original, kRecordHeaderBytes);
  EXPECT_EQ(static_cast<unsigned>(out[0]), kSingleRecordVersion);
  const Record r = decode(out, original);
  EXPECT_EQ(r.kind, EventKind::StateChanged);
  EXPECT_EQ(r.channel, Channel::Xenbus);
  EXPECT_EQ(r.queue, 7);
  EXPECT_EQ(r.head, 3);
  EXPECT_EQ(r.index, 0x12345678u);
  EXPECT_EQ(r.a, 0x1122334455667788u);
  EXPECT_EQ(r.b, 0x99u);
  EXPECT_EQ(r.descriptor_count(), 0u);
  EXPECT_TRUE(r.payload.empty());
}

TEST(Record, ChannelComesFromTheKindUnlessSet) {
  std::vector<std::byte> keep;
  EXPECT_EQ(round_trip({EventKind::ChainTaken}, 0, keep).channel, Channel::Virtqueue);
  EXPECT_EQ(round_trip({EventKind::MmioWrite}, 0, keep).channel, Channel::Mmio);
  EXPECT_EQ(round_trip({EventKind::StoreMessage}, 0, keep).channel, Channel::Store);
  EXPECT_EQ(round_trip({EventKind::StateChanged}, 0, keep).channel, Channel::Virtio);
}

TEST(Record, ChainMadeAvailableCarriesItsReadableBytes) {
  const std::vector<std::byte> first = bytes_of("hello ");
  const std::vector<std::byte> second = bytes_of("world");
  std::vector<std::byte> reply(64);
  const std::array<BufferRef, 3> buffers{
      {{first.data(), 0x1000, 6, 1}, {second.data(), 0x2000, 5, 1}, {reply.data(), 0x3000, 64, kDescriptorWritable}}};
  Event event{EventKind::ChainTaken, 1, 5, 9, 11, 64};
  event.buffers = buffers;
  std::uint64_t original = 0;
  const std::vector<std::byte> out = encoded(event, 256, original);
  const Record r = decode(out, original);
  ASSERT_EQ(r.descriptor_count(), 3u);
  EXPECT_EQ(r.chain_descriptors, 3);
  EXPECT_EQ(r.descriptor(1).addr, 0x2000u);
  EXPECT_EQ(r.descriptor(1).length, 5u);
  EXPECT_EQ(r.descriptor(2).flags, kDescriptorWritable);
  EXPECT_EQ(text_of(r.payload), "hello world");
  EXPECT_EQ(r.payload_length, 11u);
  EXPECT_FALSE(r.truncated());
}

TEST(Record, UsedChainCarriesTheBytesWritten) {
  const std::vector<std::byte> request = bytes_of("request");
  const std::vector<std::byte> part1 = bytes_of("abc");
  const std::vector<std::byte> part2 = bytes_of("defgh");
  const std::array<BufferRef, 3> buffers{{{request.data(), 0x1000, 7, 1},
                                          {part1.data(), 0x2000, 3, kDescriptorWritable | 1},
                                          {part2.data(), 0x3000, 5, kDescriptorWritable}}};
  Event event{EventKind::UsedPushed, 0, 2, 1, 6};  // 6 bytes written
  event.buffers = buffers;
  std::vector<std::byte> keep;
  const Record r = round_trip(event, 256, keep);
  EXPECT_EQ(text_of(r.payload), "abcdef");
  EXPECT_EQ(r.payload_length, 6u);
}

TEST(Record, PayloadIsCutAtTheSnapLength) {
  const std::vector<std::byte> message = bytes_of("0123456789abcdef");
  Event event{EventKind::VhostUserMessage};
  event.bytes = message;
  std::uint64_t original = 0;
  const std::vector<std::byte> out = encoded(event, 4, original);
  EXPECT_EQ(out.size(), kRecordHeaderBytes + 4);
  EXPECT_EQ(original, kRecordHeaderBytes + 16);
  const Record r = decode(out, original);
  EXPECT_EQ(text_of(r.payload), "0123");
  EXPECT_EQ(r.payload_length, 16u);
  EXPECT_TRUE(r.truncated());
}

TEST(Record, UnmappedBufferEndsTheCopyButCountsInTheLength) {
  const std::vector<std::byte> mapped = bytes_of("seen");
  const std::array<BufferRef, 2> buffers{{{mapped.data(), 0x1000, 4, 1}, {nullptr, 0x2000, 10, 0}}};
  Event event{EventKind::AvailSeen};
  event.buffers = buffers;
  std::vector<std::byte> keep;
  const Record r = round_trip(event, 256, keep);
  EXPECT_EQ(text_of(r.payload), "seen");
  EXPECT_EQ(r.payload_length, 14u);
}

TEST(Record, LongChainKeepsItsFirstDescriptorsAndItsCount) {
  std::vector<BufferRef> buffers(100);
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i] = {nullptr, 0x1000 * i, 1, 0};
  Event event{EventKind::ChainAdded};
  event.buffers = buffers;
  std::vector<std::byte> keep;
  const Record r = round_trip(event, 0, keep);
  EXPECT_EQ(r.descriptor_count(), kMaxRecordedDescriptors);
  EXPECT_EQ(r.chain_descriptors, 100);
  EXPECT_EQ(r.descriptor(63).addr, 0x1000u * 63);
}

class BadRecord : public ::testing::Test {
 protected:
  std::vector<std::byte> valid() {
    std::uint64_t original = 0;
    return encoded({EventKind::ChainTaken, 0, 1, 2, 3, 4}, 0, original);
  }
  static std::string refusal(std::span<const std::byte> bytes, std::uint64_t original, ErrorCode expected) {
    try {
      decode(bytes, original);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), expected);
      return error.what();
    }
    ADD_FAILURE() << "decoded";
    return "";
  }
};

TEST_F(BadRecord, ShorterThanTheHeader) {
  const std::vector<std::byte> bytes = valid();
  EXPECT_EQ(refusal(std::span(bytes).first(31), 31, ErrorCode::Corrupt),
            "record of 31 bytes is shorter than the 32-byte record header");
}

TEST_F(BadRecord, NewerVersion) {
  std::vector<std::byte> bytes = valid();
  bytes[0] = std::byte{3};
  EXPECT_EQ(refusal(bytes, bytes.size(), ErrorCode::FutureVersion),
            "record format version 3 is newer than this vgen reads (2)");
}

TEST_F(BadRecord, UnknownKindAndChannel) {
  std::vector<std::byte> bytes = valid();
  bytes[2] = std::byte{200};
  EXPECT_EQ(refusal(bytes, bytes.size(), ErrorCode::Corrupt), "unknown event kind 200");
  bytes = valid();
  bytes[1] = std::byte{0};
  EXPECT_EQ(refusal(bytes, bytes.size(), ErrorCode::Corrupt), "unknown channel 0");
}

TEST_F(BadRecord, DescriptorsPastTheRecord) {
  std::vector<std::byte> bytes = valid();
  bytes[12] = std::byte{2};
  bytes[14] = std::byte{2};
  EXPECT_EQ(refusal(bytes, bytes.size(), ErrorCode::Corrupt),
            "record of 32 bytes is shorter than its header and 2 descriptors (64 bytes)");
}

TEST_F(BadRecord, MoreDescriptorsStoredThanTheChainHad) {
  std::vector<std::byte> bytes = valid();
  bytes[12] = std::byte{1};
  EXPECT_EQ(refusal(bytes, bytes.size(), ErrorCode::Corrupt), "1 descriptors stored of a chain of 0 (at most 64)");
}

TEST_F(BadRecord, OriginalBelowCaptured) {
  const std::vector<std::byte> bytes = valid();
  EXPECT_EQ(refusal(bytes, 8, ErrorCode::Corrupt), "original length 8 is below the 32 bytes stored");
}

}  // namespace
}  // namespace vgen::trace
