// A front end that breaks the protocol: every case ends with a logged error naming the message
// and the values, and a closed connection; the back end then serves the next connection.
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {


class HostileTest : public BackendTest {
 protected:
  // The connection must close and the log must hold a line with every fragment; afterwards a
  // new front end gets a working device.
  void expect_refused(FrontEnd& peer, const std::vector<std::string>& fragments) {
    EXPECT_TRUE(peer.closed_by_back_end()) << "connection still open\n" << log_text();
    EXPECT_TRUE(logged(fragments)) << log_text();
    EXPECT_TRUE(logged({"closing the connection"})) << log_text();
    Session next(path, {kVersion1});
    next.connect();
    next.start();
    next.ring.add(bytes("again"), 16);
    next.kick.signal();
    EXPECT_TRUE(next.call.wait()) << "the next connection is not served\n" << log_text();
  }
  void send_header(FrontEnd& peer, std::uint32_t request, std::uint32_t flags, std::uint32_t size) {
    const std::uint32_t header[3] = {request, flags, size};
    peer.send_raw(header, sizeof header);
  }
  // Handshake and memory, so ring messages are judged on their own.
  Session& owned(const SessionSetup& setup = {kVersion1}) {
    session_ = std::make_unique<Session>(path, setup);
    session_->connect();
    session_->peer.set_u64(kSetFeatures, setup.features | (1ull << 30));
    session_->peer.set_mem_table({&session_->ram}, false);
    return *session_;
  }

 private:
  std::unique_ptr<Session> session_;
};

TEST_F(HostileTest, WrongVersion) {
  FrontEnd peer(path);
  send_header(peer, kGetFeatures, 0x2, 0);
  expect_refused(peer, {"VHOST_USER_GET_FEATURES", "flags 0x2", "version 2"});
}

TEST_F(HostileTest, ReplyFlagOnARequest) {
  FrontEnd peer(path);
  send_header(peer, kGetFeatures, kFlagsVersion1 | kFlagReply, 0);
  expect_refused(peer, {"VHOST_USER_GET_FEATURES", "reply bit"});
}

TEST_F(HostileTest, UndefinedFlagBits) {
  FrontEnd peer(path);
  send_header(peer, kGetFeatures, kFlagsVersion1 | 0x100, 0);
  expect_refused(peer, {"undefined bits 0x100"});
}

TEST_F(HostileTest, OversizedPayload) {
  FrontEnd peer(path);
  send_header(peer, kSetMemTable, kFlagsVersion1, 1 << 24);
  expect_refused(peer, {"VHOST_USER_SET_MEM_TABLE", "payload size 16777216"});
}

TEST_F(HostileTest, TruncatedMessage) {
  FrontEnd* peer = new FrontEnd(path);
  send_header(*peer, kSetVringNum, kFlagsVersion1, 8);
  peer->send_raw("abcd", 4);
  delete peer;  // closes mid-payload
  EXPECT_TRUE(logged({"VHOST_USER_SET_VRING_NUM payload", "closed the connection after 4 of 8 bytes"})) << log_text();
}

TEST_F(HostileTest, ShortPayload) {
  Session& s = owned();
  const std::uint32_t half = 0;
  s.peer.send(kSetVringNum, &half, sizeof half);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_NUM", "payload of 4 bytes, expected 8"});
}

TEST_F(HostileTest, UnknownRequest) {
  FrontEnd peer(path);
  send_header(peer, 99, kFlagsVersion1, 0);
  expect_refused(peer, {"request 99", "not supported"});
}

TEST_F(HostileTest, UnofferedRequest) {
  Session& s = owned();
  const std::uint64_t log_base = 0;
  s.peer.send(kSetLogBase, &log_base, sizeof log_base);
  expect_refused(s.peer, {"VHOST_USER_SET_LOG_BASE", "not supported"});
}

TEST_F(HostileTest, UnexpectedFd) {
  FrontEnd peer(path);
  EventFd stray;
  peer.send(kGetFeatures, nullptr, 0, {stray.fd()});
  expect_refused(peer, {"VHOST_USER_GET_FEATURES", "1 unexpected file descriptors"});
}

TEST_F(HostileTest, TooManyFds) {
  FrontEnd peer(path);
  std::vector<EventFd> fds(9);
  std::vector<int> numbers;
  for (EventFd& e : fds) numbers.push_back(e.fd());
  peer.send(kSetMemTable, "12345678", 8, numbers);
  expect_refused(peer, {"more than 8 file descriptors"});
}

TEST_F(HostileTest, NeedReplyWithoutReplyAck) {
  SessionSetup setup{kVersion1};
  setup.protocol_features = 1;  // MQ only
  Session s(path, setup);
  s.connect();
  s.peer.set_u64(kSetFeatures, kVersion1 | (1ull << 30), true);
  expect_refused(s.peer, {"VHOST_USER_SET_FEATURES", "REPLY_ACK was not negotiated"});
}

TEST_F(HostileTest, FeaturesBeforeOwner) {
  FrontEnd peer(path);
  peer.set_u64(kSetFeatures, kVersion1);
  expect_refused(peer, {"VHOST_USER_SET_FEATURES before VHOST_USER_SET_OWNER"});
}

TEST_F(HostileTest, SecondOwner) {
  Session s(path, {kVersion1});
  s.connect();
  s.peer.send(kSetOwner, nullptr, 0);
  expect_refused(s.peer, {"VHOST_USER_SET_OWNER", "already has an owner"});
}

TEST_F(HostileTest, UnofferedFeature) {
  Session s(path, {kVersion1});
  s.connect();
  s.peer.set_u64(kSetFeatures, kVersion1 | (1ull << 33));
  expect_refused(s.peer, {"VHOST_USER_SET_FEATURES", "bits 0x200000000", "not offered"});
}

TEST_F(HostileTest, FeaturesTheDeviceRefuses) {
  Session s(path, {kVersion1});
  s.connect();
  s.peer.set_u64(kSetFeatures, 1u << 30);  // no VERSION_1
  expect_refused(s.peer, {"VHOST_USER_SET_FEATURES", "VIRTIO_F_VERSION_1"});
}

TEST_F(HostileTest, UnofferedProtocolFeature) {
  FrontEnd peer(path);
  peer.set_u64(kSetProtocolFeatures, 1ull << 1);
  expect_refused(peer, {"VHOST_USER_SET_PROTOCOL_FEATURES", "0x2", "not offered"});
}

TEST_F(HostileTest, RingIndexOutOfRange) {
  Session& s = owned();
  s.peer.set_state(kSetVringNum, 7, 64);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_NUM", "ring index 7 does not exist"});
}

TEST_F(HostileTest, RingIndexOfAnUnavailableQueue) {
  Session& s = owned();
  s.peer.set_state(kSetVringBase, 1, 0);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_BASE", "ring index 1 does not exist"});
}

TEST_F(HostileTest, RingSizeNotAPowerOfTwo) {
  Session& s = owned();
  s.peer.set_state(kSetVringNum, 0, 100);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_NUM", "size 100 is not a power of two"});
}

TEST_F(HostileTest, RingSizeTooLarge) {
  Session& s = owned();
  s.peer.set_state(kSetVringNum, 0, 65536);
  expect_refused(s.peer, {"size 65536 is not a power of two from 1 to 32768"});
}

TEST_F(HostileTest, RingBaseBeyondSixteenBits) {
  Session& s = owned();
  s.peer.set_state(kSetVringBase, 0, 70000);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_BASE", "base 70000"});
}

TEST_F(HostileTest, RingOutsideMemory) {
  Session& s = owned();
  s.peer.set_state(kSetVringNum, 0, 64);
  s.peer.set_vring_addr(0, 0x1000, s.ram.user(s.ring.used_gpa()), s.ram.user(s.ring.avail_gpa()));
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_ADDR", "descriptor table at user address 0x1000", "outside"});
}

TEST_F(HostileTest, RingStraddlingTheEndOfMemory) {
  Session& s = owned();
  s.peer.set_state(kSetVringNum, 0, 64);
  const std::uint64_t last = s.ram.user_base() + s.ram.size() - 100;  // used ring needs 518 bytes
  s.peer.set_vring_addr(0, s.ram.user(s.ring.desc_gpa()), last, s.ram.user(s.ring.avail_gpa()));
  expect_refused(s.peer, {"used ring at user address", "outside every memory region"});
}

TEST_F(HostileTest, MisalignedRingFoundAtStart) {
  // The back end knows no memory yet, so the address is checked when the ring starts.
  Session s(path, {kVersion1});
  s.connect();
  s.peer.set_state(kSetVringNum, 0, 64);
  s.peer.set_vring_addr(0, s.ram.user(s.ring.desc_gpa()) + 2, s.ram.user(s.ring.used_gpa()),
                        s.ram.user(s.ring.avail_gpa()));
  s.peer.set_u64(kSetFeatures, kVersion1 | (1ull << 30));
  s.peer.set_mem_table({&s.ram}, false);
  s.peer.set_vring_fd(kSetVringKick, 0, s.kick.fd());
  s.peer.set_state(kSetVringEnable, 0, 1);
  expect_refused(s.peer, {"ring 0 cannot start"});
}

TEST_F(HostileTest, LoggingRequestedInRingAddress) {
  Session& s = owned();
  const VringAddress address{0, 1, s.ram.user(s.ring.desc_gpa()), s.ram.user(s.ring.used_gpa()),
                                 s.ram.user(s.ring.avail_gpa()), 0};
  s.peer.send(kSetVringAddr, &address, sizeof address);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_ADDR", "flags 0x1", "logging"});
}

TEST_F(HostileTest, TooManyRegions) {
  Session s(path, {kVersion1});
  s.connect();
  std::uint8_t payload[8 + 9 * 32] = {};
  payload[0] = 9;
  s.peer.send(kSetMemTable, payload, sizeof payload);
  expect_refused(s.peer, {"VHOST_USER_SET_MEM_TABLE", "9 regions, expected 1 to 8"});
}

TEST_F(HostileTest, RegionCountDisagreesWithSize) {
  Session s(path, {kVersion1});
  s.connect();
  std::uint8_t payload[8 + 32] = {};
  payload[0] = 2;
  s.peer.send(kSetMemTable, payload, sizeof payload, {s.ram.fd()});
  expect_refused(s.peer, {"payload of 40 bytes for 2 regions, expected 72"});
}

TEST_F(HostileTest, RegionWithoutItsFd) {
  Session s(path, {kVersion1});
  s.connect();
  std::vector<std::uint8_t> payload(8, 0);
  payload[0] = 1;
  const std::vector<std::uint8_t> region = s.ram.region();
  payload.insert(payload.end(), region.begin(), region.end());
  s.peer.send(kSetMemTable, payload.data(), payload.size());
  expect_refused(s.peer, {"VHOST_USER_SET_MEM_TABLE", "0 file descriptors attached, expected 1"});
}

TEST_F(HostileTest, OverlappingRegions) {
  Session s(path, {kVersion1});
  s.connect();
  GuestRam overlapping(1 << 20, s.ram.guest_base() + 4096, 0x7e0000000000ull);
  s.peer.set_mem_table({&s.ram, &overlapping}, false);
  expect_refused(s.peer, {"VHOST_USER_SET_MEM_TABLE region 1", "guest range overlaps"});
}

TEST_F(HostileTest, RegionLargerThanItsFile) {
  Session s(path, {kVersion1});
  s.connect();
  GuestRam small(1 << 20, 0x1000000, 0x7e0000000000ull);
  std::vector<std::uint8_t> payload(8, 0);
  payload[0] = 1;
  std::vector<std::uint8_t> region = small.region();
  const std::uint64_t size = 16 << 20;
  std::memcpy(region.data() + 8, &size, 8);
  payload.insert(payload.end(), region.begin(), region.end());
  s.peer.send(kSetMemTable, payload.data(), payload.size(), {small.fd()});
  expect_refused(s.peer, {"the file has 1048576 bytes, fewer than 16777216"});
}

TEST_F(HostileTest, RegionWrappingAround) {
  Session s(path, {kVersion1});
  s.connect();
  GuestRam wrap(1 << 20, ~0ull - 4095, 0x7e0000000000ull);
  s.peer.set_mem_table({&wrap}, false);
  expect_refused(s.peer, {"guest range wraps"});
}

TEST_F(HostileTest, RegionFdThatIsNotAMemfd) {
  Session s(path, {kVersion1});
  s.connect();
  GuestRam ram(1 << 20, 0x1000000, 0x7e0000000000ull);
  std::vector<std::uint8_t> payload(8, 0);
  payload[0] = 1;
  const std::vector<std::uint8_t> region = ram.region();
  payload.insert(payload.end(), region.begin(), region.end());
  EventFd not_memory;
  s.peer.send(kSetMemTable, payload.data(), payload.size(), {not_memory.fd()});
  expect_refused(s.peer, {"not a memfd"});
}

TEST_F(HostileTest, MemorySlotWithoutTheProtocolFeature) {
  SessionSetup setup{kVersion1};
  setup.protocol_features = (1ull << 0) | (1ull << 3);
  Session s(path, setup);
  s.connect();
  s.peer.add_mem_reg(s.ram, false);
  expect_refused(s.peer, {"VHOST_USER_ADD_MEM_REG", "protocol feature bit 15 was not negotiated"});
}

TEST_F(HostileTest, RemovingAnUnknownRegion) {
  SessionSetup setup{kVersion1};
  setup.memory_slots = true;
  Session s(path, setup);
  s.connect();
  GuestRam other(1 << 20, 0x1000000, 0x7e0000000000ull);
  s.peer.rem_mem_reg(other);
  expect_refused(s.peer, {"VHOST_USER_REM_MEM_REG", "no mapped region matches"});
}

TEST_F(HostileTest, KickFdThatIsNotAnEventfd) {
  Session& s = owned();
  s.peer.set_vring_fd(kSetVringKick, 0, s.ram.fd());
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_KICK", "not an eventfd"});
}

TEST_F(HostileTest, KickWithoutFdMeansPolling) {
  Session& s = owned();
  const std::uint64_t word = 0x100;
  s.peer.send(kSetVringKick, &word, sizeof word);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_KICK", "polling", "not supported"});
}

TEST_F(HostileTest, VringFdPayloadWithStrayBits) {
  Session& s = owned();
  const std::uint64_t word = 0x10000;
  s.peer.send(kSetVringCall, &word, sizeof word, {s.call.fd()});
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_CALL", "payload 0x10000"});
}

TEST_F(HostileTest, EnableWithAValueOtherThanZeroOrOne) {
  Session& s = owned();
  s.peer.set_state(kSetVringEnable, 0, 2);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_ENABLE", "value 2"});
}

TEST_F(HostileTest, RingChangedWhileRunning) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  s.peer.set_state(kSetVringNum, 0, 32);
  expect_refused(s.peer, {"VHOST_USER_SET_VRING_NUM", "ring 0 is running"});
}

