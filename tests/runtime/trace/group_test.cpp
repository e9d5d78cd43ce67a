// Group records: the records a group holds come back one by one with every field and payload,
// and every malformed group is refused with which record of how many and why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <vgen/trace/detail/encode.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/record.hpp>

#include "group_builder.hpp"

namespace vgen::trace {
namespace {

using testing::GroupBuilder;

// Every record the group in `bytes` holds; the message of the error that stopped it, if any.
std::vector<Record> read_group(const std::vector<std::byte>& bytes, std::string* error = nullptr) {
  std::vector<Record> records;
  try {
    const Record group = decode(bytes, bytes.size());
    EXPECT_EQ(group.kind, EventKind::Group);
    GroupReader reader(group);
    Record r;
    while (reader.next(r)) records.push_back(r);
  } catch (const Error& e) {
    if (error == nullptr) throw;
    EXPECT_EQ(e.code(), ErrorCode::Corrupt);
    *error = e.what();
  }
  return records;
}

TEST(Group, HoldsRecordsInOrderWithTheirFieldsAndPayloads) {
  const char text[] = "request";
  std::byte payload[sizeof text];
  std::memcpy(payload, text, sizeof text);
  const BufferRef buffers[] = {{payload, 0x1000, sizeof text, 1}, {nullptr, 0x2000, 64, 2}};
  Event added{EventKind::ChainAdded, 3, 7, 1, sizeof text, 64};
  added.buffers = buffers;
  const std::vector<std::byte> bytes = GroupBuilder(Channel::Virtqueue, 3)
                                           .add(added)
                                           .add({EventKind::AvailPublished, 3, 0, 1})
                                           .add({EventKind::NotifySuppressed, 3, 0, 1})
                                           .bytes();
  EXPECT_EQ(static_cast<unsigned>(bytes[0]), kGroupRecordVersion);
  const std::vector<Record> records = read_group(bytes);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].kind, EventKind::ChainAdded);
  EXPECT_EQ(records[0].head, 7);
  EXPECT_EQ(records[0].a, sizeof text);
  ASSERT_EQ(records[0].descriptor_count(), 2u);
  EXPECT_EQ(records[0].descriptor(1).addr, 0x2000u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(records[0].payload.data())), "request");
  EXPECT_EQ(records[1].kind, EventKind::AvailPublished);
  EXPECT_EQ(records[2].kind, EventKind::NotifySuppressed);
  for (const Record& r : records) {
    EXPECT_EQ(r.queue, 3);
    EXPECT_EQ(r.channel, Channel::Virtqueue);
  }
}

TEST(Group, CutPayloadKeepsItsWholeLength) {
  std::byte payload[100] = {};
  const BufferRef buffers[] = {{payload, 0x1000, sizeof payload, 0}};
  Event taken{EventKind::ChainTaken, 0, 1, 1, sizeof payload};
  taken.buffers = buffers;
  const std::vector<Record> records = read_group(GroupBuilder(Channel::Virtqueue, 0).add(taken, 10).bytes());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].payload.size(), 10u);
  EXPECT_EQ(records[0].payload_length, 100u);
  EXPECT_TRUE(records[0].truncated());
}

