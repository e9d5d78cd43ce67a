// Generated accessors write each field in its declared byte order at its declared offset:
// the bytes of a message are checked one by one against the layout of Inputs/wire-order.yaml.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "wire_order_messages.hpp"

namespace {

using wire_order::Sample;

std::array<unsigned char, sizeof(Sample)> bytes_of(const Sample& sample) {
  std::array<unsigned char, sizeof(Sample)> bytes;
  std::memcpy(bytes.data(), &sample, sizeof(Sample));
  return bytes;
}

TEST(WireOrder, LayoutFollowsTheSpec) {
  static_assert(sizeof(Sample) == 40);
  static_assert(offsetof(Sample, word_) == 2);
  static_assert(offsetof(Sample, stamp_) == 8);
  static_assert(offsetof(Sample, shade_) == 20);
  static_assert(offsetof(Sample, origin_) == 22);
  static_assert(offsetof(Sample, levels_) == 26);
  static_assert(offsetof(Sample, corners_) == 32);
}

TEST(WireOrder, BigAndLittleEndianFieldsAreWrittenAsDeclared) {
  Sample sample;
  sample.set_tag(0xaa);
  sample.set_word(0x0102);                    // be
  sample.set_count(0x03040506);               // le
  sample.set_stamp(0x0708090a0b0c0d0e);       // be
  sample.set_delta(-2);                       // be, two's complement
  sample.set_shade(wire_order::Colour::RED);  // le enum
  const auto bytes = bytes_of(sample);
  EXPECT_EQ(bytes[0], 0xaa);
  EXPECT_EQ(bytes[2], 0x01);
  EXPECT_EQ(bytes[3], 0x02);
  EXPECT_EQ(bytes[4], 0x06);
  EXPECT_EQ(bytes[7], 0x03);
  EXPECT_EQ(bytes[8], 0x07);
  EXPECT_EQ(bytes[15], 0x0e);
  EXPECT_EQ(bytes[16], 0xff);
  EXPECT_EQ(bytes[18], 0xff);
  EXPECT_EQ(bytes[19], 0xfe);
  EXPECT_EQ(bytes[20], 0x02);  // RED = 0x0102, little-endian
  EXPECT_EQ(bytes[21], 0x01);
  // Reading back gives host values.
  EXPECT_EQ(sample.word(), 0x0102);
  EXPECT_EQ(sample.count(), 0x03040506u);
  EXPECT_EQ(sample.stamp(), 0x0708090a0b0c0d0eu);
  EXPECT_EQ(sample.delta(), -2);
  EXPECT_EQ(sample.shade(), wire_order::Colour::RED);
}

TEST(WireOrder, NestedStructsAndArraysKeepTheirOwnOrder) {
  Sample sample;
  sample.origin().set_x(-3);      // be in point
  sample.origin().set_y(0x1234);  // le in point
  sample.set_levels(2, 0xbeef);   // be array
  sample.corners(1).set_y(0x5678);
  const auto bytes = bytes_of(sample);
  EXPECT_EQ(bytes[22], 0xff);
  EXPECT_EQ(bytes[23], 0xfd);
  EXPECT_EQ(bytes[24], 0x34);
  EXPECT_EQ(bytes[25], 0x12);
  EXPECT_EQ(bytes[30], 0xbe);
  EXPECT_EQ(bytes[31], 0xef);
  EXPECT_EQ(bytes[38], 0x78);
  EXPECT_EQ(bytes[39], 0x56);
  EXPECT_EQ(sample.origin().x(), -3);
  EXPECT_EQ(sample.levels(2), 0xbeef);
}

TEST(WireOrder, ArrayIndexesAreChecked) {
  Sample sample;
  EXPECT_THROW(sample.set_levels(3, 1), std::out_of_range);
  EXPECT_THROW(sample.corners(2), std::out_of_range);
}

TEST(WireOrder, DescribeNamesEveryField) {
  Sample sample;
  sample.set_count(7);
  EXPECT_EQ(wire_order::describe(sample),
            "tag=0 word=0 count=7 stamp=0 delta=0 shade=0 origin={x=0 y=0} levels[3] corners[2]");
}

}  // namespace
