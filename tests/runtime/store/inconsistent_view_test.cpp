// Transactions whose view mixes moments: a node copied before another connection changed
// its parent's child list, the parent (or the child) copied after. Every operation must
// cope (never touch a node that is not there), answer what the C daemon answers, leave the
// committed tree sound, and the transaction must end in EAGAIN.
#include <gtest/gtest.h>

#include <vgen/store/transaction.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

using Strings = std::vector<std::string>;

class InconsistentView : public StoreTest {
 protected:
  /// Commits `tx`, expects EAGAIN, and checks the committed tree is still sound.
  void expect_commit_fails(TransactionId tx) {
    EXPECT_STORE_ERROR(store.transaction_end(dom0, tx, true), ErrorCode::Again);
    EXPECT_EQ(store.tree().consistency_problems(), Strings{});
  }
  ConnectionId other = store.connect(kPrivilegedDomain);
};

// The first sequence of the report: the parent's copy predates the child.
TEST_F(InconsistentView, RemovingAChildTheParentCopyDoesNotListIsEio) {
  store.write(dom0, 0, "/a", "");
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.directory(dom0, t, "/a").children, Strings{});
  store.write(other, 0, "/a/b", "late");
  EXPECT_STORE_ERROR(store.remove(dom0, t, "/a/b"), ErrorCode::IO);
  // As in the C daemon, the subtree is gone from the view and the parent's copy unchanged.
  EXPECT_STORE_ERROR(store.read(dom0, t, "/a/b"), ErrorCode::NotFound);
  EXPECT_EQ(store.directory(dom0, t, "/a").children, Strings{});
  expect_commit_fails(t);
  EXPECT_EQ(store.read(dom0, 0, "/a/b"), "late");
  EXPECT_EQ(store.directory(dom0, 0, "/a").children, Strings{"b"});
}

// The second sequence: the parent was found absent before it was created with the child.
TEST_F(InconsistentView, RemovingAChildOfAParentSeenAbsentIsEinval) {
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_STORE_ERROR(store.read(dom0, t, "/q"), ErrorCode::NotFound);
  store.write(other, 0, "/q/b", "v");
  EXPECT_STORE_ERROR(store.remove(dom0, t, "/q/b"), ErrorCode::Invalid);
  EXPECT_EQ(store.read(dom0, t, "/q/b"), "v");  // nothing was removed
  expect_commit_fails(t);
  EXPECT_EQ(store.read(dom0, 0, "/q/b"), "v");
}

TEST_F(InconsistentView, RemovingASubtreeWithAVanishedChildIsEioAfterTheChildrenBeforeIt) {
  store.write(dom0, 0, "/r/a/deep", "1");
  store.write(dom0, 0, "/r/c", "2");
  store.write(dom0, 0, "/r/z", "3");
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.directory(dom0, t, "/r").children, (Strings{"a", "c", "z"}));
  store.remove(other, 0, "/r/c");
  EXPECT_STORE_ERROR(store.remove(dom0, t, "/r"), ErrorCode::IO);
  EXPECT_STORE_ERROR(store.read(dom0, t, "/r/a/deep"), ErrorCode::NotFound);  // walked before "c"
  EXPECT_STORE_ERROR(store.read(dom0, t, "/r/a"), ErrorCode::NotFound);
  EXPECT_EQ(store.read(dom0, t, "/r/z"), "3");  // after "c": untouched
  EXPECT_EQ(store.read(dom0, t, "/r"), "");
  expect_commit_fails(t);
  EXPECT_EQ(store.read(dom0, 0, "/r/a/deep"), "1");
}

TEST_F(InconsistentView, CreatingBelowAChildTheParentCopyStillListsListsItTwice) {
  store.write(dom0, 0, "/p/c", "x");
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.directory(dom0, t, "/p").children, Strings{"c"});
  store.remove(other, 0, "/p/c");
  store.write(dom0, t, "/p/c/d", "v");  // the missing "c" is created again below the old copy
  EXPECT_EQ(store.directory(dom0, t, "/p").children, (Strings{"c", "c"}));
  store.remove(dom0, t, "/p/c");
  EXPECT_EQ(store.directory(dom0, t, "/p").children, Strings{"c"});
  expect_commit_fails(t);
  EXPECT_EQ(store.directory(dom0, 0, "/p").children, Strings{});
}

TEST_F(InconsistentView, ASecondRemovalOfADoublyListedChildIsEio) {
  store.write(dom0, 0, "/p/c", "x");
  const TransactionId t = store.transaction_start(dom0);
  store.directory(dom0, t, "/p");
  store.remove(other, 0, "/p/c");
  store.mkdir(dom0, t, "/p/c");
  EXPECT_STORE_ERROR(store.remove(dom0, t, "/p"), ErrorCode::IO);
  expect_commit_fails(t);
}

