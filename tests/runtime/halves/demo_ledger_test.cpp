// DemoLedgers: one ledger per ring index, of that ring's request type, kept between calls.
#include <vgen/halves/demo_ledger.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using vgen::halves::DemoLedgers;

TEST(DemoLedgers, KeepsOneLedgerPerRing) {
  DemoLedgers ledgers;
  ledgers.of<std::uint32_t>(0).sent.push_back(7);
  ledgers.of<std::string>(1).sent.push_back("seven");
  EXPECT_EQ(ledgers.of<std::uint32_t>(0).sent.size(), 1u);
  EXPECT_EQ(ledgers.of<std::string>(1).sent.front(), "seven");
  EXPECT_TRUE(ledgers.of<std::uint32_t>(0).answer([](std::uint32_t request) { return request == 7; }));
  EXPECT_EQ(ledgers.of<std::uint32_t>(0).answered, 1u);
  EXPECT_TRUE(ledgers.of<std::uint32_t>(0).sent.empty());
  EXPECT_EQ(ledgers.of<std::string>(1).answered, 0u);
}

TEST(DemoLedgers, MakesALedgerForARingNotSeenBefore) {
  DemoLedgers ledgers;
  auto& fresh = ledgers.of<std::uint16_t>(5);
  EXPECT_TRUE(fresh.sent.empty());
  EXPECT_EQ(fresh.answered, 0u);
  EXPECT_TRUE(fresh.wants(1));
  fresh.sent.push_back(1);
  EXPECT_FALSE(ledgers.of<std::uint16_t>(5).wants(1));
  EXPECT_FALSE(ledgers.of<std::uint16_t>(5).answer([](std::uint16_t request) { return request == 2; }));
}

}  // namespace
