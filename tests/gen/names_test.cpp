// Name rules, case conversions and suggestions.
#include <gtest/gtest.h>

#include "vgen/gen/names.hpp"

namespace vgen::gen {
namespace {

TEST(Names, IdentifiersAreCNamesThatAreNotKeywords) {
  EXPECT_FALSE(identifier_problem("blk_outhdr"));
  EXPECT_FALSE(identifier_problem("VIRTIO_F_VERSION_1"));
  EXPECT_FALSE(identifier_problem("type"));
  EXPECT_EQ(identifier_problem(""), "it is empty");
  EXPECT_EQ(identifier_problem("2nd"), "it must start with a letter");
  EXPECT_EQ(identifier_problem("_x"), "it must start with a letter");
  EXPECT_EQ(identifier_problem("ring-ref"), "it contains '-'; use letters, digits and '_'");
  EXPECT_EQ(identifier_problem("class"), "it is a reserved word in C or C++");
  EXPECT_EQ(identifier_problem("restrict"), "it is a reserved word in C or C++");
  EXPECT_EQ(identifier_problem("errno"), "it is a reserved word in C or C++");
}

TEST(Names, SpecNamesAreLowercaseWords) {
  EXPECT_FALSE(spec_name_problem("virtio-blk"));
  EXPECT_FALSE(spec_name_problem("xen_blk2"));
  EXPECT_TRUE(spec_name_problem("Virtio"));
  EXPECT_TRUE(spec_name_problem("9p"));
  EXPECT_TRUE(spec_name_problem("a b"));
  EXPECT_TRUE(spec_name_problem("a/b"));
  EXPECT_TRUE(spec_name_problem(""));
}

TEST(Names, CaseConversions) {
  EXPECT_EQ(to_snake_case("virtio-blk"), "virtio_blk");
  EXPECT_EQ(to_snake_case("VIRTIO_BLK_F_RO"), "virtio_blk_f_ro");
  EXPECT_EQ(to_snake_case("blkifRequest"), "blkif_request");
  EXPECT_EQ(to_pascal_case("virtio-blk"), "VirtioBlk");
  EXPECT_EQ(to_pascal_case("blk_outhdr"), "BlkOuthdr");
  EXPECT_EQ(to_pascal_case("ring-ref"), "RingRef");
  EXPECT_EQ(to_pascal_case("queue-0/ring-ref"), "Queue0RingRef");
  EXPECT_EQ(to_upper_case("virtio-blk"), "VIRTIO_BLK");
  EXPECT_EQ(to_upper_case("u8"), "U8");
}

TEST(Names, EditDistanceIgnoresCaseAndCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("queus", "queues"), 1u);
  EXPECT_EQ(edit_distance("bti", "bit"), 1u);
  EXPECT_EQ(edit_distance("Name", "name"), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Names, SuggestionsOnlyForCloseMatches) {
  std::vector<std::string> keys{"name", "size", "direction", "messages", "feature"};
  EXPECT_EQ(closest_match("sise", keys), "size");
  EXPECT_EQ(closest_match("directoin", keys), "direction");
  EXPECT_FALSE(closest_match("colour", keys));
  EXPECT_FALSE(closest_match("x", {}));
  EXPECT_EQ(suggestion("mesages", keys), "; did you mean 'messages'?");
  EXPECT_EQ(suggestion("zzz", keys), "");
}

}  // namespace
}  // namespace vgen::gen
