// Node operations as domain 0 sees them (no permission effects).
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

using Operations = StoreTest;

TEST_F(Operations, FreshStoreHoldsRootAndTool) {
  EXPECT_EQ(store.directory(dom0, 0, "/").children, (std::vector<std::string>{"tool"}));
  EXPECT_EQ(store.directory(dom0, 0, "/tool").children, (std::vector<std::string>{"xenstored"}));
  EXPECT_EQ(store.read(dom0, 0, "/"), "");
  EXPECT_EQ(store.tree().size(), 3u);
}

TEST_F(Operations, WriteThenRead) {
  store.write(dom0, 0, "/a", "hello");
  EXPECT_EQ(store.read(dom0, 0, "/a"), "hello");
}

TEST_F(Operations, WriteReplacesValue) {
  store.write(dom0, 0, "/a", "one");
  store.write(dom0, 0, "/a", "two");
  EXPECT_EQ(store.read(dom0, 0, "/a"), "two");
}

TEST_F(Operations, WriteCreatesMissingParentsWithEmptyValues) {
  store.write(dom0, 0, "/a/b/c", "leaf");
  EXPECT_EQ(store.read(dom0, 0, "/a"), "");
  EXPECT_EQ(store.read(dom0, 0, "/a/b"), "");
  EXPECT_EQ(store.directory(dom0, 0, "/a").children, (std::vector<std::string>{"b"}));
  EXPECT_EQ(store.read(dom0, 0, "/a/b/c"), "leaf");
}

TEST_F(Operations, ValueMayContainNuls) {
  const std::string value("a\0b\0", 4);
  store.write(dom0, 0, "/n", value);
  EXPECT_EQ(store.read(dom0, 0, "/n"), value);
}

TEST_F(Operations, EmptyValueIsAllowed) {
  store.write(dom0, 0, "/e", "");
  EXPECT_EQ(store.read(dom0, 0, "/e"), "");
}

TEST_F(Operations, ValueOf4096BytesIsAccepted) {
  store.write(dom0, 0, "/big", std::string(4096, 'v'));
  EXPECT_EQ(store.read(dom0, 0, "/big").size(), 4096u);
}

TEST_F(Operations, ValueOver4096BytesIsTooBig) {
  const Caught c = catch_error([&] { store.write(dom0, 0, "/big", std::string(4097, 'v')); });
  EXPECT_EQ(c.code, ErrorCode::TooBig);
  EXPECT_NE(c.message.find("4097"), std::string::npos) << c.message;
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/big"), ErrorCode::NotFound);
}

TEST_F(Operations, ReadOfMissingNodeIsNotFound) {
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/missing"), ErrorCode::NotFound);
}

TEST_F(Operations, InvalidPathIsRejectedBeforeAnything) {
  EXPECT_STORE_ERROR(store.write(dom0, 0, "/bad/", "x"), ErrorCode::Invalid);
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/bad path"), ErrorCode::Invalid);
}

TEST_F(Operations, DirectoryListsChildrenInCreationOrder) {
  for (const char* name : {"zeta", "alpha", "0", "mid"}) store.write(dom0, 0, std::string("/d/") + name, "");
  EXPECT_EQ(store.directory(dom0, 0, "/d").children, (std::vector<std::string>{"zeta", "alpha", "0", "mid"}));
}

TEST_F(Operations, RecreatedChildMovesToTheEnd) {
  for (const char* name : {"a", "b", "c"}) store.write(dom0, 0, std::string("/d/") + name, "");
  store.remove(dom0, 0, "/d/a");
  store.write(dom0, 0, "/d/a", "");
  EXPECT_EQ(store.directory(dom0, 0, "/d").children, (std::vector<std::string>{"b", "c", "a"}));
}

TEST_F(Operations, DirectoryOfLeafIsEmpty) {
  store.write(dom0, 0, "/leaf", "x");
  EXPECT_TRUE(store.directory(dom0, 0, "/leaf").children.empty());
}

TEST_F(Operations, DirectoryOfMissingNodeIsNotFound) {
  EXPECT_STORE_ERROR(store.directory(dom0, 0, "/missing"), ErrorCode::NotFound);
}

TEST_F(Operations, GenerationChangesWhenANodeChanges) {
  store.write(dom0, 0, "/g", "");
  const auto before = store.directory(dom0, 0, "/g").generation;
  store.write(dom0, 0, "/g/child", "");
  EXPECT_NE(store.directory(dom0, 0, "/g").generation, before);
}

TEST_F(Operations, MkdirCreatesAnEmptyNodeAndParents) {
  store.mkdir(dom0, 0, "/m/k");
  EXPECT_EQ(store.read(dom0, 0, "/m/k"), "");
  EXPECT_EQ(store.read(dom0, 0, "/m"), "");
}

