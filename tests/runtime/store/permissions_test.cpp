#include <gtest/gtest.h>

#include <vgen/store/permissions.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

TEST(Permissions, ParsesEachLetter) {
  EXPECT_EQ(parse_permission("n1"), (Permission{1, Access::None}));
  EXPECT_EQ(parse_permission("r2"), (Permission{2, Access::Read}));
  EXPECT_EQ(parse_permission("w3"), (Permission{3, Access::Write}));
  EXPECT_EQ(parse_permission("b4"), (Permission{4, Access::Both}));
}

TEST(Permissions, RejectsEmptyEntry) { EXPECT_STORE_ERROR(parse_permission(""), ErrorCode::Invalid); }
TEST(Permissions, RejectsUnknownLetter) { EXPECT_STORE_ERROR(parse_permission("x0"), ErrorCode::Invalid); }
TEST(Permissions, RejectsUppercaseLetter) { EXPECT_STORE_ERROR(parse_permission("B0"), ErrorCode::Invalid); }
TEST(Permissions, RejectsMissingDomain) { EXPECT_STORE_ERROR(parse_permission("r"), ErrorCode::Invalid); }
TEST(Permissions, RejectsTrailingGarbage) { EXPECT_STORE_ERROR(parse_permission("r0x"), ErrorCode::Invalid); }
TEST(Permissions, RejectsDomainOutOfRange) { EXPECT_STORE_ERROR(parse_permission("r70000"), ErrorCode::Invalid); }

TEST(Permissions, FormatRoundTrips) {
  for (const char* text : {"n0", "r5", "w65535", "b12"}) EXPECT_EQ(format_permission(parse_permission(text)), text);
}

TEST(Permissions, DefaultIsOwnedByDomainZeroWithNoAccess) {
  EXPECT_EQ(default_permissions(), (Permissions{{0, Access::None}}));
}

TEST(Permissions, PrivilegedDomainHasFullAccess) {
  EXPECT_EQ(access_for(Requester{0, {}}, Permissions{{5, Access::None}}), Access::Both);
}

TEST(Permissions, OwnerHasFullAccessWhateverItsLetter) {
  EXPECT_EQ(access_for(Requester{5, {}}, Permissions{{5, Access::None}}), Access::Both);
}

TEST(Permissions, OwnerEntryLetterIsEveryoneElsesDefault) {
  EXPECT_EQ(access_for(Requester{6, {}}, Permissions{{5, Access::Read}}), Access::Read);
  EXPECT_EQ(access_for(Requester{6, {}}, Permissions{{5, Access::None}}), Access::None);
}

TEST(Permissions, ListedDomainGetsItsEntry) {
  const Permissions p{{0, Access::None}, {3, Access::Write}};
  EXPECT_EQ(access_for(Requester{3, {}}, p), Access::Write);
  EXPECT_EQ(access_for(Requester{4, {}}, p), Access::None);
}

TEST(Permissions, ListedNoneOverridesAPermissiveDefault) {
  EXPECT_EQ(access_for(Requester{3, {}}, Permissions{{0, Access::Both}, {3, Access::None}}), Access::None);
}

TEST(Permissions, FirstMatchingEntryWins) {
  EXPECT_EQ(access_for(Requester{3, {}}, Permissions{{0, Access::None}, {3, Access::Read}, {3, Access::Both}}),
            Access::Read);
}

TEST(Permissions, TargetDomainActsWithItsGuestsRights) {
  const Requester device_model{9, DomainId{3}};
  EXPECT_EQ(access_for(device_model, Permissions{{3, Access::None}}), Access::Both);
  EXPECT_EQ(access_for(device_model, Permissions{{0, Access::None}, {3, Access::Read}}), Access::Read);
  EXPECT_TRUE(is_owner(device_model, Permissions{{3, Access::None}}));
}

TEST(Permissions, OwnershipIsEntryZeroOrPrivilege) {
  EXPECT_TRUE(is_owner(Requester{0, {}}, Permissions{{5, Access::None}}));
  EXPECT_TRUE(is_owner(Requester{5, {}}, Permissions{{5, Access::None}}));
  EXPECT_FALSE(is_owner(Requester{6, {}}, Permissions{{5, Access::Both}, {6, Access::Both}}));
}

TEST(Permissions, AllowsChecksEveryWantedBit) {
  EXPECT_TRUE(allows(Access::Both, Access::Write));
  EXPECT_FALSE(allows(Access::Read, Access::Write));
  EXPECT_FALSE(allows(Access::Write, Access::Both));
  EXPECT_TRUE(allows(Access::None, Access::None));
}

}  // namespace
}  // namespace vgen::store
