// The wire format against the installed ground truth, xen/io/xs_wire.h.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
// xs_wire.h only defines its error table when EINVAL is defined.
#include <xen/io/xs_wire.h>

#include <vgen/store/node.hpp>
#include <vgen/store/path.hpp>
#include <vgen/store/arguments.hpp>
#include <vgen/store/wire.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

std::string header_bytes(std::uint32_t type, std::uint32_t req, std::uint32_t tx, std::uint32_t len) {
  const auto raw = encode_header(Header{type, req, tx, len});
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

TEST(Wire, ErrorNamesMatchTheXsdErrorsTable) {
  ASSERT_EQ(std::size(xsd_errors), 16u);
  for (std::size_t i = 0; i < std::size(xsd_errors); ++i) {
    EXPECT_EQ(wire_name(static_cast<ErrorCode>(i)), xsd_errors[i].errstring) << "index " << i;
  }
}

TEST(Wire, MessageTypesMatchXsWire) {
  static_assert(static_cast<std::uint32_t>(MessageType::Control) == XS_CONTROL);
  static_assert(static_cast<std::uint32_t>(MessageType::Directory) == XS_DIRECTORY);
  static_assert(static_cast<std::uint32_t>(MessageType::Read) == XS_READ);
  static_assert(static_cast<std::uint32_t>(MessageType::GetPermissions) == XS_GET_PERMS);
  static_assert(static_cast<std::uint32_t>(MessageType::Watch) == XS_WATCH);
  static_assert(static_cast<std::uint32_t>(MessageType::Unwatch) == XS_UNWATCH);
  static_assert(static_cast<std::uint32_t>(MessageType::TransactionStart) == XS_TRANSACTION_START);
  static_assert(static_cast<std::uint32_t>(MessageType::TransactionEnd) == XS_TRANSACTION_END);
  static_assert(static_cast<std::uint32_t>(MessageType::Introduce) == XS_INTRODUCE);
  static_assert(static_cast<std::uint32_t>(MessageType::Release) == XS_RELEASE);
  static_assert(static_cast<std::uint32_t>(MessageType::GetDomainPath) == XS_GET_DOMAIN_PATH);
  static_assert(static_cast<std::uint32_t>(MessageType::Write) == XS_WRITE);
  static_assert(static_cast<std::uint32_t>(MessageType::Mkdir) == XS_MKDIR);
  static_assert(static_cast<std::uint32_t>(MessageType::Remove) == XS_RM);
  static_assert(static_cast<std::uint32_t>(MessageType::SetPermissions) == XS_SET_PERMS);
  static_assert(static_cast<std::uint32_t>(MessageType::WatchEvent) == XS_WATCH_EVENT);
  static_assert(static_cast<std::uint32_t>(MessageType::Error) == XS_ERROR);
  static_assert(static_cast<std::uint32_t>(MessageType::IsDomainIntroduced) == XS_IS_DOMAIN_INTRODUCED);
  static_assert(static_cast<std::uint32_t>(MessageType::Resume) == XS_RESUME);
  static_assert(static_cast<std::uint32_t>(MessageType::SetTarget) == XS_SET_TARGET);
  static_assert(static_cast<std::uint32_t>(MessageType::ResetWatches) == XS_RESET_WATCHES);
  static_assert(static_cast<std::uint32_t>(MessageType::DirectoryPart) == XS_DIRECTORY_PART);
  static_assert(XS_TYPE_COUNT == 23);
  SUCCEED();
}

TEST(Wire, LimitsMatchXsWire) {
  EXPECT_EQ(kMaxPayload, std::size_t{XENSTORE_PAYLOAD_MAX});
  EXPECT_EQ(kMaxValueSize, std::size_t{XENSTORE_PAYLOAD_MAX});
  EXPECT_EQ(kMaxAbsolutePath, std::size_t{XENSTORE_ABS_PATH_MAX});
  EXPECT_EQ(kMaxRelativePath, std::size_t{XENSTORE_REL_PATH_MAX});
  EXPECT_EQ(kHeaderSize, sizeof(xsd_sockmsg));
}

TEST(Wire, HeaderIsLittleEndianInFieldOrder) {
  const std::string bytes = header_bytes(0x04030201, 0x08070605, 0x0c0b0a09, 0x100f0e0d);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(static_cast<unsigned char>(bytes[i]), i + 1) << "byte " << i;
}

TEST(Wire, HeaderLayoutMatchesXsdSockmsg) {
  xsd_sockmsg reference{XS_WRITE, 7, 9, 42};
  const auto ours = encode_header(Header{XS_WRITE, 7, 9, 42});
  EXPECT_EQ(std::memcmp(&reference, ours.data(), sizeof(reference)), 0);  // this host is little-endian
}

TEST(Wire, DecodeHeaderRoundTrips) {
  const auto raw = encode_header(Header{11, 0xdeadbeef, 3, 4096});
  const Header h = decode_header(raw);
  EXPECT_EQ(h.type, 11u);
  EXPECT_EQ(h.req_id, 0xdeadbeefu);
  EXPECT_EQ(h.tx_id, 3u);
  EXPECT_EQ(h.len, 4096u);
}

TEST(Wire, EncodeSetsLengthFromPayload) {
  const std::string bytes = encode(Message{Header{2, 1, 0, 999}, "abc"});
  ASSERT_EQ(bytes.size(), 19u);
  EXPECT_EQ(bytes.substr(0, 16), header_bytes(2, 1, 0, 3));
  EXPECT_EQ(bytes.substr(16), "abc");
}

TEST(Wire, EncodeRejectsOversizedPayload) {
  EXPECT_STORE_ERROR(encode(Message{Header{2, 0, 0, 0}, std::string(4097, 'x')}), ErrorCode::TooBig);
}

TEST(Wire, ReplyEchoesTypeRequestAndTransaction) {
  const Message m = reply_to(Header{2, 77, 5, 3}, "v");
  EXPECT_EQ(m.header.type, 2u);
  EXPECT_EQ(m.header.req_id, 77u);
  EXPECT_EQ(m.header.tx_id, 5u);
}

TEST(Wire, ErrorReplyCarriesNameAndNul) {
  const Message m = error_reply(Header{2, 77, 5, 3}, "ENOENT");
  EXPECT_EQ(m.header.type, 16u);
  EXPECT_EQ(m.header.req_id, 77u);
  EXPECT_EQ(m.header.tx_id, 5u);
  EXPECT_EQ(m.payload, std::string("ENOENT\0", 7));
}

TEST(Wire, WatchEventHasZeroIdsAndTwoStrings) {
  const Message m = watch_event("/a", "tok");
  EXPECT_EQ(m.header.type, 15u);
  EXPECT_EQ(m.header.req_id, 0u);
  EXPECT_EQ(m.header.tx_id, 0u);
  EXPECT_EQ(m.payload, std::string("/a\0tok\0", 7));
}

TEST(Wire, MessageTypeNames) {
  EXPECT_EQ(message_type_name(2), "READ");
  EXPECT_EQ(message_type_name(22), "DIRECTORY_PART");
  EXPECT_EQ(message_type_name(20), "type 20");
  EXPECT_EQ(message_type_name(99), "type 99");
}

TEST(FrameDecoder, NeedsAWholeHeader) {
  FrameDecoder d;
  d.feed(header_bytes(2, 0, 0, 0).substr(0, 15));
  EXPECT_EQ(d.next(), std::nullopt);
  EXPECT_EQ(d.buffered(), 15u);
}

TEST(FrameDecoder, NeedsTheWholePayload) {
  FrameDecoder d;
  d.feed(header_bytes(2, 0, 0, 3) + "ab");
  EXPECT_EQ(d.next(), std::nullopt);
  d.feed("c");
  const auto m = d.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "abc");
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, EmptyPayload) {
  FrameDecoder d;
  d.feed(header_bytes(21, 4, 0, 0));
  const auto m = d.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.type, 21u);
  EXPECT_EQ(m->header.req_id, 4u);
  EXPECT_TRUE(m->payload.empty());
}

