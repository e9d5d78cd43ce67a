// Byte-exact layouts of the rpmsg header and the name-service announcement, and the checks a
// receiver makes on them.
#include <linux/rpmsg.h>
#include <linux/virtio_ids.h>

#include <array>
#include <cstring>

#include <gtest/gtest.h>

#include <vgen/rpmsg/error.hpp>
#include <vgen/rpmsg/wire.hpp>

namespace vgen::rpmsg {
namespace {

template <class... T>
std::array<std::byte, sizeof...(T)> octets(T... values) {
  return {static_cast<std::byte>(values)...};
}

TEST(Wire, ConstantsMatchLinuxHeaders) {
  EXPECT_EQ(kDeviceId, static_cast<std::uint32_t>(VIRTIO_ID_RPMSG));
  EXPECT_EQ(kAnyAddress, static_cast<std::uint32_t>(RPMSG_ADDR_ANY));
  EXPECT_EQ(kNameSize, sizeof(rpmsg_endpoint_info{}.name));
  EXPECT_EQ(kNameServiceAddress, 53u);
  EXPECT_EQ(kFirstDynamicAddress, 1024u);
  EXPECT_EQ(kFeatureNameService, 0u);
  EXPECT_EQ(kHeaderSize, 16u);
  EXPECT_EQ(kAnnouncementSize, 40u);
}

TEST(Wire, HeaderIsSixteenLittleEndianBytes) {
  std::array<std::byte, 16> out{};
  encode_header({0x11223344, 0x55667788, 0, 0x99aa, 0xbbcc}, out.data());
  EXPECT_EQ(out, octets(0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55, 0, 0, 0, 0, 0xaa, 0x99, 0xcc, 0xbb));
}

TEST(Wire, HeaderFieldOffsets) {
  EXPECT_EQ(kHeaderSourceOffset, 0u);
  EXPECT_EQ(kHeaderDestinationOffset, 4u);
  EXPECT_EQ(kHeaderReservedOffset, 8u);
  EXPECT_EQ(kHeaderLengthOffset, 12u);
  EXPECT_EQ(kHeaderFlagsOffset, 14u);
}

TEST(Wire, HeaderDecodesWhatWasEncoded) {
  const auto in = octets(0x00, 0x04, 0, 0, 0x35, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x28, 0, 0x01, 0x80);
  const Header h = decode_header(in.data());
  EXPECT_EQ(h.source, 0x400u);
  EXPECT_EQ(h.destination, 0x35u);
  EXPECT_EQ(h.reserved, 0xefbeaddeu);
  EXPECT_EQ(h.length, 40u);
  EXPECT_EQ(h.flags, 0x8001u);
  std::array<std::byte, 16> again{};
  encode_header(h, again.data());
  EXPECT_EQ(again, in);
}

TEST(Wire, AnnouncementIsFortyBytes) {
  std::array<std::byte, kAnnouncementSize> out;
  out.fill(std::byte{0xee});
  encode_announcement({"rpmsg-echo", 0x401, AnnouncementKind::Destroy}, out);
  std::array<std::byte, kAnnouncementSize> want{};
  std::memcpy(want.data(), "rpmsg-echo", 10);  // the rest of the 32-byte name is NUL
  want[32] = std::byte{0x01};
  want[33] = std::byte{0x04};
  want[36] = std::byte{0x01};
  EXPECT_EQ(out, want);
  EXPECT_EQ(kAnnouncementAddressOffset, 32u);
  EXPECT_EQ(kAnnouncementFlagsOffset, 36u);
}

TEST(Wire, AnnouncementRoundTrip) {
  std::array<std::byte, kAnnouncementSize> buffer;
  const Announcement a{std::string(31, 'n'), 0xfffffffe, AnnouncementKind::Create};
  encode_announcement(a, buffer);
  const DecodedAnnouncement d = decode_announcement(buffer);
  ASSERT_TRUE(d.announcement) << d.problem;
  EXPECT_EQ(*d.announcement, a);
  EXPECT_TRUE(d.problem.empty());
}

TEST(Wire, AnnouncementNamesAreChecked) {
  std::array<std::byte, kAnnouncementSize> buffer;
  for (const std::string& bad : {std::string(), std::string(32, 'x'), std::string("a\0b", 3)}) {
    try {
      encode_announcement({bad, 0x400, AnnouncementKind::Create}, buffer);
      ADD_FAILURE() << "name of " << bad.size() << " bytes accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidName);
    }
  }
  EXPECT_NE(check_name(std::string(32, 'x'))->find("at most 31"), std::string::npos);
  EXPECT_FALSE(check_name("ok"));
}

TEST(Wire, MalformedAnnouncementsAreRefusedWithReasons) {
  std::array<std::byte, kAnnouncementSize> good;
  encode_announcement({"svc", 0x400, AnnouncementKind::Create}, good);

  EXPECT_NE(decode_announcement(std::span(good).first(39)).problem.find("39 bytes, not 40"), std::string::npos);

  auto unterminated = good;
  std::memset(unterminated.data(), 'a', 32);
  EXPECT_NE(decode_announcement(unterminated).problem.find("not NUL-terminated"), std::string::npos);

  auto empty = good;
  empty[0] = std::byte{0};
  EXPECT_NE(decode_announcement(empty).problem.find("empty"), std::string::npos);

  auto any = good;
  std::memset(any.data() + 32, 0xff, 4);
  EXPECT_NE(decode_announcement(any).problem.find("address any"), std::string::npos);

  auto flags = good;
  flags[36] = std::byte{2};
  const DecodedAnnouncement d = decode_announcement(flags);
  EXPECT_FALSE(d.announcement);
  EXPECT_NE(d.problem.find("flags 2"), std::string::npos);
}

TEST(Wire, MessageLengthChecks) {
  EXPECT_FALSE(check_message(16, Header{1, 2, 0, 0, 0}, 512));
  EXPECT_FALSE(check_message(512, Header{1, 2, 0, 496, 0}, 512));
  EXPECT_FALSE(check_message(100, Header{1, 2, 0, 10, 0}, 512)) << "a padded message is accepted";
  EXPECT_NE(check_message(15, Header{}, 512)->find("short message: 15 bytes"), std::string::npos);
  EXPECT_NE(check_message(513, Header{}, 512)->find("oversized message: 513 bytes in a buffer of 512"),
            std::string::npos);
  EXPECT_NE(check_message(26, Header{1, 2, 0, 11, 0}, 512)->find("header len 11 exceeds the 10 payload bytes"),
            std::string::npos);
}

TEST(Wire, AddressText) {
  EXPECT_EQ(address_text(0x35), "0x35");
  EXPECT_EQ(address_text(kAnyAddress), "any");
}

}  // namespace
}  // namespace vgen::rpmsg
