// Permission rules as unprivileged domains meet them.
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

class AccessRules : public StoreTest {
 protected:
  AccessRules() {
    store.write(dom0, 0, "/data/secret", "s");
    store.write(dom0, 0, "/data/open", "o");
    store.set_permissions(dom0, 0, "/data", Permissions{{0, Access::Read}});
    store.set_permissions(dom0, 0, "/data/secret", Permissions{{0, Access::None}});
    store.set_permissions(dom0, 0, "/data/open", Permissions{{0, Access::None}, {5, Access::Both}});
  }
  ConnectionId five = guest(5);
  ConnectionId six = guest(6);
};

TEST_F(AccessRules, DomainZeroReadsEverything) { EXPECT_EQ(store.read(dom0, 0, "/data/secret"), "s"); }

TEST_F(AccessRules, ReadWithoutReadAccessIsDenied) {
  const Caught c = catch_error([&] { store.read(six, 0, "/data/secret"); });
  EXPECT_EQ(c.code, ErrorCode::Access);
  EXPECT_NE(c.message.find("domain 6"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("/data/secret"), std::string::npos) << c.message;
}

TEST_F(AccessRules, ReadThroughTheDefaultEntry) { EXPECT_EQ(store.read(six, 0, "/data"), ""); }

TEST_F(AccessRules, ReadThroughAnAclEntry) { EXPECT_EQ(store.read(five, 0, "/data/open"), "o"); }

TEST_F(AccessRules, WriteWithReadOnlyAccessIsDenied) {
  EXPECT_STORE_ERROR(store.write(six, 0, "/data", "x"), ErrorCode::Access);
}

TEST_F(AccessRules, WriteThroughAnAclEntry) {
  store.write(five, 0, "/data/open", "changed");
  EXPECT_EQ(store.read(dom0, 0, "/data/open"), "changed");
}

TEST_F(AccessRules, OwnerWritesItsHome) {
  store.write(five, 0, "/local/domain/5/x", "1");
  EXPECT_EQ(store.read(five, 0, "x"), "1");
}

TEST_F(AccessRules, CreatingNeedsWriteAccessToTheNearestExistingAncestor) {
  EXPECT_STORE_ERROR(store.write(six, 0, "/data/new/deeper", "x"), ErrorCode::Access);
  EXPECT_NO_THROW(store.write(five, 0, "/data/open/new/deeper", "x"));
}

TEST_F(AccessRules, NodesCreatedByAGuestAreOwnedByIt) {
  store.write(five, 0, "/data/open/mine/leaf", "x");
  EXPECT_EQ(store.get_permissions(dom0, 0, "/data/open/mine"), (Permissions{{5, Access::None}, {5, Access::Both}}));
  EXPECT_EQ(store.get_permissions(dom0, 0, "/data/open/mine/leaf").front().domain, 5);
  EXPECT_EQ(store.tree().nodes_owned_by(5), 3u);  // home + mine + leaf
}

TEST_F(AccessRules, NodesCreatedByDomainZeroKeepTheInheritedOwner) {
  store.write(dom0, 0, "/local/domain/5/fromdom0", "x");
  EXPECT_EQ(store.get_permissions(dom0, 0, "/local/domain/5/fromdom0").front().domain, 5);
}

TEST_F(AccessRules, MissingNodeUnderAnUnreadableParentIsDeniedNotMissing) {
  EXPECT_STORE_ERROR(store.read(six, 0, "/data/secret/missing"), ErrorCode::Access);
}

TEST_F(AccessRules, MissingNodeUnderAReadableParentIsMissing) {
  EXPECT_STORE_ERROR(store.read(six, 0, "/data/missing"), ErrorCode::NotFound);
}

TEST_F(AccessRules, MissingNodeIsJudgedByTheNearestExistingAncestor) {
  EXPECT_STORE_ERROR(store.read(six, 0, "/data/secret/a/b/c"), ErrorCode::Access);
  EXPECT_STORE_ERROR(store.read(six, 0, "/data/a/b/c"), ErrorCode::NotFound);
}

TEST_F(AccessRules, DirectoryNeedsReadAccess) {
  EXPECT_STORE_ERROR(store.directory(six, 0, "/data/secret"), ErrorCode::Access);
  EXPECT_EQ(store.directory(six, 0, "/data").children.size(), 2u);
}

TEST_F(AccessRules, GetPermissionsNeedsReadAccess) {
  EXPECT_STORE_ERROR(store.get_permissions(six, 0, "/data/secret"), ErrorCode::Access);
}

TEST_F(AccessRules, RemoveNeedsWriteAccess) {
  EXPECT_STORE_ERROR(store.remove(six, 0, "/data/secret"), ErrorCode::Access);
  EXPECT_EQ(store.read(dom0, 0, "/data/secret"), "s");
}

TEST_F(AccessRules, RemoveByAGuestTakesTheWholeSubtree) {
  store.write(dom0, 0, "/data/open/kid/locked", "l");
  store.set_permissions(dom0, 0, "/data/open/kid/locked", Permissions{{0, Access::None}});
  store.remove(five, 0, "/data/open");
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/data/open/kid/locked"), ErrorCode::NotFound);
}

TEST_F(AccessRules, RemoveOfMissingLeafNeedsWriteAccessToItsParent) {
  EXPECT_STORE_ERROR(store.remove(six, 0, "/data/missing"), ErrorCode::Access);
  EXPECT_NO_THROW(store.remove(five, 0, "/data/open/missing"));
}

TEST_F(AccessRules, MkdirOfExistingNodeNeedsWriteAccess) {
  EXPECT_STORE_ERROR(store.mkdir(six, 0, "/data"), ErrorCode::Access);
}

TEST_F(AccessRules, RemoveOfRootByAGuestIsDenied) { EXPECT_STORE_ERROR(store.remove(six, 0, "/"), ErrorCode::Access); }

TEST_F(AccessRules, SetPermissionsNeedsOwnershipNotJustWriteAccess) {
  const Caught c = catch_error([&] { store.set_permissions(five, 0, "/data/open", Permissions{{0, Access::Both}}); });
  EXPECT_EQ(c.code, ErrorCode::Access);
  EXPECT_NE(c.message.find("does not own"), std::string::npos) << c.message;
}

TEST_F(AccessRules, OwnerMayChangeItsAcl) {
  store.set_permissions(five, 0, "/local/domain/5", Permissions{{5, Access::Read}, {6, Access::Write}});
  EXPECT_EQ(store.get_permissions(five, 0, "/local/domain/5"), (Permissions{{5, Access::Read}, {6, Access::Write}}));
  EXPECT_NO_THROW(store.write(six, 0, "/local/domain/5", "from six"));
}

TEST_F(AccessRules, GuestOwnerMayNotGiveTheNodeAway) {
  const Caught c = catch_error([&] { store.set_permissions(five, 0, "/local/domain/5", Permissions{{6, Access::None}}); });
  EXPECT_EQ(c.code, ErrorCode::NotPermitted);
  EXPECT_NE(c.message.find("owner"), std::string::npos) << c.message;
  EXPECT_EQ(store.get_permissions(dom0, 0, "/local/domain/5").front().domain, 5);
}

TEST_F(AccessRules, DomainZeroMayChangeTheOwner) {
  store.set_permissions(dom0, 0, "/local/domain/5", Permissions{{6, Access::None}});
  EXPECT_NO_THROW(store.write(six, 0, "/local/domain/5", "now six's"));
  EXPECT_STORE_ERROR(store.read(five, 0, "/local/domain/5"), ErrorCode::Access);
}

TEST_F(AccessRules, TargetDomainGetsItsGuestsRights) {
  store.introduce(dom0, 5);
  store.introduce(dom0, 9);
  const ConnectionId nine = store.connect(9);
  EXPECT_STORE_ERROR(store.read(nine, 0, "/local/domain/5"), ErrorCode::Access);
  store.set_target(dom0, 9, 5);
  EXPECT_EQ(store.requester(nine).target, DomainId{5});
  EXPECT_NO_THROW(store.write(nine, 0, "/local/domain/5/dm", "x"));
}

TEST_F(AccessRules, RelativePathsOfAGuestResolveUnderItsHome) {
  store.write(five, 0, "device/vif/0/state", "1");
  EXPECT_EQ(store.read(dom0, 0, "/local/domain/5/device/vif/0/state"), "1");
  store.write(six, 0, "device", "six");
  EXPECT_EQ(store.read(dom0, 0, "/local/domain/6/device"), "six");
}

}  // namespace
}  // namespace vgen::store
