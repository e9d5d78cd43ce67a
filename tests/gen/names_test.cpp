// Name rules, case conversions and suggestions.
#include <gtest/gtest.h>

#include "vgen/gen/names/names.hpp"

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
  EXPECT_EQ(identifier_problem("errno"), "the C library defines it as a macro (<cerrno>)");
  EXPECT_EQ(identifier_problem("caf\xc3\xa9"), "it contains '\xc3\xa9'; use letters, digits and '_'");
}

TEST(Names, CppIdentifiersAvoidKeywordsMacrosAndReservedNames) {
  EXPECT_FALSE(cpp_identifier_problem("kQueueRx"));
  EXPECT_FALSE(cpp_identifier_problem("_pad8_"));
  EXPECT_FALSE(cpp_identifier_problem("len_"));
  EXPECT_EQ(cpp_identifier_problem("int"), "it is a reserved word in C or C++");
  EXPECT_EQ(cpp_identifier_problem("EOF"), "the C library defines it as a macro (<cstdio>)");
  EXPECT_EQ(cpp_identifier_problem("EINVAL"), "the C library defines it as a macro (<cerrno>)");
  EXPECT_EQ(cpp_identifier_problem("SIGINT"), "the C library defines it as a macro (<csignal>)");
  EXPECT_EQ(cpp_identifier_problem("stdin"), "the C library defines it as a macro (<cstdio>)");
  EXPECT_EQ(cpp_identifier_problem("NULL"), "the C library defines it as a macro (<cstddef>)");
  EXPECT_EQ(cpp_identifier_problem("assert"), "the C library defines it as a macro (<cassert>)");
  EXPECT_EQ(cpp_identifier_problem("major"), "the C library defines it as a macro (<sys/sysmacros.h>)");
  EXPECT_EQ(cpp_identifier_problem("st_atime"), "the C library defines it as a macro (<sys/stat.h>)");
  EXPECT_EQ(cpp_identifier_problem("class__"), "it contains '__', which C++ reserves");
  EXPECT_EQ(cpp_identifier_problem("a__b"), "it contains '__', which C++ reserves");
  EXPECT_EQ(cpp_identifier_problem("_Tag"), "it starts with '_' and a capital letter, which C++ reserves");
  EXPECT_EQ(cpp_identifier_problem("0_x"), "it must start with a letter");
  EXPECT_EQ(cpp_identifier_problem("a-b"), "it contains '-'; use letters, digits and '_'");
  // Functions of <cmath> that C's <math.h> defines as macros are not macros in C++.
  EXPECT_FALSE(cpp_identifier_problem("isnan"));
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
