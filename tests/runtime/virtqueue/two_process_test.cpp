// A driver process and a device process (fork; the device maps only the memfds and notifiers
// it received over a Unix socket) exchange 1,000,000 request/response buffers; every byte of
// every message is checked on both sides.
#include <gtest/gtest.h>

#include "ring_pair.hpp"

namespace vgen::demo {
namespace {

class TwoProcess : public ::testing::TestWithParam<NotifierKind> {};

TEST_P(TwoProcess, MillionBuffersEveryByteChecked) {
  PairOptions options;
  options.messages = 1000000;
  options.notifier = GetParam();
  const PairResult r = run_two_process_pair(options);
  EXPECT_EQ(r.messages, 1000000u);
  EXPECT_EQ(r.bad_requests, 0u);
  EXPECT_EQ(r.bad_responses, 0u);
  EXPECT_EQ(r.device_exit_status, 0);
  EXPECT_GT(r.kicks, 0u) << "the device idles between bursts, so some kicks are needed";
  EXPECT_LT(r.kicks + r.interrupts, r.messages) << "event idx should suppress most notifications";
}

TEST_P(TwoProcess, FlagSuppressionWithoutEventIdx) {
  PairOptions options;
  options.messages = 100000;
  options.notifier = GetParam();
  options.event_idx = false;
  options.queue_size = 16;
  options.payload = 200;
  const PairResult r = run_two_process_pair(options);
  EXPECT_EQ(r.messages, 100000u);
  EXPECT_EQ(r.bad_requests + r.bad_responses, 0u);
  EXPECT_EQ(r.device_exit_status, 0);
}

TEST(TwoProcessOptions, BadSettingsAreRefusedBeforeForking) {
  PairOptions options;
  options.queue_size = 24;
  EXPECT_THROW(run_two_process_pair(options), Error);
  options.queue_size = 256;
  options.payload = 8;
  EXPECT_THROW(run_two_process_pair(options), Error);
}

INSTANTIATE_TEST_SUITE_P(Notifiers, TwoProcess, ::testing::Values(NotifierKind::Eventfd, NotifierKind::Mailbox),
                         [](const ::testing::TestParamInfo<NotifierKind>& p) { return to_string(p.param); });

}  // namespace
}  // namespace vgen::demo