TEST_F(InconsistentView, NodeOperationsOnACopyWhoseParentVanishedWork) {
  store.write(dom0, 0, "/m/c", "x");
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.read(dom0, t, "/m/c"), "x");
  store.remove(other, 0, "/m");
  store.write(dom0, t, "/m/c", "y");
  store.mkdir(dom0, t, "/m/c/e");
  store.write(dom0, t, "/m/c/f/g", "deep");
  EXPECT_EQ(store.get_permissions(dom0, t, "/m/c"), (Permissions{{0, Access::None}}));
  store.set_permissions(dom0, t, "/m/c", Permissions{{0, Access::Both}});
  EXPECT_EQ(store.directory(dom0, t, "/m/c").children, (Strings{"e", "f"}));
  EXPECT_EQ(store.read(dom0, t, "/m/c"), "y");
  EXPECT_STORE_ERROR(store.directory(dom0, t, "/m"), ErrorCode::NotFound);
  EXPECT_STORE_ERROR(store.transaction_end(dom0, t, true), ErrorCode::Again);
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/m"), ErrorCode::NotFound);
  EXPECT_EQ(store.tree().consistency_problems(), Strings{});
}

TEST_F(InconsistentView, AMissingNodeBelowAVanishedParentIsNotFoundAndRemovable) {
  store.write(dom0, 0, "/v/w", "1");
  const TransactionId t = store.transaction_start(dom0);
  EXPECT_EQ(store.read(dom0, t, "/v/w"), "1");
  store.remove(other, 0, "/v");
  EXPECT_STORE_ERROR(store.read(dom0, t, "/v/w/x"), ErrorCode::NotFound);
  EXPECT_NO_THROW(store.remove(dom0, t, "/v/w/x"));  // its parent is in the view
  EXPECT_STORE_ERROR(store.remove(dom0, t, "/v/nothing/x"), ErrorCode::NotFound);
  expect_commit_fails(t);
}

TEST_F(InconsistentView, QuotaCountOfAGuestStaysWithinBounds) {
  Quotas quotas;
  quotas.nodes_per_domain = 3;
  Store small(quotas);
  const ConnectionId root = small.connect(kPrivilegedDomain);
  small.write(root, 0, "/local/domain/5", "");
  small.set_permissions(root, 0, "/local/domain/5", Permissions{{5, Access::None}});
  const ConnectionId guest = small.connect(5);
  small.write(guest, 0, "own", "1");
  const TransactionId t = small.transaction_start(guest);
  EXPECT_EQ(small.directory(guest, t, "/local/domain/5").children, Strings{"own"});
  small.remove(root, 0, "/local/domain/5/own");  // the guest's count drops outside (to 1)
  small.remove(guest, t, "own");                  // and again inside: the estimate is 0
  small.write(guest, t, "a", "");
  small.write(guest, t, "b", "");
  EXPECT_STORE_ERROR(small.write(guest, t, "c/d", ""), ErrorCode::NoSpace);
  EXPECT_STORE_ERROR(small.transaction_end(guest, t, true), ErrorCode::Again);
  EXPECT_EQ(small.tree().consistency_problems(), Strings{});
  EXPECT_EQ(small.tree().nodes_owned_by(5), 1u);  // the home only
}

TEST(TransactionViewConsistency, AMarkedViewFailsValidationWithTheReason) {
  Tree tree;
  TransactionView view(tree, 0);
  EXPECT_FALSE(view.inconsistent());
  view.mark_inconsistent("first reason");
  view.mark_inconsistent("second reason");
  EXPECT_TRUE(view.inconsistent());
  const Caught c = catch_error([&] { view.validate(); });
  EXPECT_EQ(c.code, ErrorCode::Again);
  EXPECT_NE(c.message.find("first reason"), std::string::npos) << c.message;
}

TEST(TreeConsistency, AFreshTreeIsSoundAndBreakagesAreNamed) {
  Tree tree;
  EXPECT_EQ(tree.consistency_problems(), Strings{});
  tree.put("/orphan/child", Node{"", default_permissions(), {}, 0});
  tree.put("/tool", Node{"", default_permissions(), {"xenstored", "ghost"}, 0});
  const Strings problems = tree.consistency_problems();
  ASSERT_EQ(problems.size(), 2u);
  for (const std::string& p : problems) {
    EXPECT_TRUE(p.find("/orphan/child") != std::string::npos || p.find("ghost") != std::string::npos) << p;
  }
}

}  // namespace
}  // namespace vgen::store
