// Per-domain quotas: they bind unprivileged domains only, and fail with the errno the C
// XenStore daemon uses (ENOSPC for nodes/transactions/sizes/permissions, E2BIG for watches).
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

Quotas small_quotas() {
  Quotas q;
  q.nodes_per_domain = 4;
  q.watches_per_domain = 2;
  q.transactions_per_domain = 2;
  q.entry_size = 32;
  q.permissions_per_node = 3;
  q.nodes_per_transaction = 5;
  return q;
}

class QuotaTest : public StoreTest {
 protected:
  QuotaTest() : StoreTest(small_quotas()) {}
  ConnectionId five = guest(5);  // owns its home: 1 node of 4
};

TEST_F(QuotaTest, NodeQuotaAllowsExactlyTheLimit) {
  store.write(five, 0, "a", "");
  store.write(five, 0, "b", "");
  store.write(five, 0, "c", "");
  EXPECT_EQ(store.tree().nodes_owned_by(5), 4u);
  const Caught c = catch_error([&] { store.write(five, 0, "d", ""); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace);
  EXPECT_NE(c.message.find("node quota of 4"), std::string::npos) << c.message;
}

TEST_F(QuotaTest, NodeQuotaCountsCreatedParents) {
  EXPECT_STORE_ERROR(store.write(five, 0, "x/y/z/w", ""), ErrorCode::NoSpace);
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/local/domain/5/x"), ErrorCode::NotFound);
  EXPECT_NO_THROW(store.write(five, 0, "x/y/z", ""));
}

TEST_F(QuotaTest, RemovingNodesFreesQuota) {
  store.write(five, 0, "a/b/c", "");
  EXPECT_STORE_ERROR(store.write(five, 0, "d", ""), ErrorCode::NoSpace);
  store.remove(five, 0, "a");
  EXPECT_NO_THROW(store.write(five, 0, "d", ""));
}

TEST_F(QuotaTest, NodeQuotaIsPerDomainAcrossConnections) {
  const ConnectionId other = store.connect(5);
  store.write(five, 0, "a/b", "");
  store.write(other, 0, "c", "");
  EXPECT_STORE_ERROR(store.write(other, 0, "d", ""), ErrorCode::NoSpace);
}

TEST_F(QuotaTest, DomainZeroIsNotBoundByQuotas) {
  for (int i = 0; i < 10; ++i) store.write(dom0, 0, "/many/n" + std::to_string(i), std::string(100, 'x'));
  EXPECT_EQ(store.directory(dom0, 0, "/many").children.size(), 10u);
}

TEST_F(QuotaTest, EntrySizeQuotaLimitsValues) {
  EXPECT_NO_THROW(store.write(five, 0, "v", std::string(32, 'x')));
  const Caught c = catch_error([&] { store.write(five, 0, "v", std::string(33, 'x')); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace);
  EXPECT_NE(c.message.find("entry-size quota of 32"), std::string::npos) << c.message;
  EXPECT_EQ(store.read(five, 0, "v").size(), 32u);
}

TEST_F(QuotaTest, EntrySizeQuotaCountsChildNames) {
  store.write(five, 0, std::string(20, 'a'), "");  // home lists 21 bytes of names
  EXPECT_STORE_ERROR(store.write(five, 0, std::string(11, 'b'), ""), ErrorCode::NoSpace);
  EXPECT_NO_THROW(store.write(five, 0, std::string(10, 'b'), ""));
}

TEST_F(QuotaTest, WatchQuotaIsTooBig) {
  store.watch(five, "a", "1");
  store.watch(five, "b", "2");
  const Caught c = catch_error([&] { store.watch(five, "c", "3"); });
  EXPECT_EQ(c.code, ErrorCode::TooBig);
  EXPECT_NE(c.message.find("watches"), std::string::npos) << c.message;
}

TEST_F(QuotaTest, UnwatchFreesWatchQuota) {
  store.watch(five, "a", "1");
  store.watch(five, "b", "2");
  store.unwatch(five, "a", "1");
  EXPECT_NO_THROW(store.watch(five, "c", "3"));
}

TEST_F(QuotaTest, DisconnectFreesWatchQuota) {
  const ConnectionId other = store.connect(5);
  store.watch(other, "a", "1");
  store.watch(other, "b", "2");
  EXPECT_STORE_ERROR(store.watch(five, "c", "3"), ErrorCode::TooBig);
  store.disconnect(other);
  EXPECT_NO_THROW(store.watch(five, "c", "3"));
}

TEST_F(QuotaTest, ResetWatchesFreesWatchQuota) {
  store.watch(five, "a", "1");
  store.watch(five, "b", "2");
  store.reset_watches(five);
  EXPECT_EQ(store.watch_count(five), 0u);
  EXPECT_NO_THROW(store.watch(five, "c", "3"));
}

TEST_F(QuotaTest, ResetWatchesFreesTransactionQuota) {
  store.transaction_start(five);
  store.transaction_start(five);
  store.reset_watches(five);
  EXPECT_NO_THROW(store.transaction_start(five));
}

TEST_F(QuotaTest, TransactionQuotaIsNoSpace) {
  store.transaction_start(five);
  store.transaction_start(five);
  const Caught c = catch_error([&] { store.transaction_start(five); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace);
  EXPECT_NE(c.message.find("open transactions"), std::string::npos) << c.message;
}

TEST_F(QuotaTest, EndingATransactionFreesTransactionQuota) {
  const TransactionId t = store.transaction_start(five);
  store.transaction_start(five);
  store.transaction_end(five, t, false);
  EXPECT_NO_THROW(store.transaction_start(five));
}

TEST_F(QuotaTest, FailedCommitFreesTransactionQuota) {
  store.write(five, 0, "x", "0");
  const TransactionId t = store.transaction_start(five);
  store.transaction_start(five);
  store.read(five, t, "x");
  store.write(dom0, 0, "/local/domain/5/x", "1");
  EXPECT_STORE_ERROR(store.transaction_end(five, t, true), ErrorCode::Again);
  EXPECT_NO_THROW(store.transaction_start(five));
}

TEST_F(QuotaTest, PermissionEntriesQuota) {
  const Permissions three{{5, Access::None}, {1, Access::Read}, {2, Access::Read}};
  EXPECT_NO_THROW(store.set_permissions(five, 0, "/local/domain/5", three));
  Permissions four = three;
  four.push_back({3, Access::Read});
  const Caught c = catch_error([&] { store.set_permissions(five, 0, "/local/domain/5", four); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace);
  EXPECT_NE(c.message.find("quota of 3"), std::string::npos) << c.message;
}

TEST_F(QuotaTest, TransactionNodesQuota) {
  store.write(dom0, 0, "/pub", "");
  store.set_permissions(dom0, 0, "/pub", Permissions{{0, Access::Read}});
  const TransactionId t = store.transaction_start(five);
  // Each read touches the missing node; the first also touches /pub: five nodes in all.
  for (int i = 0; i < 4; ++i) EXPECT_STORE_ERROR(store.read(five, t, "/pub/n" + std::to_string(i)), ErrorCode::NotFound);
  const Caught c = catch_error([&] { store.read(five, t, "/pub/n4"); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace);
  EXPECT_NE(c.message.find("more than 5 nodes"), std::string::npos) << c.message;
}

TEST_F(QuotaTest, NodeQuotaIsCheckedInsideTransactions) {
  const TransactionId t = store.transaction_start(five);
  store.write(five, t, "a/b/c", "");
  EXPECT_STORE_ERROR(store.write(five, t, "d", ""), ErrorCode::NoSpace);
}

TEST_F(QuotaTest, NodeQuotaIsRecheckedAtCommit) {
  store.write(five, 0, "t", "");
  store.write(five, 0, "o", "");          // home, t, o: 3 of 4
  const TransactionId t = store.transaction_start(five);
  store.write(five, t, "t/a", "");        // fits when written: 4 of 4
  const ConnectionId other = store.connect(5);
  store.write(other, 0, "o/b", "");       // unrelated node, committed: 4 of 4
  const Caught c = catch_error([&] { store.transaction_end(five, t, true); });
  EXPECT_EQ(c.code, ErrorCode::NoSpace) << c.message;
  EXPECT_STORE_ERROR(store.read(dom0, 0, "/local/domain/5/t/a"), ErrorCode::NotFound);
}

}  // namespace
}  // namespace vgen::store
