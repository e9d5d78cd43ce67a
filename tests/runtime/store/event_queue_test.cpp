#include <gtest/gtest.h>

#include <vgen/store/event_queue.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

constexpr std::size_t kRoom = 1u << 20;

TEST(EventQueue, DefaultBoundIs1024Events) { EXPECT_EQ(EventQueue().max_events(), 1024u); }

TEST(EventQueue, DeliversInOrder) {
  EventQueue queue;
  queue.push({"/a", "1"}, kRoom);
  queue.push({"/b", "2"}, kRoom);
  EXPECT_EQ(queue.pop(), (WatchEvent{"/a", "1"}));
  EXPECT_EQ(queue.pop(), (WatchEvent{"/b", "2"}));
  EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(EventQueue, CountsTheWireSizeAndTheHoldingOverhead) {
  EventQueue queue;
  queue.push({"/abc", "tok"}, kRoom);
  EXPECT_EQ(queue.bytes(), 16u + 4 + 1 + 3 + 1 + kHeldOverhead);
  EXPECT_EQ(held_size(WatchEvent{"/abc", "tok"}), queue.bytes());
  queue.pop();
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(EventQueue, RefusesPastTheEventBoundAndOverflows) {
  EventQueue queue(2);
  EXPECT_TRUE(queue.push({"/a", "t"}, kRoom));
  EXPECT_TRUE(queue.push({"/b", "t"}, kRoom));
  EXPECT_FALSE(queue.overflowed());
  EXPECT_FALSE(queue.push({"/c", "t"}, kRoom));
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(queue.size(), 2u);
}

TEST(EventQueue, RefusesAnEventLargerThanTheRoomGiven) {
  EventQueue queue(100);
  const WatchEvent event{"/abcd", "tok"};
  EXPECT_TRUE(queue.push(event, held_size(event)));
  EXPECT_FALSE(queue.push({"/a", "t"}, held_size(WatchEvent{"/a", "t"}) - 1));
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(queue.bytes(), held_size(event));
}

TEST(EventQueue, OverflowIsStickyEvenAfterDraining) {
  EventQueue queue(1);
  queue.push({"/a", "t"}, kRoom);
  queue.push({"/b", "t"}, kRoom);
  queue.pop();
  EXPECT_FALSE(queue.push({"/c", "t"}, kRoom));
  EXPECT_TRUE(queue.overflowed());
  EXPECT_TRUE(queue.empty());
}

Quotas tiny_queue() {
  Quotas q;
  q.event_queue = EventQueueLimits{3, 1000, 100000};
  return q;
}

class QueueTest : public StoreTest {
 protected:
  QueueTest() : StoreTest(tiny_queue()) {}
  ConnectionId slow = store.connect(kPrivilegedDomain);
  ConnectionId fast = store.connect(kPrivilegedDomain);
};

TEST_F(QueueTest, NotifiedListsConnectionsWithNewEventsOnce) {
  store.watch(slow, "/w", "t");
  store.watch(fast, "/w", "t");
  store.write(dom0, 0, "/w", "1");
  store.write(dom0, 0, "/w", "2");
  EXPECT_EQ(store.take_notified(), (std::vector<ConnectionId>{slow, fast}));
  EXPECT_TRUE(store.take_notified().empty());
}

TEST_F(QueueTest, OverflowIsReportedOnceAndStopsDelivery) {
  store.watch(slow, "/w", "t");
  for (int i = 0; i < 10; ++i) store.write(dom0, 0, "/w/" + std::to_string(i), "x");
  EXPECT_EQ(store.take_overflowed(), (std::vector<ConnectionId>{slow}));
  EXPECT_TRUE(store.take_overflowed().empty());
  EXPECT_EQ(store.events(slow).size(), 3u);
  EXPECT_TRUE(store.events(slow).overflowed());
  EXPECT_EQ(store.consistency_problems(), std::vector<std::string>{});
}

TEST_F(QueueTest, OverflowOfOneConnectionDoesNotAffectOthers) {
  store.watch(slow, "/w", "t");
  store.watch(fast, "/w", "t");
  for (int i = 0; i < 10; ++i) {
    store.write(dom0, 0, "/w/" + std::to_string(i), "x");
    EXPECT_EQ(events(fast).size(), 1u);
  }
  EXPECT_EQ(store.take_overflowed(), (std::vector<ConnectionId>{slow}));
}

TEST(EventQueue, AnEventIdenticalToAWaitingOneIsNotQueuedAgain) {
  EventQueue queue(2);
  EXPECT_TRUE(queue.push({"/a", "t"}, kRoom));
  EXPECT_TRUE(queue.push({"/a", "t"}, 0));  // costs nothing, even without room
  EXPECT_TRUE(queue.push({"/a", "u"}, kRoom));  // another token: another event
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_FALSE(queue.overflowed());
  EXPECT_EQ(queue.pop(), (WatchEvent{"/a", "t"}));
  EXPECT_TRUE(queue.push({"/a", "t"}, kRoom));  // no longer waiting: queued again
  EXPECT_EQ(queue.size(), 2u);
}

TEST(EventQueue, SpecialPathEventsAreNeverMerged) {
  EventQueue queue;
  queue.push({"@releaseDomain", "t"}, kRoom);
  queue.push({"@releaseDomain", "t"}, kRoom);
  EXPECT_EQ(queue.size(), 2u);
}

// The C daemon sends one event when two watches of a connection with the same token both
// match a change; found by the randomised differential test.
TEST_F(QueueTest, TwoWatchesWithOneTokenFireOneEventPerChange) {
  store.watch(fast, "/w", "t");
  store.watch(fast, "/w/x", "t");
  store.write(dom0, 0, "/w/x", "1");
  EXPECT_EQ(events(fast), (std::vector<WatchEvent>{{"/w/x", "t"}}));
}

TEST_F(QueueTest, MemoryStaysBoundedWhateverTheLoad) {
  store.watch(slow, "/", "t");
  for (int i = 0; i < 1000; ++i) store.write(dom0, 0, "/n" + std::to_string(i % 7), "x");
  EXPECT_LE(store.events(slow).size(), 3u);
}

// The byte budgets: a connection's (waiting events + reported output) and its domain's.
class ByteBudgetTest : public StoreTest {
 protected:
  static Quotas budgets() {
    Quotas q;
    q.event_queue = EventQueueLimits{1000, 4 * held_size(WatchEvent{"/w/0", "t"}), 10 * held_size(WatchEvent{"/w/0", "t"})};
    return q;
  }
  ByteBudgetTest() : StoreTest(budgets()) {}
  std::size_t one = held_size(WatchEvent{"/w/0", "t"});
  void write_children(int count) {
    for (int i = 0; i < count; ++i) store.write(dom0, 0, "/w/" + std::to_string(i), "x");
  }
};

TEST_F(ByteBudgetTest, AConnectionHoldsAtMostItsBudgetOfEvents) {
  const ConnectionId slow = store.connect(0);
  store.watch(slow, "/w", "t");
  write_children(5);
  EXPECT_EQ(store.take_overflowed(), std::vector<ConnectionId>{slow});
  EXPECT_EQ(store.held_bytes(slow), 4 * one);
  EXPECT_EQ(store.domain_held_bytes(0), 4 * one);
}

TEST_F(ByteBudgetTest, UnsentOutputCountsAgainstTheBudget) {
  const ConnectionId slow = store.connect(0);
  store.watch(slow, "/w", "t");
  store.set_output_bytes(slow, 3 * one);
  write_children(1);
  EXPECT_TRUE(store.take_overflowed().empty());
  write_children(2);
  EXPECT_EQ(store.take_overflowed(), std::vector<ConnectionId>{slow});
  EXPECT_EQ(store.held_bytes(slow), 4 * one);
}

TEST_F(ByteBudgetTest, ADomainHoldsAtMostItsBudgetOverAllItsConnections) {
  std::vector<ConnectionId> watchers;
  for (int i = 0; i < 4; ++i) {
    watchers.push_back(guest(5));
    store.watch(watchers.back(), "/local/domain/5", "t" + std::to_string(i));
  }
  for (ConnectionId w : watchers) events(w);  // the registration events are not queued; nothing held
  for (int i = 0; i < 3; ++i) store.write(dom0, 0, "/local/domain/5/" + std::to_string(i), "x");
  // 4 watchers x 3 events would need 12 events' bytes; the domain's budget is 10 such.
  EXPECT_FALSE(store.take_overflowed().empty());
  EXPECT_LE(store.domain_held_bytes(5), 10 * held_size(WatchEvent{"/local/domain/5/0", "t0"}));
  EXPECT_EQ(store.consistency_problems(), std::vector<std::string>{});
}

TEST_F(ByteBudgetTest, TakenEventsAndClosedConnectionsGiveTheirBytesBack) {
  const ConnectionId watcher = store.connect(0);
  store.watch(watcher, "/w", "t");
  write_children(2);
  store.set_output_bytes(watcher, 100);
  EXPECT_EQ(store.domain_held_bytes(0), 2 * one + 100);
  ASSERT_TRUE(store.take_event(watcher));
  EXPECT_EQ(store.domain_held_bytes(0), one + 100);
  store.disconnect(watcher);
  EXPECT_EQ(store.domain_held_bytes(0), 0u);
}

TEST_F(ByteBudgetTest, SetDomidMovesTheHeldBytesToTheNewDomain) {
  const ConnectionId id = store.connect(0);
  store.set_output_bytes(id, 500);
  store.set_domain(id, 5);
  EXPECT_EQ(store.domain_held_bytes(0), 0u);
  EXPECT_EQ(store.domain_held_bytes(5), 500u);
  EXPECT_EQ(store.consistency_problems(), std::vector<std::string>{});
}

}  // namespace
}  // namespace vgen::store
