// Each kind's runner connects hand-written halves (in the shape vgen generates) as two
// threads and as two processes, and judges the run by what the halves report.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <vgen/pair/run_pair.hpp>
#include <vgen/trace/log_reader.hpp>

#include "../halves/ping_split.hpp"
#include "../halves/ping_virtio.hpp"
#include "../trace/temp_file.hpp"

namespace {

// The ping driver with a demo: a command comes back as an event, a call gets its status.
class DemoDriver : public ping::Driver {
 public:
  using Driver::Driver;
  bool run_demo() {
    post_buffers(ping::kEvents, 4);
    send_bytes(ping::kCommands, vgen::wire::bytes_of(ping::ping(11)));
    submit_request(ping::kCalls, vgen::wire::bytes_of(ping::ping(12)), {}, 0);
    return run_until([this] { return events.size() == 1 && answers.size() == 1; }, std::chrono::seconds(5));
  }
};

// The ping-split frontend with the demo's counters: it sends kDemoRequests once connected.
class DemoFrontend : public ping_split::Frontend {
 public:
  using Frontend::Frontend;
  static constexpr std::uint32_t kDataPages = 0;
  static constexpr std::size_t kDemoRequests = 4;
  std::size_t answered() const { return responses.size(); }
  std::size_t mismatches() const { return 0; }

 protected:
  void on_connected(const ping_split::BackendNodes& nodes) override {
    Frontend::on_connected(nodes);
    for (std::uint32_t value = 0; value < kDemoRequests; ++value) send({value});
  }
};

bool run(const vgen::pair::Connection& connection) { return connection.run({}, ""); }

TEST(PairRuns, VirtioAsThreadsAndAsProcesses) {
  const std::vector<vgen::pair::Connection> connections =
      vgen::pair::virtio_connections(vgen::pair::virtio_halves<DemoDriver, ping::Device>());
  ASSERT_EQ(connections.size(), 3u) << "threads, processes, vhost-user (vhost_user_connection_test.cpp)";
  EXPECT_TRUE(run(connections[0]));
  EXPECT_TRUE(run(connections[1]));
}

TEST(PairRuns, SplitAsThreadsAndAsProcesses) {
  const std::vector<vgen::pair::Connection> connections =
      vgen::pair::split_connections(vgen::pair::split_halves<DemoFrontend, ping_split::Backend>());
  ASSERT_EQ(connections.size(), 2u);
  EXPECT_TRUE(run(connections[0]));
  EXPECT_TRUE(run(connections[1]));
}

TEST(PairRuns, ADemoThatFailsFailsTheRun) {
  class Silent : public DemoDriver {
   public:
    using DemoDriver::DemoDriver;
    bool run_demo() { return false; }
  };
  EXPECT_FALSE(run(vgen::pair::virtio_connections(vgen::pair::virtio_halves<Silent, ping::Device>())[0]));
}

int run_demo(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "ping-demo");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  return vgen::run_pair<DemoDriver, ping::Device>(static_cast<int>(argv.size()), argv.data());
}

// Without an opener of its own, a demo's --trace LOG records with the trace recorder: the
// log holds both halves' chains, with their payload, and the status changes. Both halves record
// into it, so each byte is there once: the device's ChainTaken and the driver's UsedReclaimed
// hold their numbers only (trace::Ends::Both).
TEST(PairRuns, TraceRecordsTheRunIntoALog) {
  vgen::trace::testing::TempFile file;
  ASSERT_EQ(run_demo({"threads", "--trace", file.path()}), 0);
  using K = vgen::trace::EventKind;
  std::map<K, int> kinds;
  std::size_t chains_with_payload = 0;
  std::size_t consumed_with_contents = 0;
  vgen::trace::LogReader reader(file.path());
  while (const vgen::trace::LogRecord* r = reader.next()) {
    ++kinds[r->record.kind];
    if (r->record.kind == K::ChainAdded && r->record.descriptor_count() > 0 && !r->record.payload.empty()) {
      ++chains_with_payload;
    }
    const bool consumed = r->record.kind == K::ChainTaken || r->record.kind == K::UsedReclaimed;
    if (consumed && (r->record.descriptor_count() > 0 || r->record.payload_length > 0)) ++consumed_with_contents;
  }
  // The demo sends a command and a call, each seen by the driver adding it and by the
  // device taking it; four event buffers are posted.
  EXPECT_GE(kinds[K::ChainAdded], 6);
  EXPECT_GE(kinds[K::ChainTaken], 2);
  EXPECT_GE(kinds[K::UsedPushed], 2);
  EXPECT_GE(kinds[K::UsedReclaimed], 2);
  EXPECT_GE(chains_with_payload, 2u);
  EXPECT_EQ(consumed_with_contents, 0u);
  EXPECT_GE(kinds[K::StateChanged], 2);
  EXPECT_EQ(kinds[K::Dropped], 0);
}

TEST(PairRuns, TraceLogThatCannotBeCreatedFailsTheRun) {
  EXPECT_EQ(run_demo({"threads", "--trace", "/nonexistent-folder/trace.pcapng"}), 1);
}

}  // namespace
