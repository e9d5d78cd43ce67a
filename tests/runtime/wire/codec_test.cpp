// The wire codec: byte order both ways for signed and unsigned integers, loads and stores at
// unaligned positions, and whole messages encoded, decoded (short input refused or zeroed)
// and seen as another type of the same layout.
#include <vgen/wire/codec.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace vgen::wire {
namespace {

struct Pair {
  std::uint32_t first_ = 0;
  std::uint16_t second_ = 0;
  std::uint16_t third_ = 0;
};
struct SameBytes {
  std::uint16_t halves[4] = {};
};

std::array<std::uint8_t, sizeof(std::uint32_t)> bytes_of_integer(std::uint32_t value) {
  std::array<std::uint8_t, sizeof(value)> bytes;
  std::memcpy(bytes.data(), &value, sizeof(value));
  return bytes;
}

TEST(Codec, ByteOrdersPutTheBytesWhereTheyBelong) {
  EXPECT_EQ(bytes_of_integer(le(std::uint32_t{0x01020304})), (std::array<std::uint8_t, 4>{4, 3, 2, 1}));
  EXPECT_EQ(bytes_of_integer(be(std::uint32_t{0x01020304})), (std::array<std::uint8_t, 4>{1, 2, 3, 4}));
  EXPECT_EQ(le(le(std::uint64_t{0x1122334455667788})), 0x1122334455667788u) << "the same operation both ways";
  EXPECT_EQ(be(be(std::int16_t{-2})), -2) << "signed values keep their two's complement bits";
  EXPECT_EQ(static_cast<std::uint16_t>(be(std::int16_t{-2})), 0xfeff);
}

TEST(Codec, LoadsAndStoresNeedNoAlignment) {
  std::array<std::byte, 11> buffer{};
  store_le(buffer.data() + 1, std::uint32_t{0xa1b2c3d4});
  store_be(buffer.data() + 5, std::uint16_t{0x0102});
  store_le(buffer.data() + 7, std::int32_t{-1});
  EXPECT_EQ(buffer[1], std::byte{0xd4});
  EXPECT_EQ(buffer[4], std::byte{0xa1});
  EXPECT_EQ(buffer[5], std::byte{0x01});
  EXPECT_EQ(load_le<std::uint32_t>(buffer.data() + 1), 0xa1b2c3d4u);
  EXPECT_EQ(load_be<std::uint16_t>(buffer.data() + 5), 0x0102u);
  EXPECT_EQ(load_le<std::int32_t>(buffer.data() + 7), -1);
}

TEST(Codec, MessagesTravelAsTheirBytes) {
  Pair pair;
  pair.first_ = le(std::uint32_t{7});
  pair.third_ = le(std::uint16_t{9});
  const std::span<const std::byte> bytes = bytes_of(pair);
  ASSERT_EQ(bytes.size(), sizeof(Pair));
  EXPECT_EQ(bytes[0], std::byte{7});
  std::array<std::byte, sizeof(Pair)> out{};
  EXPECT_EQ(encode(pair, out), sizeof(Pair));
  EXPECT_EQ(le(decode<Pair>(out).third_), 9u);
}

TEST(Codec, ShortBuffersAreCutAndShortInputIsZeroOrRefused) {
  Pair pair;
  pair.first_ = 0xffffffff;
  pair.second_ = 0xffff;
  std::array<std::byte, 5> small{};
  EXPECT_EQ(encode(pair, small), 5u) << "a buffer shorter than the message takes what fits";
  const Pair decoded = decode<Pair>(small);
  EXPECT_EQ(decoded.first_, 0xffffffffu);
  EXPECT_EQ(decoded.second_, 0x00ffu) << "bytes missing at the end read as zero";
  EXPECT_EQ(decoded.third_, 0u);
  EXPECT_FALSE(try_decode<Pair>(small).has_value());
  std::array<std::byte, sizeof(Pair)> whole{};
  EXPECT_TRUE(try_decode<Pair>(whole).has_value());
}

TEST(Codec, ConvertSeesTheSameBytesAsAnotherType) {
  Pair pair;
  pair.first_ = le(std::uint32_t{0x00020001});
  pair.second_ = le(std::uint16_t{3});
  const SameBytes same = convert<SameBytes>(pair);
  EXPECT_EQ(le(same.halves[0]), 1u);
  EXPECT_EQ(le(same.halves[1]), 2u);
  EXPECT_EQ(le(same.halves[2]), 3u);
  static_assert(Message<Pair> && Message<SameBytes>);
}

}  // namespace
}  // namespace vgen::wire