TEST(FrameDecoder, ByteByByte) {
  const std::string wire = encode(Message{Header{11, 9, 0, 0}, std::string("/a\0v", 4)});
  FrameDecoder d;
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
    d.feed(wire.substr(i, 1));
    EXPECT_EQ(d.next(), std::nullopt) << "after " << i + 1 << " bytes";
  }
  d.feed(wire.substr(wire.size() - 1));
  const auto m = d.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, std::string("/a\0v", 4));
}

TEST(FrameDecoder, SeveralMessagesInOneChunkComeOutInOrder) {
  FrameDecoder d;
  d.feed(encode(Message{Header{2, 1, 0, 0}, "one"}) + encode(Message{Header{2, 2, 0, 0}, "two"}) +
         header_bytes(2, 3, 0, 5));
  EXPECT_EQ(d.next()->header.req_id, 1u);
  EXPECT_EQ(d.next()->header.req_id, 2u);
  EXPECT_EQ(d.next(), std::nullopt);
  EXPECT_EQ(d.buffered(), 16u);
}

TEST(FrameDecoder, MaximumPayloadIsAccepted) {
  FrameDecoder d;
  d.feed(header_bytes(11, 0, 0, 4096) + std::string(4096, 'x'));
  const auto m = d.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload.size(), 4096u);
}