// A record inside a group is byte for byte the record encode() writes for the event alone, with
// the lengths encoded_size() gives: for messages and for chains, cut or whole, with buffers not
// mapped here and a used length shorter than the writable buffers.
TEST(Group, MemberIsTheRecordOfTheEventAlone) {
  std::byte bytes[300];
  for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<std::byte>(i);
  const BufferRef chain[] = {{bytes, 0x1000, 100, 1},
                             {bytes + 100, 0x2000, 50, 1},
                             {nullptr, 0x3000, 20, 1},
                             {bytes + 150, 0x4000, 30, 3},
                             {bytes + 180, 0x5000, 120, 2}};
  std::vector<Event> events;
  for (const EventKind kind : {EventKind::ChainAdded, EventKind::ChainTaken, EventKind::UsedPushed}) {
    for (const std::uint64_t used : {0u, 10u, 40u, 150u}) {
      Event event{kind, 2, 9, 4, used, 7};
      event.buffers = chain;
      events.push_back(event);
    }
  }
  Event message{EventKind::StoreMessage, 1, 0, 3};
  message.bytes = std::span(bytes, 90);
  events.push_back(message);
  for (const Event& event : events) {
    for (const std::uint32_t snap : {0u, 16u, 100u, 120u, 256u}) {
      const RecordSize size = encoded_size(event, snap);
      std::vector<std::byte> alone(size.captured);
      encode(event, snap, alone);
      std::vector<std::byte> member(group_member_bound(event, snap) + 16, std::byte{0xee});
      std::uint64_t cut = 0;
      const std::size_t taken = encode_group_member(event, snap, member.data(), cut);
      const std::string where = "kind " + std::to_string(static_cast<int>(event.kind)) + " a " +
                                std::to_string(event.a) + " snap " + std::to_string(snap);
      ASSERT_EQ(taken, group_member_bytes(size.captured)) << where;
      ASSERT_LE(taken, group_member_bound(event, snap)) << where;
      std::uint32_t lengths[2];
      std::memcpy(lengths, member.data(), sizeof lengths);
      EXPECT_EQ(lengths[0], size.captured) << where;
      EXPECT_EQ(lengths[1], size.original) << where;
      EXPECT_EQ(cut, size.original - size.captured) << where;
      EXPECT_TRUE(std::equal(alone.begin(), alone.end(), member.begin() + kGroupMemberPrefix)) << where;
      for (std::size_t i = kGroupMemberPrefix + size.captured; i < taken; ++i) {
        EXPECT_EQ(member[i], std::byte{0}) << where << " padding byte " << i;
      }
      EXPECT_EQ(member[taken], std::byte{0xee}) << where;  // nothing written past it
    }
  }
}

class BadGroup : public ::testing::Test {
 protected:
  GroupBuilder two() {
    GroupBuilder group(Channel::Virtqueue, 0);
    group.add({EventKind::ChainTaken, 0, 1}).add({EventKind::UsedPushed, 0, 1});
    return group;
  }
  static std::string refusal(const std::vector<std::byte>& bytes, std::size_t expected_records) {
    std::string error;
    EXPECT_EQ(read_group(bytes, &error).size(), expected_records);
    return error;
  }
};

TEST_F(BadGroup, MoreRecordsDeclaredThanHeld) {
  EXPECT_EQ(refusal(two().bytes(3), 2), "record 3 of the group's 3: its lengths need 8 bytes, 0 are left in the group");
}

TEST_F(BadGroup, BytesAfterTheLastRecord) {
  EXPECT_EQ(refusal(two().bytes(1), 1), "40 bytes after the last of the group's 1 records");
}

TEST_F(BadGroup, RecordRunsPastTheGroup) {
  std::vector<std::byte> bytes = two().bytes();
  bytes[kRecordHeaderBytes + 40] = std::byte{200};  // the second record's captured length
  EXPECT_EQ(refusal(bytes, 1), "record 2 of the group's 2: 200 captured bytes run past the group (32 left)");
}

TEST_F(BadGroup, BadRecordInsideSaysWhichOne) {
  std::vector<std::byte> bytes = two().bytes();
  bytes[kRecordHeaderBytes + 40 + 8 + 2] = std::byte{200};  // the second record's kind
  EXPECT_EQ(refusal(bytes, 1), "record 2 of the group's 2: unknown event kind 200");
}

TEST_F(BadGroup, NewerRecordInsideSaysWhichOne) {
  std::vector<std::byte> bytes = two().bytes();
  bytes[kRecordHeaderBytes + 40 + 8] = std::byte{3};  // the second record's version
  try {
    read_group(bytes);
    ADD_FAILURE() << "read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::FutureVersion);
    EXPECT_EQ(std::string(e.what()),
              "record 2 of the group's 2: record format version 3 is newer than this vgen reads (2)");
  }
}

