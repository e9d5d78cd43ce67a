// Integer spellings and ranges.
#include <gtest/gtest.h>

#include "vgen/gen/spec/integer.hpp"

namespace vgen::gen {
namespace {

TEST(Integer, ParsesEveryBase) {
  EXPECT_EQ(parse_integer("42"), (Integer{false, 42}));
  EXPECT_EQ(parse_integer("+7"), (Integer{false, 7}));
  EXPECT_EQ(parse_integer("-7"), (Integer{true, 7}));
  EXPECT_EQ(parse_integer("0x1F"), (Integer{false, 31}));
  EXPECT_EQ(parse_integer("0o17"), (Integer{false, 15}));
  EXPECT_EQ(parse_integer("0b101"), (Integer{false, 5}));
  EXPECT_EQ(parse_integer("0"), (Integer{false, 0}));
  EXPECT_EQ(parse_integer("-0"), (Integer{false, 0}));
  EXPECT_EQ(parse_integer("18446744073709551615"), (Integer{false, 0xFFFFFFFFFFFFFFFFull}));
}

TEST(Integer, RejectsEverythingElse) {
  for (const char* text : {"", "-", "0x", "12a", "0x1G", "1.5", "1e3", " 1", "0b2", "true", "18446744073709551616",
                           "0x10000000000000000"}) {
    EXPECT_FALSE(parse_integer(text)) << text;
  }
}

TEST(Integer, TooLargeIsAnIntegerSpellingBeyond64Bits) {
  EXPECT_TRUE(integer_too_large("18446744073709551616"));
  EXPECT_TRUE(integer_too_large("-0x10000000000000000"));
  EXPECT_TRUE(integer_too_large("0b" + std::string(65, '1')));
  EXPECT_FALSE(integer_too_large("18446744073709551615"));
  EXPECT_FALSE(integer_too_large("12a"));
  EXPECT_FALSE(integer_too_large(""));
  EXPECT_FALSE(integer_too_large("0x"));
}

TEST(Integer, FitsChecksTheRangeOfEachType) {
  EXPECT_TRUE((Integer{false, 255}).fits(ScalarKind::u8));
  EXPECT_FALSE((Integer{false, 256}).fits(ScalarKind::u8));
  EXPECT_FALSE((Integer{true, 1}).fits(ScalarKind::u64));
  EXPECT_TRUE((Integer{false, 0xFFFFFFFFFFFFFFFFull}).fits(ScalarKind::u64));
  EXPECT_TRUE((Integer{true, 128}).fits(ScalarKind::i8));
  EXPECT_FALSE((Integer{true, 129}).fits(ScalarKind::i8));
  EXPECT_TRUE((Integer{false, 127}).fits(ScalarKind::i8));
  EXPECT_FALSE((Integer{false, 128}).fits(ScalarKind::i8));
  EXPECT_TRUE((Integer{true, 0x8000000000000000ull}).fits(ScalarKind::i64));
  EXPECT_FALSE((Integer{false, 0x8000000000000000ull}).fits(ScalarKind::i64));
}

TEST(Integer, TextAndBits) {
  EXPECT_EQ((Integer{true, 5}).to_string(), "-5");
  EXPECT_EQ((Integer{false, 5}).to_string(), "5");
  EXPECT_EQ((Integer{true, 1}).bits(), 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(to_hex(0x1af4, 4), "0x1af4");
  EXPECT_EQ(to_hex(2, 4), "0x0002");
  EXPECT_EQ(to_hex(0), "0x0");
}

TEST(Scalar, NamesSizesAndSignedness) {
  EXPECT_EQ(parse_scalar("u16"), ScalarKind::u16);
  EXPECT_FALSE(parse_scalar("u128"));
  EXPECT_EQ(scalar_size(ScalarKind::i64), 8u);
  EXPECT_EQ(scalar_bits(ScalarKind::u16), 16u);
  EXPECT_TRUE(scalar_is_signed(ScalarKind::i8));
  EXPECT_FALSE(scalar_is_signed(ScalarKind::u8));
  EXPECT_EQ(scalar_c_type(ScalarKind::i32), "int32_t");
  EXPECT_EQ(parse_byte_order("be"), ByteOrder::big);
  EXPECT_FALSE(parse_byte_order("big"));
  EXPECT_EQ(byte_order_name(ByteOrder::little), "le");
}

}  // namespace
}  // namespace vgen::gen