TEST_F(Operations, MkdirKeepsAnExistingValue) {
  store.write(dom0, 0, "/m", "kept");
  store.mkdir(dom0, 0, "/m");
  EXPECT_EQ(store.read(dom0, 0, "/m"), "kept");
}

TEST_F(Operations, RemoveDeletesTheSubtree) {
  store.write(dom0, 0, "/r/a/b", "1");
  store.write(dom0, 0, "/r/c", "2");
  const std::size_t before = store.tree().size();
  store.remove(dom0, 0, "/r");
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/r"), ErrorCode::NotFound);
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/r/a/b"), ErrorCode::NotFound);
  EXPECT_EQ(store.tree().size(), before - 4);
  EXPECT_EQ(store.directory(dom0, 0, "/").children, (std::vector<std::string>{"tool"}));
}

TEST_F(Operations, RemoveOfMissingLeafWithExistingParentSucceeds) {
  store.write(dom0, 0, "/p", "");
  EXPECT_NO_THROW(store.remove(dom0, 0, "/p/missing"));
}

TEST_F(Operations, RemoveWithMissingParentIsNotFound) {
  EXPECT_STORE_ERROR(store.remove(dom0, 0, "/nope/missing"), ErrorCode::NotFound);
}

TEST_F(Operations, RemoveOfRootIsInvalid) {
  const Caught c = catch_error([&] { store.remove(dom0, 0, "/"); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("root"), std::string::npos) << c.message;
  EXPECT_EQ(store.tree().size(), 3u);
}

TEST_F(Operations, WriteToRootSetsItsValue) {
  store.write(dom0, 0, "/", "rootvalue");
  EXPECT_EQ(store.read(dom0, 0, "/"), "rootvalue");
}

TEST_F(Operations, RelativePathsResolveUnderTheConnectionsHome) {
  store.write(dom0, 0, "rel/x", "r");
  EXPECT_EQ(store.read(dom0, 0, "/local/domain/0/rel/x"), "r");
  EXPECT_EQ(store.read(dom0, 0, "rel/x"), "r");
}

TEST_F(Operations, GetPermissionsOfFreshNodeInheritsParent) {
  store.write(dom0, 0, "/q", "");
  store.set_permissions(dom0, 0, "/q", Permissions{{0, Access::Read}, {4, Access::Write}});
  store.write(dom0, 0, "/q/a/b", "");
  const Permissions expected{{0, Access::Read}, {4, Access::Write}};
  EXPECT_EQ(store.get_permissions(dom0, 0, "/q/a"), expected);
  EXPECT_EQ(store.get_permissions(dom0, 0, "/q/a/b"), expected);
}

TEST_F(Operations, SetPermissionsReplacesTheList) {
  store.write(dom0, 0, "/s", "");
  store.set_permissions(dom0, 0, "/s", Permissions{{5, Access::Both}, {6, Access::Read}});
  EXPECT_EQ(store.get_permissions(dom0, 0, "/s"), (Permissions{{5, Access::Both}, {6, Access::Read}}));
}

TEST_F(Operations, SetPermissionsAllowsRepeatedEntries) {
  store.write(dom0, 0, "/s", "");
  store.set_permissions(dom0, 0, "/s", Permissions{{0, Access::None}, {0, Access::None}});
  EXPECT_EQ(store.get_permissions(dom0, 0, "/s").size(), 2u);
}

TEST_F(Operations, SetPermissionsWithEmptyListIsInvalid) {
  store.write(dom0, 0, "/s", "");
  EXPECT_STORE_ERROR(store.set_permissions(dom0, 0, "/s", Permissions{}), ErrorCode::Invalid);
}

TEST_F(Operations, SetPermissionsOnMissingNodeIsNotFound) {
  EXPECT_STORE_ERROR(store.set_permissions(dom0, 0, "/missing", default_permissions()), ErrorCode::NotFound);
}

TEST_F(Operations, SetPermissionsMovesOwnershipCounts) {
  store.write(dom0, 0, "/o", "");
  store.set_permissions(dom0, 0, "/o", Permissions{{8, Access::None}});
  EXPECT_EQ(store.tree().nodes_owned_by(8), 1u);
  store.remove(dom0, 0, "/o");
  EXPECT_EQ(store.tree().nodes_owned_by(8), 0u);
}

TEST_F(Operations, UnknownConnectionIsNotFound) {
  EXPECT_STORE_ERROR(store.read(999, 0, "/"), ErrorCode::NotFound);
}

}  // namespace
}  // namespace vgen::store
