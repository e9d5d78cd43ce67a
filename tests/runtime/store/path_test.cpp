#include <gtest/gtest.h>

#include <vgen/store/path.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

TEST(Path, AbsolutePathIsKept) {
  const ResolvedPath p = resolve_path("/a/b-c_d@e/F9", 0);
  EXPECT_EQ(p.absolute, "/a/b-c_d@e/F9");
  EXPECT_FALSE(p.relative);
}

TEST(Path, RootIsValid) { EXPECT_EQ(resolve_path("/", 3).absolute, "/"); }

TEST(Path, RelativePathResolvesUnderCallersHome) {
  const ResolvedPath p = resolve_path("device/vif", 7);
  EXPECT_EQ(p.absolute, "/local/domain/7/device/vif");
  EXPECT_TRUE(p.relative);
  EXPECT_EQ(resolve_path("x", 0).absolute, "/local/domain/0/x");
}

TEST(Path, RelativeAtSignPathIsAnOrdinaryRelativePath) {
  EXPECT_EQ(resolve_path("@x", 0).absolute, "/local/domain/0/@x");
}

TEST(Path, EmptyPathIsInvalid) { EXPECT_STORE_ERROR(resolve_path("", 0), ErrorCode::Invalid); }

TEST(Path, TrailingSlashIsInvalid) {
  const Caught c = catch_error([] { resolve_path("/a/", 0); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("trailing"), std::string::npos) << c.message;
}

TEST(Path, DoubleSlashIsInvalid) {
  const Caught c = catch_error([] { resolve_path("/a//b", 0); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("//"), std::string::npos) << c.message;
}

TEST(Path, SpaceIsInvalidAndMessageNamesOffset) {
  const Caught c = catch_error([] { resolve_path("/a b", 0); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("offset 2"), std::string::npos) << c.message;
}

TEST(Path, DotIsInvalid) { EXPECT_STORE_ERROR(resolve_path("/a.b", 0), ErrorCode::Invalid); }

TEST(Path, EmbeddedNulIsInvalid) {
  EXPECT_STORE_ERROR(resolve_path(std::string_view("/a\0b", 4), 0), ErrorCode::Invalid);
}

TEST(Path, HighByteIsInvalid) { EXPECT_STORE_ERROR(resolve_path("/caf\xc3\xa9", 0), ErrorCode::Invalid); }

TEST(Path, LengthLimitOutsideDomainHomeIs2048) {
  EXPECT_NO_THROW(resolve_path("/" + std::string(2047, 'a'), 0));
  EXPECT_STORE_ERROR(resolve_path("/" + std::string(2048, 'a'), 0), ErrorCode::Invalid);
}

TEST(Path, LengthBelowDomainHomeIsCountedAfterThePrefix) {
  EXPECT_NO_THROW(resolve_path("/local/domain/7/" + std::string(2048, 'a'), 0));
  EXPECT_STORE_ERROR(resolve_path("/local/domain/7/" + std::string(2049, 'a'), 0), ErrorCode::Invalid);
}

TEST(Path, RelativePathLengthIsCheckedAfterResolution) {
  EXPECT_NO_THROW(resolve_path(std::string(2048, 'a'), 12345));
  EXPECT_STORE_ERROR(resolve_path(std::string(2049, 'a'), 12345), ErrorCode::Invalid);
}

TEST(Path, NoValidPathExceedsTheAbsoluteLimit) {
  const std::string longest = resolve_path(std::string(2048, 'a'), 65535).absolute;
  EXPECT_LE(longest.size(), kMaxAbsolutePath);
}

TEST(Path, WatchPathAcceptsSpecialPaths) {
  EXPECT_EQ(resolve_watch_path("@introduceDomain", 5).absolute, "@introduceDomain");
  EXPECT_EQ(resolve_watch_path("@anything", 5).absolute, "@anything");
  EXPECT_FALSE(resolve_watch_path("@releaseDomain", 5).relative);
}

TEST(Path, WatchPathValidatesSpecialCharacters) {
  EXPECT_STORE_ERROR(resolve_watch_path("@bad name", 0), ErrorCode::Invalid);
}

TEST(Path, WatchPathResolvesOrdinaryPathsLikeNodes) {
  EXPECT_EQ(resolve_watch_path("x", 2).absolute, "/local/domain/2/x");
  EXPECT_STORE_ERROR(resolve_watch_path("/x/", 2), ErrorCode::Invalid);
}

TEST(Path, ParentBaseAndChild) {
  EXPECT_EQ(parent_path("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_path("/a"), "/");
  EXPECT_EQ(base_name("/a/b/c"), "c");
  EXPECT_EQ(child_path("/", "a"), "/a");
  EXPECT_EQ(child_path("/a", "b"), "/a/b");
}

TEST(Path, AtOrBelowDoesNotMatchSiblingsSharingAPrefix) {
  EXPECT_TRUE(is_at_or_below("/a", "/a"));
  EXPECT_TRUE(is_at_or_below("/a/b", "/a"));
  EXPECT_TRUE(is_at_or_below("/a/b", "/"));
  EXPECT_FALSE(is_at_or_below("/ab", "/a"));
  EXPECT_FALSE(is_at_or_below("/a", "/a/b"));
  EXPECT_FALSE(is_at_or_below("@x", "/"));
}

TEST(Domain, ParsesDecimalIds) {
  EXPECT_EQ(parse_domain_id("0", "t"), 0);
  EXPECT_EQ(parse_domain_id("65535", "t"), 65535);
}

TEST(Domain, RejectsEmpty) { EXPECT_STORE_ERROR(parse_domain_id("", "t"), ErrorCode::Invalid); }
TEST(Domain, RejectsSign) { EXPECT_STORE_ERROR(parse_domain_id("-1", "t"), ErrorCode::Invalid); }
TEST(Domain, RejectsSpace) { EXPECT_STORE_ERROR(parse_domain_id(" 1", "t"), ErrorCode::Invalid); }
TEST(Domain, RejectsTooLarge) { EXPECT_STORE_ERROR(parse_domain_id("65536", "t"), ErrorCode::Invalid); }
TEST(Domain, RejectsTooLong) { EXPECT_STORE_ERROR(parse_domain_id("000001", "t"), ErrorCode::Invalid); }

TEST(Domain, MessageNamesWhatWasParsed) {
  const Caught c = catch_error([] { parse_domain_id("x", "GET_DOMAIN_PATH domid"); });
  EXPECT_NE(c.message.find("GET_DOMAIN_PATH domid"), std::string::npos) << c.message;
}

TEST(Domain, DomainPath) { EXPECT_EQ(domain_path(12), "/local/domain/12"); }

}  // namespace
}  // namespace vgen::store