TEST(FrameDecoder, OverlongLengthIsAProtocolError) {
  FrameDecoder d;
  d.feed(header_bytes(2, 0, 0, 4097));
  const Caught c = catch_error([&] { d.next(); });
  EXPECT_EQ(c.code, ErrorCode::Protocol);
  EXPECT_NE(c.message.find("4097"), std::string::npos) << c.message;
}

TEST(FrameDecoder, HugeLengthFailsWithoutWaitingForData) {
  FrameDecoder d;
  d.feed(header_bytes(2, 0, 0, 0xffffffffu));
  EXPECT_STORE_ERROR(d.next(), ErrorCode::Protocol);
}

TEST(FrameDecoder, StaysFailedAfterAProtocolError) {
  FrameDecoder d;
  d.feed(header_bytes(2, 0, 0, 5000));
  EXPECT_STORE_ERROR(d.next(), ErrorCode::Protocol);
  d.feed(encode(Message{Header{2, 0, 0, 0}, "ok"}));
  EXPECT_STORE_ERROR(d.next(), ErrorCode::Protocol);
}

TEST(Arguments, SplitsExactlyTheExpectedStrings) {
  const auto args = split_strings(std::string_view("/p\0tok\0", 7), 2, "WATCH");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "/p");
  EXPECT_EQ(args[1], "tok");
}

TEST(Arguments, EmptyStringsAreArguments) {
  const auto args = split_strings(std::string_view("/p\0\0", 4), 2, "WATCH");
  EXPECT_EQ(args[1], "");
}

TEST(Arguments, MissingFinalNulIsInvalid) {
  const Caught c = catch_error([] { split_strings("/p", 1, "READ"); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("READ"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("NUL"), std::string::npos) << c.message;
}

TEST(Arguments, TooFewStringsIsInvalid) {
  EXPECT_STORE_ERROR(split_strings(std::string_view("/p\0", 3), 2, "WATCH"), ErrorCode::Invalid);
}

TEST(Arguments, TooManyStringsIsInvalid) {
  EXPECT_STORE_ERROR(split_strings(std::string_view("/p\0t\0x\0", 7), 2, "WATCH"), ErrorCode::Invalid);
}

TEST(Arguments, TrailingBytesAfterTheLastNulAreInvalid) {
  EXPECT_STORE_ERROR(split_strings(std::string_view("/p\0extra", 8), 1, "READ"), ErrorCode::Invalid);
}

TEST(Arguments, EmptyPayloadHasNoArguments) {
  EXPECT_STORE_ERROR(split_strings("", 1, "READ"), ErrorCode::Invalid);
  EXPECT_TRUE(split_all_strings("", 0, "X").empty());
}

TEST(Arguments, SplitAllReturnsEveryString) {
  const auto args = split_all_strings(std::string_view("/p\0r1\0w2\0", 9), 2, "SET_PERMS");
  EXPECT_EQ(args.size(), 3u);
  EXPECT_STORE_ERROR(split_all_strings(std::string_view("/p\0", 3), 2, "SET_PERMS"), ErrorCode::Invalid);
}

TEST(Arguments, PathValueKeepsValueBytesVerbatim) {
  const auto [path, value] = split_path_value(std::string_view("/p\0a\0b", 6), "WRITE");
  EXPECT_EQ(path, "/p");
  EXPECT_EQ(value, std::string_view("a\0b", 3));
}

TEST(Arguments, PathValueWithEmptyValue) {
  const auto [path, value] = split_path_value(std::string_view("/p\0", 3), "WRITE");
  EXPECT_EQ(path, "/p");
  EXPECT_TRUE(value.empty());
}

TEST(Arguments, PathValueWithoutNulIsInvalid) {
  EXPECT_STORE_ERROR(split_path_value("/p", "WRITE"), ErrorCode::Invalid);
}

TEST(Arguments, DecimalNumbers) {
  EXPECT_EQ(parse_decimal("0", "n"), 0u);
  EXPECT_EQ(parse_decimal("18446744073709551", "n"), 18446744073709551u);
  EXPECT_STORE_ERROR(parse_decimal("", "n"), ErrorCode::Invalid);
  EXPECT_STORE_ERROR(parse_decimal("1x", "n"), ErrorCode::Invalid);
  EXPECT_STORE_ERROR(parse_decimal("-1", "n"), ErrorCode::Invalid);
  EXPECT_STORE_ERROR(parse_decimal("12345678901234567890", "n"), ErrorCode::Invalid);
}

}  // namespace
}  // namespace vgen::store
