#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

using Events = std::vector<WatchEvent>;

class WatchTest : public StoreTest {
 protected:
  ConnectionId watcher = store.connect(kPrivilegedDomain);
};

TEST_F(WatchTest, RegistrationReturnsTheFirstEventButQueuesNothing) {
  EXPECT_EQ(store.watch(watcher, "/w", "tok"), (WatchEvent{"/w", "tok"}));
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, WatchOnAMissingNodeIsAllowedAndFiresWhenCreated) {
  store.watch(watcher, "/later", "t");
  store.write(dom0, 0, "/later", "x");
  EXPECT_EQ(events(watcher), (Events{{"/later", "t"}}));
}

TEST_F(WatchTest, FiresForTheNodeItself) {
  store.watch(watcher, "/w", "t");
  store.write(dom0, 0, "/w", "1");
  EXPECT_EQ(events(watcher), (Events{{"/w", "t"}}));
}

TEST_F(WatchTest, FiresForDescendantsWithTheirPath) {
  store.watch(watcher, "/w", "t");
  store.write(dom0, 0, "/w/a/b", "1");
  EXPECT_EQ(events(watcher), (Events{{"/w/a/b", "t"}}));
}

TEST_F(WatchTest, DoesNotFireForASiblingSharingAPrefix) {
  store.watch(watcher, "/w", "t");
  store.write(dom0, 0, "/wother", "1");
  store.write(dom0, 0, "/w2/x", "1");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, DoesNotFireForAnAncestorChange) {
  store.watch(watcher, "/w/deep", "t");
  store.write(dom0, 0, "/w", "parent");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, RootWatchSeesEverything) {
  store.watch(watcher, "/", "root");
  store.write(dom0, 0, "/a", "1");
  store.write(dom0, 0, "/b/c", "1");
  EXPECT_EQ(events(watcher), (Events{{"/a", "root"}, {"/b/c", "root"}}));
}

TEST_F(WatchTest, EveryWriteFiresEvenWithTheSameValue) {
  store.watch(watcher, "/w", "t");
  store.write(dom0, 0, "/w", "same");
  EXPECT_EQ(events(watcher).size(), 1u);
  store.write(dom0, 0, "/w", "same");
  EXPECT_EQ(events(watcher).size(), 1u);
}

TEST_F(WatchTest, AnEventStillWaitingIsNotRepeated) {
  store.watch(watcher, "/w", "t");
  store.write(dom0, 0, "/w", "1");
  store.write(dom0, 0, "/w", "2");  // the watcher has not taken the first event yet
  EXPECT_EQ(events(watcher), (Events{{"/w", "t"}}));
}

TEST_F(WatchTest, EventsFollowWatchRegistrationOrder) {
  store.watch(watcher, "/", "root");
  store.watch(watcher, "/w/x", "exact");
  store.watch(watcher, "/w", "parent");
  store.write(dom0, 0, "/w/x", "1");
  EXPECT_EQ(events(watcher), (Events{{"/w/x", "root"}, {"/w/x", "exact"}, {"/w/x", "parent"}}));
}

TEST_F(WatchTest, DuplicatePathAndTokenIsExists) {
  store.watch(watcher, "/w", "t");
  EXPECT_STORE_ERROR(store.watch(watcher, "/w", "t"), ErrorCode::Exists);
}

TEST_F(WatchTest, SamePathWithAnotherTokenIsASecondWatch) {
  store.watch(watcher, "/w", "t1");
  store.watch(watcher, "/w", "t2");
  store.write(dom0, 0, "/w", "1");
  EXPECT_EQ(events(watcher), (Events{{"/w", "t1"}, {"/w", "t2"}}));
}

TEST_F(WatchTest, EmptyTokenIsAllowed) {
  EXPECT_EQ(store.watch(watcher, "/w", ""), (WatchEvent{"/w", ""}));
}

TEST_F(WatchTest, SameWatchOnTwoConnectionsFiresOnBoth) {
  const ConnectionId second = store.connect(kPrivilegedDomain);
  store.watch(watcher, "/w", "t");
  store.watch(second, "/w", "t");
  store.write(dom0, 0, "/w", "1");
  EXPECT_EQ(events(watcher).size(), 1u);
  EXPECT_EQ(events(second).size(), 1u);
}

TEST_F(WatchTest, InvalidWatchPathIsInvalid) {
  EXPECT_STORE_ERROR(store.watch(watcher, "/w/", "t"), ErrorCode::Invalid);
  EXPECT_STORE_ERROR(store.watch(watcher, "", "t"), ErrorCode::Invalid);
}