TEST_F(HostileTest, ConfigurationAccessTooLarge) {
  Session s(path, {kVersion1});
  s.connect();
  std::vector<std::uint8_t> payload(12 + 300, 0);
  const std::uint32_t header[3] = {0, 300, 0};
  std::memcpy(payload.data(), header, 12);
  s.peer.send(kGetConfig, payload.data(), payload.size());
  expect_refused(s.peer, {"VHOST_USER_GET_CONFIG", "300 bytes at offset 0"});
}

TEST_F(HostileTest, ConfigurationSizeDisagreesWithPayload) {
  Session s(path, {kVersion1});
  s.connect();
  std::uint8_t payload[12 + 4] = {};
  const std::uint32_t header[3] = {0, 8, 0};
  std::memcpy(payload, header, 12);
  s.peer.send(kGetConfig, payload, sizeof payload);
  expect_refused(s.peer, {"payload of 16 bytes for a 8-byte access, expected 20"});
}

TEST_F(HostileTest, HostileRingContentsStopTheDeviceNotTheConnection) {
  // The guest's fault, not the front end's: DEVICE_NEEDS_RESET, the error eventfd fires, and
  // the connection stays for the front end to reset the device.
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  s.ring.put_descriptor(0, s.ram.guest_base(), 16, 0, 0);
  s.ring.publish(200);  // head beyond the table
  s.kick.signal();
  EXPECT_TRUE(s.err.wait()) << log_text();
  EXPECT_TRUE(logged({"device needs a reset", "head 200"})) << log_text();
  EXPECT_FALSE(s.peer.closed_by_back_end(std::chrono::milliseconds(200)));
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace vhost_test