TEST_F(BadGroup, GroupInsideAGroup) {
  const std::vector<std::byte> inner = two().bytes();
  std::vector<std::byte> bytes(kRecordHeaderBytes + 8);
  encode_group_header(Channel::Virtqueue, 0, 1, bytes.data());
  const std::uint32_t lengths[2] = {static_cast<std::uint32_t>(inner.size()), static_cast<std::uint32_t>(inner.size())};
  std::memcpy(bytes.data() + kRecordHeaderBytes, lengths, sizeof lengths);
  bytes.insert(bytes.end(), inner.begin(), inner.end());
  EXPECT_EQ(refusal(bytes, 0), "record 1 of the group's 1: a group inside a group");
}

TEST_F(BadGroup, RecordOfAnotherQueue) {
  GroupBuilder group(Channel::Virtqueue, 0);
  group.add({EventKind::ChainTaken, 0, 1}).add({EventKind::ChainTaken, 5, 1});
  EXPECT_EQ(refusal(group.bytes(), 1), "record 2 of the group's 2: channel 1 queue 5 in a group of channel 1 queue 0");
}

TEST_F(BadGroup, GroupOfTheFirstVersion) {
  std::vector<std::byte> bytes = two().bytes();
  bytes[0] = std::byte{kSingleRecordVersion};
  try {
    decode(bytes, bytes.size());
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Corrupt);
    EXPECT_EQ(std::string(e.what()), "group record of format version 1 (groups came with version 2)");
  }
}

}  // namespace
}  // namespace vgen::trace

namespace vgen::trace::detail {
namespace {

// Appends `value` little-endian in `size` bytes.
void put(std::vector<std::byte>& out, std::uint64_t value, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

// A group member of the stream's chain (its header stored in whole words) is byte for byte the
// layout record.hpp documents, field by field.
TEST(EncodeGroupMember, ChainMemberIsTheDocumentedLayout) {
  std::array<std::byte, 128> memory{};
  for (std::size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<std::byte>(i + 1);
  const BufferRef buffers[] = {{memory.data(), 0x1122334455667788, 64, 1}, {memory.data() + 64, 0x2000, 64, 2}};
  Event event{EventKind::UsedPushed, 0x0203, 0x0405, 0x06070809, 5, 0x0a0b0c0d0e0f1011};
  event.buffers = buffers;

  std::vector<std::byte> expected;
  put(expected, 32 + 2 * 16 + 5, 4);  // captured: header, two descriptors, the 5 bytes written
  put(expected, 32 + 2 * 16 + 5, 4);  // original
  put(expected, kSingleRecordVersion, 1);
  put(expected, static_cast<std::uint8_t>(Channel::Virtqueue), 1);
  put(expected, static_cast<std::uint8_t>(EventKind::UsedPushed), 1);
  put(expected, 0, 1);
  put(expected, 0x0203, 2);
  put(expected, 0x0405, 2);
  put(expected, 0x06070809, 4);
  put(expected, 2, 2);  // descriptors stored
  put(expected, 2, 2);  // descriptors in the chain
  put(expected, 5, 8);
  put(expected, 0x0a0b0c0d0e0f1011, 8);
  for (const BufferRef& buffer : buffers) {
    put(expected, buffer.addr, 8);
    put(expected, buffer.length, 4);
    put(expected, buffer.flags, 2);
    put(expected, 0, 2);
  }
  expected.insert(expected.end(), memory.begin() + 64, memory.begin() + 69);
  expected.resize(group_member_bytes(32 + 2 * 16 + 5), std::byte{0});  // padded to 8

  std::vector<std::byte> out(group_member_bound(event, 64), std::byte{0xee});
  std::uint64_t cut = 9;
  const std::size_t size = encode_group_member(event, 64, out.data(), cut);
  ASSERT_EQ(size, expected.size());
  out.resize(size);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(cut, 0u);
}

}  // namespace
}  // namespace vgen::trace::detail
