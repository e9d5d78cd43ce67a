#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

class TransactionTest : public StoreTest {
 protected:
  TransactionTest() {
    store.write(dom0, 0, "/t/x", "1");
    store.write(dom0, 0, "/t/y", "1");
  }
  ConnectionId other = store.connect(kPrivilegedDomain);
};

TEST_F(TransactionTest, WritesAreInvisibleUntilCommit) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/x", "2");
  EXPECT_EQ(store.read(dom0, t, "/t/x"), "2");
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "1");
  EXPECT_EQ(store.read(other, 0, "/t/x"), "1");
  store.transaction_end(dom0, t, true);
  EXPECT_EQ(store.read(other, 0, "/t/x"), "2");
}

TEST_F(TransactionTest, AbortDiscardsEverything) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/x", "2");
  store.write(dom0, t, "/t/new/deep", "n");
  store.remove(dom0, t, "/t/y");
  store.transaction_end(dom0, t, false);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "1");
  EXPECT_EQ(store.directory(dom0, 0, "/t").children, (std::vector<std::string>{"x", "y"}));
}

TEST_F(TransactionTest, TransactionSeesItsOwnStructuralChanges) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/new/deep", "n");
  store.remove(dom0, t, "/t/y");
  EXPECT_EQ(store.directory(dom0, t, "/t").children, (std::vector<std::string>{"x", "new"}));
  EXPECT_EQ(store.directory(dom0, 0, "/t").children, (std::vector<std::string>{"x", "y"}));
  store.transaction_end(dom0, t, true);
  EXPECT_EQ(store.directory(dom0, 0, "/t").children, (std::vector<std::string>{"x", "new"}));
  EXPECT_EQ(store.read(dom0, 0, "/t/new/deep"), "n");
}

TEST_F(TransactionTest, SeveralTransactionsPerConnection) {
  const TransactionId a = store.transaction_start(dom0);
  const TransactionId b = store.transaction_start(dom0);
  EXPECT_NE(a, b);
  EXPECT_NE(a, 0u);
  EXPECT_EQ(store.transaction_count(dom0), 2u);
  store.write(dom0, a, "/t/a", "A");
  store.write(dom0, b, "/t/b", "B");
  EXPECT_STORE_ERROR(store.read(dom0, b, "/t/a"), ErrorCode::NotFound);
  store.transaction_end(dom0, a, true);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, b, true), ErrorCode::Again);  // both changed /t's child list
}

TEST_F(TransactionTest, IdsBelongToTheirConnection) {
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_STORE_ERROR(store.read(other, t, "/t/x"), ErrorCode::NotFound);
}

TEST_F(TransactionTest, UnknownIdIsNotFound) {
  EXPECT_STORE_ERROR(store.read(dom0, 4242, "/t/x"), ErrorCode::NotFound);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, 4242, true), ErrorCode::NotFound);
}

TEST_F(TransactionTest, EndWithoutIdIsNotFound) {
  EXPECT_STORE_ERROR(store.transaction_end(dom0, 0, true), ErrorCode::NotFound);
}

TEST_F(TransactionTest, TransactionIsClosedAfterCommit) {
  const TransactionId t = store.transaction_start(dom0);
  store.transaction_end(dom0, t, true);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::NotFound);
  EXPECT_EQ(store.transaction_count(dom0), 0u);
}

TEST_F(TransactionTest, ReadNodeChangedByOthersConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  store.read(dom0, t, "/t/x");
  store.write(other, 0, "/t/x", "other");
  const Caught c = catch_error([&] { store.transaction_end(dom0, t, true); });
  EXPECT_EQ(c.code, ErrorCode::Again);
  EXPECT_NE(c.message.find("/t/x"), std::string::npos) << c.message;
}

TEST_F(TransactionTest, WrittenNodeChangedByOthersConflictsAndNothingIsApplied) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/x", "mine");
  store.write(dom0, t, "/t/y", "mine too");
  store.write(other, 0, "/t/x", "theirs");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "theirs");
  EXPECT_EQ(store.read(dom0, 0, "/t/y"), "1");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::NotFound);
}

TEST_F(TransactionTest, RewritingTheSameValueStillConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  store.read(dom0, t, "/t/x");
  store.write(other, 0, "/t/x", "1");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, AbsentNodeCreatedByOthersConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_STORE_ERROR(store.read(dom0, t, "/t/nope"), ErrorCode::NotFound);
  store.write(other, 0, "/t/nope", "n");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, ListedDirectoryGainingAChildConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  store.directory(dom0, t, "/t");
  store.write(other, 0, "/t/z", "z");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, PermissionChangeConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  store.get_permissions(dom0, t, "/t/x");
  store.set_permissions(other, 0, "/t/x", Permissions{{0, Access::Both}});
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, RemovedSubtreeWrittenBelowConflicts) {
  const TransactionId t = store.transaction_start(dom0);
  store.remove(dom0, t, "/t");
  store.write(other, 0, "/t/x", "late");
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "late");
}

