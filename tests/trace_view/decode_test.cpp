// The viewer's decoders on records whose payload a peer wrote: cut headers, announcements
// that are not ones, unknown operations and faults. Each gives text, never a read outside
// the payload.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <vgen/trace_view/decode.hpp>

namespace vgen::trace_view {
namespace {

using trace::EventKind;

trace::Record record(EventKind kind, trace::Channel channel, const std::vector<std::byte>& payload) {
  trace::Record r;
  r.kind = kind;
  r.channel = channel;
  r.payload = payload;
  r.payload_length = payload.size();
  return r;
}

std::vector<std::byte> bytes(const std::string& text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

std::string text_of(const trace::Record& r, const DecodeContext& context = DecodeContext{}) {
  const std::optional<DecodedFields> decoded = decode_fields(r, context);
  return decoded ? decoded->text : "<none>";
}

TEST(DecodeFields, AStoreMessageCutInsideItsHeaderShowsNoOperation) {
  const std::vector<std::byte> cut = bytes(std::string("\x0b\0\0\0\x05\0", 6));
  trace::Record r = record(EventKind::StoreMessage, trace::Channel::Store, cut);
  r.payload_length = 40;
  const std::optional<DecodedFields> decoded = decode_fields(r, DecodeContext{});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->text, "to-daemon domain 0 seen-by client");
  EXPECT_FALSE(decoded->payload_shown) << "the raw bytes follow";
}

TEST(DecodeFields, StoreOperationsByNameAndUnknownOnesByNumber) {
  std::string message(16, '\0');
  message[0] = 11;  // WRITE
  message += std::string("/p\0v\xff", 5);
  EXPECT_EQ(text_of(record(EventKind::StoreMessage, trace::Channel::Store, bytes(message))),
            "to-daemon domain 0 seen-by client WRITE req 0 tx 0 \"/p\" \"v\\xff\"");
  message[0] = 99;
  EXPECT_NE(text_of(record(EventKind::StoreMessage, trace::Channel::Store, bytes(message))).find("type 99"),
            std::string::npos);
}

// Raw bytes a hostile client wrote (b = 1): marked raw, and their framing checked against
// what followed rather than trusted.
TEST(DecodeFields, RawStoreBytesSayWhereTheirFramingIsBroken) {
  const std::vector<std::byte> three = bytes(std::string("\x0b\0\0", 3));
  trace::Record short_one = record(EventKind::StoreMessage, trace::Channel::Store, three);
  short_one.b = 1;
  EXPECT_EQ(text_of(short_one), "to-daemon domain 0 seen-by client raw 3 bytes, shorter than a header");

  std::string message(16, '\0');
  message[0] = 11;    // WRITE
  message[12] = 100;  // len 100, but 3 bytes follow
  message += std::string("/p\0", 3);
  const std::vector<std::byte> cut_bytes = bytes(message);
  trace::Record cut_short = record(EventKind::StoreMessage, trace::Channel::Store, cut_bytes);
  cut_short.b = 1;
  EXPECT_EQ(text_of(cut_short),
            "to-daemon domain 0 seen-by client raw WRITE req 0 tx 0 \"/p\" [header len 100, 3 bytes follow]");
  cut_short.b = 0;  // a message the runtime framed itself: its len is not checked again
  EXPECT_EQ(text_of(cut_short), "to-daemon domain 0 seen-by client WRITE req 0 tx 0 \"/p\"");

  message[12] = 3;  // now the len is what follows
  const std::vector<std::byte> whole_bytes = bytes(message);
  trace::Record whole = record(EventKind::StoreMessage, trace::Channel::Store, whole_bytes);
  whole.b = 1;
  EXPECT_EQ(text_of(whole), "to-daemon domain 0 seen-by client raw WRITE req 0 tx 0 \"/p\"");
}

TEST(DecodeFields, RpmsgHeadersAndAnnouncementsThatAreNotOnes) {
  EXPECT_EQ(text_of(record(EventKind::RpmsgMessage, trace::Channel::Rpmsg, bytes("short"))), "sent");
  // To the name service, but 3 bytes where an announcement has 40.
  std::string message("\x00\x04\0\0\x35\0\0\0\0\0\0\0\x03\0\0\0abc", 19);
  const std::string text = text_of(record(EventKind::RpmsgMessage, trace::Channel::Rpmsg, bytes(message)));
  EXPECT_NE(text.find("0x400 -> 0x35 (name-service) len 3 name-service ("), std::string::npos) << text;
  // A header claiming more than the record holds decodes what is there.
  message[12] = static_cast<char>(0xff);
  EXPECT_NE(text_of(record(EventKind::RpmsgMessage, trace::Channel::Rpmsg, bytes(message))).find("len 255"),
            std::string::npos);
}

TEST(DecodeFields, ChannelNamesComeFromAnnouncementsSeenBefore) {
  std::string announce("\x00\x04\0\0\x35\0\0\0\0\0\0\0\x28\0\0\0", 16);
  std::string name = "echo";
  name.resize(32, '\0');
  announce += name + std::string("\x00\x04\0\0\0\0\0\0", 8);
  DecodeContext context;
  context.learn(record(EventKind::RpmsgMessage, trace::Channel::Rpmsg, bytes(announce)));
  EXPECT_EQ(context.rpmsg_name(0x400), "echo");
  const std::string message("\x01\x04\0\0\x00\x04\0\0\0\0\0\0\x02\0\0\0hi", 18);
  EXPECT_EQ(text_of(record(EventKind::RpmsgMessage, trace::Channel::Rpmsg, bytes(message)), context),
            "sent 0x401 -> 0x400 (echo) len 2 \"hi\"");
}

TEST(DecodeFields, MmioFaultsAndRegisters) {
  trace::Record r = record(EventKind::MmioWrite, trace::Channel::Mmio, {});
  r.index = 0x70;
  r.head = 4;
  r.a = 0xf;
  r.b = 3;  // ReadOnly
  EXPECT_EQ(text_of(r), "Status width 4 value 0xf (ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK) fault ReadOnly");
  r.index = 0x3c;  // undefined in version 2
  r.b = 1000;      // no fault has this number
  EXPECT_EQ(text_of(r), "offset 0x3c width 4 value 0xf fault 1000");
  r.index = 0x104;
  r.b = 0;
  EXPECT_EQ(text_of(r), "config+0x4 width 4 value 0xf");
}

TEST(DecodeFields, FeatureNamesWithoutASpec) {
  EXPECT_EQ(feature_names(0, nullptr), "0");
  EXPECT_EQ(feature_names((1ull << 32) | (1ull << 29) | 1, nullptr), "bit 0|EVENT_IDX|VERSION_1");
  EXPECT_EQ(feature_names(1ull << 63, nullptr), "bit 63");
}

TEST(BytesText, PrintableQuotedOthersInHexAndWhatWasNotRecorded) {
  EXPECT_EQ(bytes_text(bytes("a\"b"), 3), " \"a\\\"b\"");
  EXPECT_EQ(bytes_text(bytes(std::string("\x01\xff", 2)), 10), " 01ff (10 bytes)");
  EXPECT_EQ(bytes_text({}, 7), " (7 bytes, not recorded)");
  EXPECT_EQ(bytes_text({}, 0), "");
}

}  // namespace
}  // namespace vgen::trace_view
