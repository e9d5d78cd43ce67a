// The split halves over an in-process store, grant table and event channels, on one thread:
// the handshake publishes and reads the typed store nodes, requests cross the ring and come
// back, closing flushes, and the ring grant is revoked once the backend let go.
#include <gtest/gtest.h>

#include <vgen/testing/split_harness.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/nodes.hpp>

#include "ping_split.hpp"

namespace {

using SplitPair = vgen::testing::SplitHarness<ping_split::Frontend, ping_split::Backend>;

bool connected(SplitPair& pair) { return pair.frontend().connected() && pair.frontend().connections == 1; }

TEST(SplitHalves, TheHandshakeCarriesTheTypedNodes) {
  SplitPair pair;
  ASSERT_TRUE(pair.pump_until([&] { return connected(pair); }));
  EXPECT_EQ(pair.backend().frontend_nodes.mode, "fast");
  EXPECT_EQ(pair.frontend().backend_nodes.limit, 300u);
  EXPECT_EQ(pair.frontend().backend_nodes.answers, 1u);
  auto& store = pair.link().store().toolstack();
  const std::string frontend = vgen::xenbus::frontend_path(pair.link().device());
  EXPECT_EQ(vgen::xenbus::read_required(store, vgen::xenbus::node_path(frontend, "mode")), "fast");
  EXPECT_FALSE(vgen::xenbus::read_required(store, vgen::xenbus::node_path(frontend, "ring-ref")).empty());
  const std::string backend = vgen::xenbus::backend_path(pair.link().device());
  EXPECT_EQ(vgen::xenbus::read_required(store, vgen::xenbus::node_path(backend, "feature-answers")), "1");
}

TEST(SplitHalves, RequestsCrossTheRingAndComeBack) {
  SplitPair pair;
  ASSERT_TRUE(pair.pump_until([&] { return connected(pair); }));
  for (std::uint32_t value = 1; value <= 5; ++value) EXPECT_TRUE(pair.frontend().send({value}));
  EXPECT_EQ(pair.frontend().in_flight(), 5u);
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().responses.size() == 5; }));
  EXPECT_EQ(pair.frontend().responses[4].doubled_, 10u);
  EXPECT_EQ(pair.backend().served(), 5u);
  EXPECT_EQ(pair.frontend().in_flight(), 0u);
}

TEST(SplitHalves, NothingIsSentWithoutARingOrWithEverySlotTaken) {
  SplitPair pair;
  EXPECT_FALSE(pair.frontend().send({1})) << "not connected yet";
  ASSERT_TRUE(pair.pump_until([&] { return connected(pair); }));
  std::uint32_t sent = 0;
  while (pair.frontend().can_send()) sent += pair.frontend().send({sent}) ? 1 : 0;
  EXPECT_EQ(sent, ping_split::kSpec.rings[0].entries);
  EXPECT_FALSE(pair.frontend().send({0}));
}

TEST(SplitHalves, ClosingFlushesAndRevokesTheRing) {
  SplitPair pair;
  ASSERT_TRUE(pair.pump_until([&] { return connected(pair); }));
  pair.frontend().send({3});
  pair.frontend().close();
  ASSERT_TRUE(pair.pump_until([&] {
    return pair.frontend().state() == vgen::xenbus::State::Closed &&
           pair.backend().state() == vgen::xenbus::State::Closed;
  }));
  EXPECT_EQ(pair.frontend().responses.size(), 1u) << "the request in flight was answered first";
  EXPECT_FALSE(pair.backend().ring_up());
  EXPECT_EQ(pair.frontend().event_fd(), -1);
  EXPECT_TRUE(pair.pump_until([&] { return pair.link().table().free_count() == 64u; }))
      << "the ring's grant is ended once the backend let go of it";
}

}  // namespace