TEST_F(WatchTest, UnwatchStopsEvents) {
  store.watch(watcher, "/w", "t");
  store.unwatch(watcher, "/w", "t");
  store.write(dom0, 0, "/w", "1");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, UnwatchOfUnknownWatchIsNotFound) {
  store.watch(watcher, "/w", "t");
  EXPECT_STORE_ERROR(store.unwatch(watcher, "/w", "other"), ErrorCode::NotFound);
  EXPECT_STORE_ERROR(store.unwatch(watcher, "/x", "t"), ErrorCode::NotFound);
}

TEST_F(WatchTest, UnwatchMatchesRelativeAndAbsoluteSpellings) {
  store.watch(watcher, "rel", "t");
  EXPECT_NO_THROW(store.unwatch(watcher, "/local/domain/0/rel", "t"));
}

// Found by the randomised differential test: the C daemon looks an UNWATCH path up without
// validating it, so an invalid one is "no such watch".
TEST_F(WatchTest, UnwatchOfAnInvalidPathIsNotFound) {
  const Caught c = catch_error([&] { store.unwatch(watcher, "x/", "t"); });
  EXPECT_EQ(c.code, ErrorCode::NotFound);
  EXPECT_NE(c.message.find("'x/'"), std::string::npos) << c.message;
  EXPECT_STORE_ERROR(store.unwatch(watcher, "/a//b", "t"), ErrorCode::NotFound);
}

TEST_F(WatchTest, ResetWatchesRemovesAll) {
  store.watch(watcher, "/a", "1");
  store.watch(watcher, "/b", "2");
  store.reset_watches(watcher);
  store.write(dom0, 0, "/a", "x");
  EXPECT_TRUE(events(watcher).empty());
  EXPECT_EQ(store.watch_count(watcher), 0u);
}

TEST_F(WatchTest, RemoveFiresRootForAncestorsAndExactDescendants) {
  store.write(dom0, 0, "/r/a/b/c", "1");
  store.write(dom0, 0, "/r/a/d", "1");
  store.watch(watcher, "/", "root");
  store.watch(watcher, "/r", "r");
  store.watch(watcher, "/r/a", "ra");
  store.watch(watcher, "/r/a/b", "rab");
  store.watch(watcher, "/r/a/b/c", "rabc");
  store.watch(watcher, "/r/a/d", "rad");
  store.remove(dom0, 0, "/r/a");
  // Descendants first (children before parents), then the removed root for watches on it or above.
  EXPECT_EQ(events(watcher), (Events{{"/r/a/b/c", "rabc"}, {"/r/a/b", "rab"}, {"/r/a/d", "rad"},
                                     {"/r/a", "root"}, {"/r/a", "r"}, {"/r/a", "ra"}}));
}

TEST_F(WatchTest, RemoveDoesNotFireWatchesBelowThatNeverExisted) {
  store.write(dom0, 0, "/r/a", "1");
  store.watch(watcher, "/r/a/missing", "m");
  store.watch(watcher, "/r/ax", "sibling");
  store.remove(dom0, 0, "/r/a");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, RemoveOfMissingNodeFiresNothing) {
  store.write(dom0, 0, "/r", "1");
  store.watch(watcher, "/r", "t");
  store.remove(dom0, 0, "/r/missing");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, MkdirOfExistingNodeFiresNothing) {
  store.write(dom0, 0, "/m", "1");
  store.watch(watcher, "/m", "t");
  store.mkdir(dom0, 0, "/m");
  EXPECT_TRUE(events(watcher).empty());
  store.mkdir(dom0, 0, "/m/new");
  EXPECT_EQ(events(watcher), (Events{{"/m/new", "t"}}));
}

TEST_F(WatchTest, SetPermissionsFires) {
  store.write(dom0, 0, "/p", "1");
  store.watch(watcher, "/p", "t");
  store.set_permissions(dom0, 0, "/p", Permissions{{0, Access::Read}});
  EXPECT_EQ(events(watcher), (Events{{"/p", "t"}}));
}

TEST_F(WatchTest, WriteCreatingParentsFiresOnceForTheWrittenPath) {
  store.watch(watcher, "/", "root");
  store.write(dom0, 0, "/a/b/c", "1");
  EXPECT_EQ(events(watcher), (Events{{"/a/b/c", "root"}}));
}

