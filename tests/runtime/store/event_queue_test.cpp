#include <gtest/gtest.h>

#include <vgen/store/event_queue.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

TEST(EventQueue, DefaultBoundIs1024Events) { EXPECT_EQ(EventQueue().limits().max_events, 1024u); }

TEST(EventQueue, DeliversInOrder) {
  EventQueue queue;
  queue.push({"/a", "1"});
  queue.push({"/b", "2"});
  EXPECT_EQ(queue.pop(), (WatchEvent{"/a", "1"}));
  EXPECT_EQ(queue.pop(), (WatchEvent{"/b", "2"}));
  EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(EventQueue, CountsBytesOfPathAndToken) {
  EventQueue queue;
  queue.push({"/abc", "tok"});
  EXPECT_EQ(queue.bytes(), 7u);
  queue.pop();
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(EventQueue, RefusesPastTheEventBoundAndOverflows) {
  EventQueue queue(EventQueueLimits{2, 1000});
  EXPECT_TRUE(queue.push({"/a", "t"}));
  EXPECT_TRUE(queue.push({"/b", "t"}));
  EXPECT_FALSE(queue.overflowed());
  EXPECT_FALSE(queue.push({"/c", "t"}));
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(queue.size(), 2u);
}

TEST(EventQueue, RefusesPastTheByteBound) {
  EventQueue queue(EventQueueLimits{100, 10});
  EXPECT_TRUE(queue.push({"/abcd", "tok"}));  // 8 bytes
  EXPECT_FALSE(queue.push({"/a", "t"}));      // would be 11
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(queue.bytes(), 8u);
}

TEST(EventQueue, OverflowIsStickyEvenAfterDraining) {
  EventQueue queue(EventQueueLimits{1, 1000});
  queue.push({"/a", "t"});
  queue.push({"/b", "t"});
  queue.pop();
  EXPECT_FALSE(queue.push({"/c", "t"}));
  EXPECT_TRUE(queue.overflowed());
  EXPECT_TRUE(queue.empty());
}

Quotas tiny_queue() {
  Quotas q;
  q.event_queue = EventQueueLimits{3, 1000};
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
  EventQueue queue(EventQueueLimits{2, 1000});
  EXPECT_TRUE(queue.push({"/a", "t"}));
  EXPECT_TRUE(queue.push({"/a", "t"}));
  EXPECT_TRUE(queue.push({"/a", "u"}));  // another token: another event
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_FALSE(queue.overflowed());
  EXPECT_EQ(queue.pop(), (WatchEvent{"/a", "t"}));
  EXPECT_TRUE(queue.push({"/a", "t"}));  // no longer waiting: queued again
  EXPECT_EQ(queue.size(), 2u);
}

TEST(EventQueue, SpecialPathEventsAreNeverMerged) {
  EventQueue queue;
  queue.push({"@releaseDomain", "t"});
  queue.push({"@releaseDomain", "t"});
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

}  // namespace
}  // namespace vgen::store
