// The VirtIO runner's --vhost-user connection: the device half, made by the runner's factory,
// served to the independent test front end until SIGTERM; judged by what the front ends did.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include <vgen/pair/virtio_pair.hpp>
#include <vgen/vhost_user/error.hpp>

#include "../halves/ping_virtio.hpp"
#include "front_end.hpp"

namespace {

constexpr std::uint64_t kVersion1 = 1ull << 32;

// The ping device making up numbered pings on its events queue (ring 0).
vgen::pair::VirtioHalves producing_halves() {
  vgen::pair::VirtioHalves halves;
  halves.spec = &ping::kSpec;
  halves.make_device = [] {
    auto device = std::make_unique<ping::Device>();
    device->produce = true;
    return device;
  };
  return halves;
}

class VhostUserConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vgen-pair-XXXXXX";
    directory_ = mkdtemp(pattern);
    path = directory_ + "/dev.sock";
  }
  void TearDown() override { rmdir(directory_.c_str()); }

  // Starts the connection's run on a thread; finish() stops it with SIGTERM and returns its result.
  void start() {
    thread_ = std::thread([this] { passed_ = connection.run({}, path); });
  }
  bool finish() {
    EXPECT_EQ(kill(getpid(), SIGTERM), 0);
    thread_.join();
    return passed_;
  }

  vgen::pair::Connection connection = vgen::pair::virtio_connections(producing_halves()).at(2);
  std::string path;

 private:
  std::string directory_;
  std::thread thread_;
  bool passed_ = false;
};

TEST_F(VhostUserConnection, IsChosenByItsOptionAndSaysWhatItServes) {
  EXPECT_EQ(connection.name, "vhost-user");
  EXPECT_EQ(connection.value_name, "SOCKET");
  EXPECT_NE(connection.description.find("device half"), std::string::npos);
  EXPECT_NE(connection.description.find("SIGTERM"), std::string::npos);
}

TEST_F(VhostUserConnection, ServesTheDeviceHalfUntilSigterm) {
  start();
  for (std::uint32_t round = 0; round < 2; ++round) {
    vhost_test::SessionSetup setup{kVersion1};
    setup.ring_size = 8;
    vhost_test::Session s(path, setup);
    s.connect();  // answered: the back end runs, so the signal handlers are in place
    s.start();
    for (int i = 0; i < 3; ++i) s.ring.add({}, sizeof(ping::Ping));
    s.kick.signal();
    for (std::uint32_t expected = 1000 + 3 * round; expected < 1003 + 3 * round; ++expected) {
      while (s.ring.pending_used() == 0) ASSERT_TRUE(s.call.wait()) << "ping " << expected;
      const vhost_test::RawRing::Used used = s.ring.pop_used();
      ASSERT_EQ(used.length, sizeof(ping::Ping));
      std::uint32_t value = 0;
      std::memcpy(&value, used.bytes.data(), sizeof value);
      EXPECT_EQ(value, expected) << "one device for every front end, round " << round;
    }
    EXPECT_EQ(s.stop(), 3);
  }
  EXPECT_TRUE(finish());
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "the socket is removed";
}

TEST_F(VhostUserConnection, AFrontEndThatBreaksTheProtocolFailsTheRun) {
  start();
  vhost_test::FrontEnd peer(path);
  EXPECT_EQ(peer.get_u64(vhost_test::kGetFeatures) & kVersion1, kVersion1);
  const std::uint32_t header[3] = {vhost_test::kGetFeatures, 0x2, 0};  // version 2
  peer.send_raw(header, sizeof header);
  EXPECT_TRUE(peer.closed_by_back_end());
  EXPECT_FALSE(finish());
}

TEST_F(VhostUserConnection, ASocketThatCannotBeMadeIsAnErrorNamingIt) {
  const std::string missing = path + ".d/dev.sock";
  try {
    connection.run({}, missing);
    FAIL() << "served on " << missing;
  } catch (const vgen::vhost_user::Error& error) {
    EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("No such file or directory"), std::string::npos) << error.what();
  }
  EXPECT_THROW(connection.run({}, std::string(200, 'x')), vgen::vhost_user::Error);
}

}  // namespace