TEST_F(WatchTest, RelativeWatchReportsRelativePaths) {
  EXPECT_EQ(store.watch(watcher, "relw", "rel"), (WatchEvent{"relw", "rel"}));
  store.write(dom0, 0, "/local/domain/0/relw/x", "1");
  EXPECT_EQ(events(watcher), (Events{{"relw/x", "rel"}}));
}

TEST_F(WatchTest, FailedOperationsFireNothing) {
  store.watch(watcher, "/", "root");
  EXPECT_STORE_ERROR(store.write(dom0, 0, "/x", std::string(5000, 'v')), ErrorCode::TooBig);
  EXPECT_STORE_ERROR(store.remove(dom0, 0, "/"), ErrorCode::Invalid);
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, TransactionEventsFireAtCommitOncePerPath) {
  store.write(dom0, 0, "/t/x", "0");
  store.write(dom0, 0, "/t/f", "0");
  store.watch(watcher, "/t", "t");
  const TransactionId tx = store.transaction_start(dom0);
  store.write(dom0, tx, "/t/g/h", "1");
  store.write(dom0, tx, "/t/x", "1");
  store.remove(dom0, tx, "/t/f");
  store.write(dom0, tx, "/t/x", "2");
  EXPECT_TRUE(events(watcher).empty());
  store.transaction_end(dom0, tx, true);
  EXPECT_EQ(events(watcher), (Events{{"/t/g/h", "t"}, {"/t/x", "t"}, {"/t/f", "t"}}));
}

TEST_F(WatchTest, AbortedTransactionFiresNothing) {
  store.watch(watcher, "/", "root");
  const TransactionId tx = store.transaction_start(dom0);
  store.write(dom0, tx, "/a", "1");
  store.transaction_end(dom0, tx, false);
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, ConflictingTransactionFiresNothing) {
  store.write(dom0, 0, "/c", "0");
  store.watch(watcher, "/c", "t");
  const TransactionId tx = store.transaction_start(dom0);
  store.write(dom0, tx, "/c", "tx");
  store.write(dom0, 0, "/c", "direct");
  EXPECT_EQ(events(watcher).size(), 1u);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, tx, true), ErrorCode::Again);
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, IntroduceAndReleaseFireSpecialWatches) {
  store.watch(watcher, "@introduceDomain", "in");
  store.watch(watcher, "@releaseDomain", "out");
  store.introduce(dom0, 3);
  store.introduce(dom0, 3);  // already introduced: no second event
  store.release(dom0, 3);
  EXPECT_EQ(events(watcher), (Events{{"@introduceDomain", "in"}, {"@releaseDomain", "out"}}));
}

// Found by the randomised differential test: the C daemon reports nothing, to anyone, for a
// node a transaction created and removed again.
TEST_F(WatchTest, NodeCreatedAndRemovedInOneTransactionFiresNothing) {
  store.write(dom0, 0, "/t", "");
  store.watch(watcher, "/t", "w");
  events(watcher);
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/new/leaf", "1");
  store.remove(dom0, t, "/t/new");
  store.transaction_end(dom0, t, true);
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, NodeRemovedInATransactionFiresOnceAtCommit) {
  store.write(dom0, 0, "/t/x/y", "");
  store.watch(watcher, "/t", "w");
  store.watch(watcher, "/t/x/y", "exact");
  events(watcher);
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/x", "changed");
  store.remove(dom0, t, "/t/x");
  EXPECT_TRUE(events(watcher).empty());
  store.transaction_end(dom0, t, true);
  EXPECT_EQ(events(watcher), (Events{{"/t/x", "w"}, {"/t/x/y", "exact"}}));
}

TEST_F(WatchTest, SpecialWatchesIgnoreNodeChanges) {
  store.watch(watcher, "@introduceDomain", "in");
  store.write(dom0, 0, "/x", "1");
  EXPECT_TRUE(events(watcher).empty());
}

TEST_F(WatchTest, RootWatchIgnoresSpecialEvents) {
  store.watch(watcher, "/", "root");
  store.introduce(dom0, 3);
  EXPECT_TRUE(events(watcher).empty());
}

class GuestWatchTest : public StoreTest {
 protected:
  GuestWatchTest() {
    store.write(dom0, 0, "/shared/secret", "s");
    store.write(dom0, 0, "/shared/public", "p");
    store.set_permissions(dom0, 0, "/shared", Permissions{{0, Access::None}});
    store.set_permissions(dom0, 0, "/shared/secret", Permissions{{0, Access::None}});
    store.set_permissions(dom0, 0, "/shared/public", Permissions{{0, Access::Read}});
  }
  ConnectionId five = guest(5);
};

