// The operation-sequence fuzzer's driver (store_ops.hpp) on pseudo-random bytes from fixed
// seeds, so that every build runs it: 200 seeds of 400 operations each.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "store_ops.hpp"

namespace vgen::store::fuzz {
namespace {

constexpr unsigned kSeeds = 200;
constexpr std::size_t kOperations = 400;

std::vector<std::uint8_t> bytes_for(unsigned seed) {
  std::mt19937 random(seed);  // the same sequence on every platform
  std::vector<std::uint8_t> out(kOperations * 24);
  for (std::uint8_t& byte : out) byte = static_cast<std::uint8_t>(random() & 0xFF);
  return out;
}

TEST(StoreOpsSeeded, InvariantsHoldForEverySeed) {
  OpsOutcome total;
  for (unsigned seed = 0; seed < kSeeds; ++seed) {
    const OpsOutcome outcome = run_store_ops(bytes_for(seed), kOperations);
    ASSERT_EQ(outcome.problem, "") << "seed " << seed;
    total.operations += outcome.operations;
    total.failed += outcome.failed;
    total.commits += outcome.commits;
    total.conflicts += outcome.conflicts;
    total.events += outcome.events;
    total.overflows += outcome.overflows;
  }
  std::printf("%u seeds: %zu operations (%zu answered with an error), %zu commits, %zu conflicts, %zu events "
              "taken, %zu queue overflows\n",
              kSeeds, total.operations, total.failed, total.commits, total.conflicts, total.events, total.overflows);
  // The sequences reach what the invariants are about, not only error paths.
  EXPECT_EQ(total.operations, kSeeds * kOperations);
  EXPECT_GT(total.operations - total.failed, total.operations / 4);
  EXPECT_GT(total.commits, 0u);
  EXPECT_GT(total.conflicts, 0u);
  EXPECT_GT(total.events, 0u);
  EXPECT_GT(total.overflows, 0u);
}

}  // namespace
}  // namespace vgen::store::fuzz
