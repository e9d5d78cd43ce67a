// The generated virtio-rng program (devices/virtio-rng) as a vhost-user device: started with
// --vhost-user SOCKET and a seed, set up by the test front end the way QEMU does it, it fills
// the buffers of a few requests with the seeded stream, continues the stream for a front end
// that reconnects, and leaves cleanly on SIGTERM with a report of what it served. With --trace
// LOG it records what it served: the log reads back with the front end's messages, the chains
// and the stream bytes in their used entries.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <vgen/trace/log_reader.hpp>

#include "front_end.hpp"
#include "rng_stream.hpp"

extern char** environ;

namespace {

constexpr std::uint64_t kVersion1 = 1ull << 32;
constexpr std::uint64_t kSeed = 0x5eed0000c0ffeeull;

// The program running with --vhost-user on a socket in a fresh directory, its output in a file.
class RngProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vgen-rng-XXXXXX";
    directory_ = mkdtemp(pattern);
    socket = directory_ + "/rng.sock";
    output_ = directory_ + "/output.log";
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    unlink(output_.c_str());
    unlink(socket.c_str());
    rmdir(directory_.c_str());
  }

  void start(const std::string& seed, std::vector<std::string> extra = {}) {
    std::vector<std::string> environment{"VIRTIO_RNG_SEED=" + seed};
    for (char** variable = environ; *variable != nullptr; ++variable) {
      if (std::string(*variable).rfind("VIRTIO_RNG_SEED=", 0) != 0) environment.emplace_back(*variable);
    }
    std::vector<char*> envp;
    for (std::string& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    std::string program = VIRTIO_RNG_DEMO;
    std::string option = "--vhost-user";
    std::vector<char*> argv{program.data(), option.data(), socket.data()};
    for (std::string& argument : extra) argv.push_back(argument.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    ASSERT_EQ(posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data()), 0) << program;
    posix_spawn_file_actions_destroy(&actions);
  }
  // SIGTERM, then the exit status (-1 when it did not exit normally).
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string output() const {
    std::ifstream file(output_);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::string socket;
  std::string directory_;

 private:
  std::string output_;
  pid_t pid_ = -1;
};

// Posts buffers of `sizes` bytes, kicks once, and returns what came back in each, in order.
std::vector<std::vector<std::uint8_t>> request(vhost_test::Session& s, const std::vector<std::uint32_t>& sizes) {
  for (const std::uint32_t size : sizes) s.ring.add({}, size);
  s.kick.signal();
  std::vector<std::vector<std::uint8_t>> filled;
  while (filled.size() < sizes.size()) {
    if (s.ring.pending_used() == 0 && !s.call.wait()) break;
    while (s.ring.pending_used() != 0) {
      vhost_test::RawRing::Used used = s.ring.pop_used();
      used.bytes.resize(used.length);
      filled.push_back(std::move(used.bytes));
    }
  }
  return filled;
}

// The stream bytes [from, from + length).
std::vector<std::uint8_t> stream(std::uint64_t from, std::size_t length) {
  std::vector<std::uint8_t> bytes(length);
  for (std::size_t i = 0; i < length; ++i) bytes[i] = rng_test::stream_byte(kSeed, from + i);
  return bytes;
}

TEST_F(RngProgram, FillsRequestsWithTheSeededStreamAcrossReconnectionsAndStopsOnSigterm) {
  start(std::to_string(kSeed));
  {
    vhost_test::Session s(socket, {kVersion1});
    s.connect();
    EXPECT_NE(s.offered & kVersion1, 0u);
    EXPECT_EQ(s.peer.get_u64(vhost_test::kGetQueueNum), 1u) << "virtio-rng has one queue";
    s.start();
    const auto filled = request(s, {16, 100, 512});
    ASSERT_EQ(filled.size(), 3u);
    EXPECT_EQ(filled[0], stream(0, 16));
    EXPECT_EQ(filled[1], stream(16, 100));
    EXPECT_EQ(filled[2], stream(116, 512));
    EXPECT_EQ(s.stop(), 3) << "GET_VRING_BASE: three requests taken";
  }
  {
    // A front end that comes back meets a reset device whose stream goes on, never repeating.
    vhost_test::Session s(socket, {kVersion1});
    s.connect();
    s.start();
    const auto filled = request(s, {64});
    ASSERT_EQ(filled.size(), 1u);
    EXPECT_EQ(filled[0], stream(628, 64));
  }
  EXPECT_EQ(stop(), 0);
  const std::string text = output();
  EXPECT_NE(text.find("demo: virtio-rng device half over vhost-user"), std::string::npos) << text;
  EXPECT_NE(text.find("device: requestq: filled 512 random bytes, stream bytes 116 to 628"), std::string::npos) << text;
  EXPECT_NE(text.find("device: stopped by SIGTERM: 2 connections"), std::string::npos) << text;
  EXPECT_NE(text.find(", 0 protocol errors,"), std::string::npos) << text;
  EXPECT_NE(text.find("demo: vhost-user passed"), std::string::npos) << text;
  EXPECT_NE(access(socket.c_str(), F_OK), 0) << "the socket is removed";
}

TEST_F(RngProgram, RecordsWhatItServesWithTrace) {
  const std::string log = directory_ + "/rng.pcapng";
  start(std::to_string(kSeed), {"--trace", log});
  {
    vhost_test::Session s(socket, {kVersion1});
    s.connect();
    s.start();
    // A round trip first, so the ring is live when the kick comes (a kick before that is
    // not needed: the device takes what was posted when the ring goes live).
    EXPECT_EQ(s.peer.get_u64(vhost_test::kGetQueueNum), 1u);
    ASSERT_EQ(request(s, {16, 100}).size(), 2u);
  }
  EXPECT_EQ(stop(), 0) << output();
  using vgen::trace::EventKind;
  std::size_t messages = 0, taken = 0, kicks = 0, features = 0;
  std::vector<std::vector<std::uint8_t>> used;
  vgen::trace::LogReader reader(log);
  while (const vgen::trace::LogRecord* record = reader.next()) {
    const vgen::trace::Record& r = record->record;
    if (r.kind == EventKind::VhostUserMessage) ++messages;
    if (r.kind == EventKind::ChainTaken && r.queue == 0) ++taken;
    if (r.kind == EventKind::NotifySent && r.head == 0 && r.index == 2) ++kicks;
    if (r.kind == EventKind::FeaturesNegotiated) ++features;
    if (r.kind == EventKind::UsedPushed) {
      used.emplace_back();
      for (std::byte b : r.payload) used.back().push_back(std::to_integer<std::uint8_t>(b));
    }
  }
  EXPECT_GT(messages, 10u) << "the handshake, both ways";
  EXPECT_EQ(features, 1u);
  EXPECT_EQ(kicks, 1u) << "the kick after both buffers, with the avail idx the front end published";
  EXPECT_EQ(taken, 2u);
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(used[0], stream(0, 16));
  EXPECT_EQ(used[1], stream(16, 100));
  unlink(log.c_str());
}

TEST_F(RngProgram, AFrontEndBreakingTheProtocolFailsTheRun) {
  start(std::to_string(kSeed));
  vhost_test::FrontEnd peer(socket);
  peer.get_u64(vhost_test::kGetFeatures);
  peer.set_u64(vhost_test::kSetFeatures, 1ull << 63);  // before SET_OWNER, and a bit never offered
  EXPECT_TRUE(peer.closed_by_back_end());
  EXPECT_EQ(stop(), 1);
  const std::string text = output();
  EXPECT_NE(text.find("1 protocol errors"), std::string::npos) << text;
  EXPECT_NE(text.find("demo: vhost-user FAILED"), std::string::npos) << text;
}

}  // namespace