TEST_F(GuestWatchTest, GuestSeesEventsForNodesItMayRead) {
  store.watch(five, "/shared", "t");
  store.write(dom0, 0, "/shared/public", "2");
  EXPECT_EQ(events(five), (Events{{"/shared/public", "t"}}));
}

TEST_F(GuestWatchTest, GuestDoesNotSeeEventsForUnreadableNodes) {
  store.watch(five, "/shared", "t");
  store.write(dom0, 0, "/shared/secret", "2");
  EXPECT_TRUE(events(five).empty());
}

TEST_F(GuestWatchTest, GuestSeesEventsForChildrenOfReadableNodes) {
  store.watch(five, "/shared/public", "t");
  store.write(dom0, 0, "/shared/public/kid", "k");
  EXPECT_EQ(events(five), (Events{{"/shared/public/kid", "t"}}));
  store.set_permissions(dom0, 0, "/shared/public/kid", Permissions{{0, Access::None}});
  EXPECT_EQ(events(five), (Events{{"/shared/public/kid", "t"}}));
}

// The C daemon's rule, found by the randomised differential test: a descendant removed with
// its parent is seen through the parent as it was, though the parent is gone by then.
TEST_F(GuestWatchTest, RemovedDescendantIsSeenThroughItsFormerParent) {
  store.write(dom0, 0, "/shared/public/kid", "k");
  store.set_permissions(dom0, 0, "/shared/public/kid", Permissions{{0, Access::None}});
  store.watch(five, "/shared/public/kid", "t");
  events(five);
  store.remove(dom0, 0, "/shared/public");
  EXPECT_EQ(events(five), (Events{{"/shared/public/kid", "t"}}));
}

// At commit the C daemon judges a node a transaction removed by its own permissions only.
TEST_F(GuestWatchTest, NodeRemovedInATransactionIsSeenOnlyThroughItsOwnPermissions) {
  store.write(dom0, 0, "/shared/public/kid", "k");
  store.set_permissions(dom0, 0, "/shared/public/kid", Permissions{{0, Access::None}});
  store.watch(five, "/shared/public/kid", "t");
  events(five);
  const TransactionId t = store.transaction_start(dom0);
  store.remove(dom0, t, "/shared/public/kid");
  store.transaction_end(dom0, t, true);
  EXPECT_TRUE(events(five).empty());
}

TEST_F(GuestWatchTest, NodeWrittenInATransactionIsSeenThroughItsParent) {
  store.write(dom0, 0, "/shared/public/kid", "k");
  store.set_permissions(dom0, 0, "/shared/public/kid", Permissions{{0, Access::None}});
  store.watch(five, "/shared/public/kid", "t");
  events(five);
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/shared/public/kid", "new");
  store.transaction_end(dom0, t, true);
  EXPECT_EQ(events(five), (Events{{"/shared/public/kid", "t"}}));
}

TEST_F(GuestWatchTest, GuestSeesTheChangeThatRevokesItsAccess) {
  store.watch(five, "/shared/public", "t");
  store.set_permissions(dom0, 0, "/shared/public", Permissions{{0, Access::None}});
  EXPECT_EQ(events(five), (Events{{"/shared/public", "t"}}));
  store.write(dom0, 0, "/shared/public", "hidden now");
  EXPECT_TRUE(events(five).empty());
}

TEST_F(GuestWatchTest, GuestSeesRemovalOfAReadableNode) {
  store.watch(five, "/shared/public", "t");
  store.remove(dom0, 0, "/shared/public");
  EXPECT_EQ(events(five), (Events{{"/shared/public", "t"}}));
}

TEST_F(GuestWatchTest, GuestDoesNotSeeSpecialEvents) {
  EXPECT_EQ(store.watch(five, "@releaseDomain", "r"), (WatchEvent{"@releaseDomain", "r"}));
  store.introduce(dom0, 7);
  store.release(dom0, 7);
  EXPECT_TRUE(events(five).empty());
}

TEST_F(GuestWatchTest, GuestRelativeWatchUsesItsHome) {
  store.watch(five, "device", "d");
  store.write(dom0, 0, "/local/domain/5/device/vif", "1");
  store.write(dom0, 0, "/local/domain/0/device/vif", "1");
  EXPECT_EQ(events(five), (Events{{"device/vif", "d"}}));
}

}  // namespace
}  // namespace vgen::store
