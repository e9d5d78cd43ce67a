// Stopping and resuming: GET_VRING_BASE with requests in flight, rings restarted more than
// once, memory table changes under a running ring, a device reset, and front ends that leave
// and come back. No request may be lost or answered twice.
#include <linux/virtio_config.h>

#include <set>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {


// Resumes ring 0 at `base` over the same ring memory (QEMU's second start).
void resume(Session& s, std::uint16_t base) {
  s.peer.set_u64(kSetFeatures, s.setup.features | (1ull << 30));
  s.peer.set_state(kSetVringNum, 0, s.setup.ring_size);
  s.peer.set_state(kSetVringBase, 0, base);
  s.peer.set_vring_addr(0, s.ram.user(s.ring.desc_gpa()), s.ram.user(s.ring.used_gpa()),
                        s.ram.user(s.ring.avail_gpa()));
  s.peer.set_vring_fd(kSetVringKick, 0, s.kick.fd());
  s.peer.set_state(kSetVringEnable, 0, 1);
}

// Collects used elements until `count` arrived (or 5 s passed); heads must be distinct.
std::vector<RawRing::Used> collect(Session& s, unsigned count) {
  std::vector<RawRing::Used> used;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (used.size() < count && std::chrono::steady_clock::now() < deadline) {
    s.call.wait(std::chrono::milliseconds(50));
    while (s.ring.pending_used() != 0) used.push_back(s.ring.pop_used());
  }
  return used;
}

std::string text(const RawRing::Used& used) { return {used.bytes.begin(), used.bytes.end()}; }

TEST_F(BackendTest, StopWithRequestsInFlightThenResume) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  s.ring.add(bytes("ab"), 16);
  s.ring.add(bytes("cd"), 16);
  s.kick.signal();
  ASSERT_EQ(collect(s, 2).size(), 2u);
  device.hold(true);  // the device takes the next chains but does not answer yet
  for (const char* request : {"ef", "gh", "ij"}) s.ring.add(bytes(request), 16);
  s.kick.signal();
  ASSERT_TRUE(eventually([&] { return device.held() == 3; }));
  const std::uint16_t base = s.stop();
  EXPECT_EQ(base, 2) << "the avail index after the last answered chain";
  EXPECT_EQ(s.ring.used_idx(), 2);
  s.ring.add(bytes("kl"), 16);  // posted while the ring is stopped
  device.hold(false);
  resume(s, base);
  const std::vector<RawRing::Used> used = collect(s, 4);
  ASSERT_EQ(used.size(), 4u) << log_text();
  EXPECT_EQ(text(used[0]), "fe");
  EXPECT_EQ(text(used[1]), "hg");
  EXPECT_EQ(text(used[2]), "ji");
  EXPECT_EQ(text(used[3]), "lk");
  EXPECT_EQ(device.answered.load(), 6u) << "nothing answered twice";
  EXPECT_FALSE(s.call.wait(std::chrono::milliseconds(100)) && s.ring.pending_used() != 0);
}

TEST_F(BackendTest, HeldChainsAnsweredBeforeTheStopAreNotRepeated) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  device.hold(true);
  for (const char* request : {"1", "2", "3"}) s.ring.add(bytes(request), 16);
  s.kick.signal();
  ASSERT_TRUE(eventually([&] { return device.held() == 3; }));
  device.release(backend->device().core());
  ASSERT_EQ(collect(s, 3).size(), 3u);
  EXPECT_EQ(s.stop(), 3);
  resume(s, 3);
  s.ring.add(bytes("4"), 16);
  s.kick.signal();
  const std::vector<RawRing::Used> used = collect(s, 1);
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(text(used[0]), "4");
  EXPECT_EQ(device.answered.load(), 4u);
}

TEST_F(BackendTest, RingsRestartManyTimes) {
  Session s(path, {kVersion1 | (1ull << 29)});
  s.connect();
  s.start();
  std::uint16_t base = 0;
  std::set<std::string> seen;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5; ++i) s.ring.add(bytes("r" + std::to_string(round) + "-" + std::to_string(i)), 16);
    s.ring.set_used_event(s.ring.used_idx());
    s.kick.signal();
    for (const RawRing::Used& used : collect(s, 5)) EXPECT_TRUE(seen.insert(text(used)).second) << text(used);
    base = s.stop();
    EXPECT_EQ(base, s.ring.used_idx());
    resume(s, base);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(device.answered.load(), 100u);
}

