// Two processes standing for two cores: 1,000,000 echo round trips over four channels at
// once, every byte checked on both sides, over eventfd and over the mailbox doorbells.
#include <gtest/gtest.h>

#include <vgen/error.hpp>

#include "echo_pair.hpp"

namespace vgen::test {
namespace {

class TwoProcess : public ::testing::TestWithParam<EchoNotifier> {};

TEST_P(TwoProcess, MillionRoundTripsEveryByteChecked) {
  EchoOptions options;
  options.notifier = GetParam();
  const EchoResult r = run_echo_pair(options);
  EXPECT_EQ(r.channels_bound, 4u);
  EXPECT_EQ(r.round_trips, 1000000u);
  EXPECT_EQ(r.remote_received, 1000000u);
  EXPECT_EQ(r.bad_replies, 0u);
  EXPECT_EQ(r.bad_requests, 0u);
  EXPECT_EQ(r.host_rejected + r.remote_rejected, 0u);
  EXPECT_EQ(r.remote_exit_status, 0);
  EXPECT_GT(r.signals, 0u) << "each side sleeps on the notifier when it runs dry";
  EXPECT_LT(r.signals, 2 * r.round_trips) << "suppression should spare some notifications";
  std::printf("%s: %.0f round trips/s, %.3f notifications per round trip\n", to_string(GetParam()),
              static_cast<double>(r.round_trips) / r.seconds, static_cast<double>(r.signals) / r.round_trips);
}

TEST(TwoProcessOptions, BadSettingsAreRefusedBeforeForking) {
  EchoOptions options;
  options.channels = 0;
  EXPECT_THROW(run_echo_pair(options), Error);
  options.channels = 4;
  options.window = 100;
  EXPECT_THROW(run_echo_pair(options), Error);
}

INSTANTIATE_TEST_SUITE_P(Notifiers, TwoProcess, ::testing::Values(EchoNotifier::Eventfd, EchoNotifier::Mailbox),
                         [](const ::testing::TestParamInfo<EchoNotifier>& p) { return to_string(p.param); });

}  // namespace
}  // namespace vgen::test
