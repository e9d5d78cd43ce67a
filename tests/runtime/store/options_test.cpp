#include <gtest/gtest.h>

#include "options.hpp"
#include "store_test_support.hpp"

namespace vgen::store::daemon {
namespace {

TEST(Options, SocketIsRequired) { EXPECT_STORE_ERROR(parse_command_line({}), ErrorCode::Invalid); }

TEST(Options, HelpNeedsNoSocket) { EXPECT_TRUE(parse_command_line({"--help"}).help); }

TEST(Options, TraceLog) {
  EXPECT_EQ(parse_command_line({"--socket", "/tmp/s", "--trace", "/tmp/xs.pcapng"}).trace_log, "/tmp/xs.pcapng");
  EXPECT_TRUE(parse_command_line({"--socket", "/tmp/s"}).trace_log.empty());
  EXPECT_STORE_ERROR(parse_command_line({"--socket", "/tmp/s", "--trace"}), ErrorCode::Invalid);
}

TEST(Options, Defaults) {
  const Command c = parse_command_line({"--socket", "/tmp/s"});
  EXPECT_EQ(c.server.socket_path, "/tmp/s");
  EXPECT_EQ(c.server.socket_mode, 0600u);
  EXPECT_TRUE(c.server.uid_domains.empty());
  EXPECT_EQ(c.server.quotas.nodes_per_domain, 1000u);
  EXPECT_EQ(c.server.quotas.event_queue.max_events, 1024u);
  EXPECT_EQ(c.server.quotas.event_queue.max_bytes, 512u * 1024);
  EXPECT_EQ(c.server.quotas.event_queue.max_domain_bytes, 4u << 20);
  EXPECT_EQ(c.server.output_limit, 256u * 1024);
  EXPECT_EQ(c.server.stall_timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(c.server.log_errors);
}

TEST(Options, EveryQuota) {
  const Command c = parse_command_line({"--socket", "s", "--quota-nodes", "1", "--quota-watches", "2",
                                        "--quota-transactions", "3", "--quota-entry-size", "4",
                                        "--quota-permissions", "5", "--quota-transaction-nodes", "6",
                                        "--event-queue-limit", "7", "--event-queue-bytes", "80", "--output-limit", "9",
                                        "--domain-bytes", "10", "--stall-timeout", "11", "--verbose"});
  const Quotas& q = c.server.quotas;
  EXPECT_EQ(q.nodes_per_domain, 1u);
  EXPECT_EQ(q.watches_per_domain, 2u);
  EXPECT_EQ(q.transactions_per_domain, 3u);
  EXPECT_EQ(q.entry_size, 4u);
  EXPECT_EQ(q.permissions_per_node, 5u);
  EXPECT_EQ(q.nodes_per_transaction, 6u);
  EXPECT_EQ(q.event_queue.max_events, 7u);
  EXPECT_EQ(q.event_queue.max_bytes, 80u);
  EXPECT_EQ(q.event_queue.max_domain_bytes, 10u);
  EXPECT_EQ(c.server.output_limit, 9u);
  EXPECT_EQ(c.server.stall_timeout, std::chrono::milliseconds(11));
  EXPECT_TRUE(c.server.log_errors);
}

TEST(Options, OutputLimitMustLeaveRoomForEvents) {
  try {
    parse_command_line({"--socket", "s", "--event-queue-bytes", "1000", "--output-limit", "1000"});
    FAIL() << "accepted an output limit as large as the connection's budget";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("--output-limit"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("less than --event-queue-bytes (1000)"), std::string::npos) << error.what();
  }
}

TEST(Options, DomidMapListsAndRepeats) {
  const Command c = parse_command_line({"--socket", "s", "--domid-map", "1000:5,1001:6", "--domid-map", "7:8"});
  EXPECT_EQ(c.server.uid_domains, (std::map<uid_t, DomainId>{{1000, 5}, {1001, 6}, {7, 8}}));
}

TEST(Options, DomidMapEntryWithoutColonIsInvalid) {
  EXPECT_STORE_ERROR(parse_command_line({"--socket", "s", "--domid-map", "1000"}), ErrorCode::Invalid);
}

TEST(Options, DomidMapWithBadDomainIsInvalid) {
  EXPECT_STORE_ERROR(parse_command_line({"--socket", "s", "--domid-map", "1000:x"}), ErrorCode::Invalid);
}

TEST(Options, SocketModeIsOctal) {
  EXPECT_EQ(parse_command_line({"--socket", "s", "--socket-mode", "0666"}).server.socket_mode, 0666u);
  EXPECT_STORE_ERROR(parse_command_line({"--socket", "s", "--socket-mode", "0999"}), ErrorCode::Invalid);
}

TEST(Options, ZeroQuotaIsInvalid) {
  const Caught c = catch_error([] { parse_command_line({"--socket", "s", "--quota-nodes", "0"}); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("--quota-nodes"), std::string::npos) << c.message;
}

TEST(Options, MissingValueIsInvalid) {
  EXPECT_STORE_ERROR(parse_command_line({"--socket"}), ErrorCode::Invalid);
}

TEST(Options, UnknownOptionIsInvalid) {
  const Caught c = catch_error([] { parse_command_line({"--socket", "s", "--frobnicate", "1"}); });
  EXPECT_EQ(c.code, ErrorCode::Invalid);
  EXPECT_NE(c.message.find("--frobnicate"), std::string::npos) << c.message;
}

}  // namespace
}  // namespace vgen::store::daemon