TEST_F(BackendTest, MemoryTableChangesUnderARunningRing) {
  SessionSetup setup{kVersion1};
  setup.memory_slots = true;
  Session s(path, setup);
  s.connect();
  s.start();
  s.ring.add(bytes("one"), 16);
  s.kick.signal();
  ASSERT_EQ(collect(s, 1).size(), 1u);
  GuestRam extra(1 << 20, 0x300000000ull, 0x7f2000000000ull);
  s.peer.add_mem_reg(extra, true);
  ASSERT_EQ(s.peer.ack(), 0u);
  s.ring.add(bytes("two"), 16);
  s.kick.signal();
  ASSERT_EQ(collect(s, 1).size(), 1u) << log_text();
  // The ring's own region goes away and comes back: the ring waits, then resumes in place.
  s.peer.rem_mem_reg(s.ram);
  EXPECT_TRUE(logged({"ring 0 waits"})) << log_text();
  s.ring.add(bytes("three"), 16);
  s.peer.add_mem_reg(s.ram, true);
  ASSERT_EQ(s.peer.ack(), 0u);
  s.kick.signal();
  const std::vector<RawRing::Used> used = collect(s, 1);
  ASSERT_EQ(used.size(), 1u) << log_text();
  EXPECT_EQ(text(used[0]), "eerht");
  EXPECT_EQ(device.answered.load(), 3u);
}

TEST_F(BackendTest, DeviceResetThenANewDriver) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  s.ring.add(bytes("before"), 16);
  s.kick.signal();
  ASSERT_EQ(collect(s, 1).size(), 1u);
  s.stop();
  const std::uint64_t resets = device.resets.load();
  s.peer.send(kResetDevice, nullptr, 0);
  ASSERT_TRUE(eventually([&] { return device.resets.load() > resets; }));
  // A new driver: fresh ring memory, base 0.
  RawRing fresh(s.ram, 0x100200000ull, 64, 0x100210000ull);
  s.peer.set_u64(kSetFeatures, kVersion1 | (1ull << 30));
  s.peer.set_state(kSetVringNum, 0, 64);
  s.peer.set_state(kSetVringBase, 0, 0);
  s.peer.set_vring_addr(0, s.ram.user(fresh.desc_gpa()), s.ram.user(fresh.used_gpa()), s.ram.user(fresh.avail_gpa()));
  s.peer.set_vring_fd(kSetVringKick, 0, s.kick.fd());
  s.peer.set_vring_fd(kSetVringCall, 0, s.call.fd());
  s.peer.set_state(kSetVringEnable, 0, 1);
  fresh.add(bytes("after"), 16);
  s.kick.signal();
  ASSERT_TRUE(s.call.wait());
  EXPECT_EQ(fresh.pop_used().length, 5u);
}

TEST_F(BackendTest, FeatureChangeAfterStopResetsTheDevice) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  s.stop();
  const std::uint64_t resets = device.resets.load();
  s.setup.features = kVersion1 | (1ull << 28);
  resume(s, 0);
  EXPECT_TRUE(eventually([&] { return device.resets.load() > resets; }));
  s.ring.add(bytes("xy"), 16, true);
  s.kick.signal();
  ASSERT_EQ(collect(s, 1).size(), 1u);
}

TEST_F(BackendTest, FrontEndLeavesAndANewOneResumesTheRing) {
  // QEMU reconnecting to a back end: the old connection dies without GET_VRING_BASE; the new
  // one resumes the same ring at the used index.
  auto first = std::make_unique<Session>(path, SessionSetup{kVersion1});
  first->connect();
  first->start();
  for (const char* request : {"a", "b"}) first->ring.add(bytes(request), 16);
  first->kick.signal();
  ASSERT_EQ(collect(*first, 2).size(), 2u);
  first->ring.add(bytes("c"), 16);  // posted, never kicked before the connection dies
  FrontEnd* dying = new FrontEnd(path);  // a second front end is turned away meanwhile
  EXPECT_TRUE(dying->closed_by_back_end());
  delete dying;
  EXPECT_TRUE(logged({"turned away"}));
  first->peer.~FrontEnd();
  new (&first->peer) FrontEnd(path);
  EXPECT_TRUE(logged({"front end disconnected"}));
  first->setup.base = first->ring.used_idx();
  first->connect();
  first->start();
  first->kick.signal();
  const std::vector<RawRing::Used> used = collect(*first, 1);
  ASSERT_EQ(used.size(), 1u) << log_text();
  EXPECT_EQ(text(used[0]), "c");
  EXPECT_EQ(device.answered.load(), 3u);
  EXPECT_EQ(backend->statistics().connections, 2u) << "the turned-away front end is not served";
}

}  // namespace
}  // namespace vhost_test