TEST_F(TransactionTest, UnrelatedConcurrentWriteDoesNotConflict) {
  const TransactionId t = store.transaction_start(dom0);
  store.read(dom0, t, "/t/x");
  store.write(dom0, t, "/t/x", "mine");
  store.write(other, 0, "/t/y", "theirs");
  store.write(other, 0, "/elsewhere", "e");
  EXPECT_NO_THROW(store.transaction_end(dom0, t, true));
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "mine");
  EXPECT_EQ(store.read(dom0, 0, "/t/y"), "theirs");
}

TEST_F(TransactionTest, ChangeBeforeFirstAccessDoesNotConflict) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(other, 0, "/t/x", "early");
  EXPECT_EQ(store.read(dom0, t, "/t/x"), "early");
  store.write(dom0, t, "/t/y", "2");
  EXPECT_NO_THROW(store.transaction_end(dom0, t, true));
}

TEST_F(TransactionTest, ReadsAreRepeatableAfterOthersCommit) {
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.read(dom0, t, "/t/x"), "1");
  store.write(other, 0, "/t/x", "2");
  EXPECT_EQ(store.read(dom0, t, "/t/x"), "1");
}

TEST_F(TransactionTest, ReadOnlyTransactionCommitsWhenNothingChanged) {
  const TransactionId t = store.transaction_start(dom0);
  store.read(dom0, t, "/t/x");
  store.directory(dom0, t, "/t");
  EXPECT_NO_THROW(store.transaction_end(dom0, t, true));
}

TEST_F(TransactionTest, TwoTransactionsOnTheSameNodeOneWins) {
  const ConnectionId second = store.connect(kPrivilegedDomain);
  const TransactionId a = store.transaction_start(dom0);
  const TransactionId b = store.transaction_start(second);
  store.write(dom0, a, "/t/x", store.read(dom0, a, "/t/x") + "a");
  store.write(second, b, "/t/x", store.read(second, b, "/t/x") + "b");
  store.transaction_end(dom0, a, true);
  EXPECT_STORE_ERROR(store.transaction_end(second, b, true), ErrorCode::Again);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "1a");
}

TEST_F(TransactionTest, DisconnectDiscardsOpenTransactions) {
  const ConnectionId gone = store.connect(kPrivilegedDomain);
  const TransactionId t = store.transaction_start(gone);
  store.write(gone, t, "/t/x", "never");
  store.disconnect(gone);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "1");
}

// xenstore.txt: RESET_WATCHES resets "all watches and transactions of the caller", as the C
// daemon does; found by the randomised differential test.
TEST_F(TransactionTest, ResetWatchesDiscardsTheConnectionsTransactions) {
  const TransactionId t = store.transaction_start(dom0);
  store.write(dom0, t, "/t/x", "never");
  const TransactionId kept = store.transaction_start(other);
  store.reset_watches(dom0);
  EXPECT_EQ(store.transaction_count(dom0), 0u);
  EXPECT_STORE_ERROR(store.read(dom0, t, "/t/x"), ErrorCode::NotFound);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::NotFound);
  EXPECT_EQ(store.read(dom0, 0, "/t/x"), "1");
  EXPECT_NO_THROW(store.transaction_end(other, kept, true));
}

// Found by the randomised differential test: a denied access consults the nearest existing
// ancestor, as the C daemon does, so a later change to that ancestor fails the commit.
TEST_F(TransactionTest, DeniedAccessPutsTheParentInTheConflictSet) {
  const ConnectionId five = guest(5);
  const TransactionId t = store.transaction_start(five);
  EXPECT_STORE_ERROR(store.write(five, t, "/t/x", "mine"), ErrorCode::Access);
  store.write(five, t, "/local/domain/5/ok", "1");
  store.write(dom0, 0, "/t/other", "o");  // changes /t's child list
  EXPECT_STORE_ERROR(store.transaction_end(five, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, CreatingWhereDeniedConsultsOnlyTheNearestAncestor) {
  const ConnectionId five = guest(5);
  const TransactionId t = store.transaction_start(five);
  EXPECT_STORE_ERROR(store.write(five, t, "/t/x/new", "mine"), ErrorCode::Access);
  store.write(dom0, 0, "/t/other", "o");  // /t is above the nearest ancestor /t/x
  EXPECT_NO_THROW(store.transaction_end(five, t, true));
}

TEST_F(TransactionTest, SetPermsByANonOwnerPutsTheParentInTheConflictSet) {
  const ConnectionId five = guest(5);
  store.set_permissions(dom0, 0, "/t/x", Permissions{{0, Access::None}, {5, Access::Both}});
  const TransactionId t = store.transaction_start(five);
  EXPECT_STORE_ERROR(store.set_permissions(five, t, "/t/x", Permissions{{5, Access::None}}), ErrorCode::Access);
  store.write(dom0, 0, "/t/other", "o");
  EXPECT_STORE_ERROR(store.transaction_end(five, t, true), ErrorCode::Again);
}

TEST_F(TransactionTest, IdsCountUpAndDifferFromOpenOnes) {
  std::vector<TransactionId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(store.transaction_start(dom0));
  store.transaction_end(dom0, ids[1], false);
  const TransactionId next = store.transaction_start(dom0);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 1) {
      EXPECT_NE(next, ids[i]);
    }
  }
  EXPECT_EQ(next, ids.back() + 1);
}

}  // namespace
}  // namespace vgen::store
