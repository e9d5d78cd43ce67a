// The back end against the independent front end: QEMU's message order, replies, features,
// configuration, rings with and without EVENT_IDX and indirect descriptors, both memory
// table forms, and user-to-guest address translation.
#include <linux/virtio_config.h>
#include <poll.h>
#include <sys/socket.h>

#include "backend_fixture.hpp"

namespace vhost_test {
namespace {


// Sends one request on ring 0 and returns what came back (after the call eventfd fired).
std::string round_trip(Session& s, const std::string& text, bool indirect = false) {
  s.ring.add(bytes(text), 256, indirect);
  s.kick.signal();
  EXPECT_TRUE(s.call.wait()) << "no call for \"" << text << "\"";
  const RawRing::Used used = s.ring.pop_used();
  return {used.bytes.begin(), used.bytes.end()};
}

TEST_F(BackendTest, HandshakeInQemuOrderOffersWhatTheDeviceNeeds) {
  Session s(path, {kVersion1});
  s.connect();
  EXPECT_NE(s.offered & (1ull << 30), 0u) << "VHOST_USER_F_PROTOCOL_FEATURES";
  EXPECT_NE(s.offered & kVersion1, 0u);
  EXPECT_NE(s.offered & (1ull << 29), 0u);
  EXPECT_NE(s.offered & (1ull << 28), 0u);
  EXPECT_NE(s.offered & 1u, 0u) << "the model's own feature";
  for (unsigned bit : {0u, 3u, 5u, 9u, 13u, 15u}) EXPECT_NE(s.offered_protocol & (1ull << bit), 0u) << bit;
  EXPECT_EQ(s.peer.get_u64(kGetQueueNum), 2u);
  EXPECT_EQ(s.peer.get_u64(kGetMaxMemSlots), 32u);
  const std::vector<std::uint8_t> config = s.peer.get_config(0, 8);
  std::uint32_t magic;
  std::memcpy(&magic, config.data(), 4);
  EXPECT_EQ(magic, kConfigMagic);
  // Reading past the model's space gives zeros (QEMU asks for its own struct's size).
  const std::vector<std::uint8_t> wide = s.peer.get_config(0, 60);
  EXPECT_TRUE(std::all_of(wide.begin() + 8, wide.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_F(BackendTest, EchoesOverASplitRing) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  EXPECT_EQ(round_trip(s, "hello"), "olleh");
  EXPECT_EQ(round_trip(s, "vhost-user"), "resu-tsohv");
  EXPECT_EQ(device.answered.load(), 2u);
  EXPECT_EQ(s.stop(), 2) << "GET_VRING_BASE returns the next avail index";
}

TEST_F(BackendTest, HonoursEventIdxAndIndirectDescriptors) {
  Session s(path, {kVersion1 | (1ull << 29) | (1ull << 28)});
  s.connect();
  s.start();
  for (int i = 0; i < 200; ++i) {
    s.ring.set_used_event(s.ring.used_idx());  // interrupt me for the next one (§2.7.10)
    const std::string text = "request " + std::to_string(i);
    ASSERT_EQ(round_trip(s, text, i % 2 == 0), std::string(text.rbegin(), text.rend()));
  }
  EXPECT_EQ(device.answered.load(), 200u);
}

TEST_F(BackendTest, MemorySlotsAndAnMmapOffset) {
  SessionSetup setup{kVersion1};
  setup.memory_slots = true;
  Session s(path, setup);
  s.connect();
  s.start();
  EXPECT_EQ(round_trip(s, "slot"), "tols");
  // A second region, its file mapped from an offset; the ring's buffers move there.
  GuestRam high(1 << 20, 0x200000000ull, 0x7f1000000000ull, 3 * 4096);
  s.peer.add_mem_reg(high, true);
  EXPECT_EQ(s.peer.ack(), 0u);
  EXPECT_EQ(round_trip(s, "after add"), "dda retfa");
  std::memcpy(high.at(0x200000000ull), "region-two", 10);
  s.ring.put_descriptor(40, 0x200000000ull, 10, 0, 0);
  s.ring.publish(40);
  s.kick.signal();
  ASSERT_TRUE(s.call.wait());
  EXPECT_EQ(s.ring.pop_used().head, 40);
}

TEST_F(BackendTest, RingAddressesAreUserAddressesAndBuffersGuestAddresses) {
  // Ring in one region, buffers in another whose user and guest addresses differ widely.
  Session s(path, {kVersion1});
  s.connect();
  GuestRam data(1 << 20, 0x40000000ull, 0x555500000000ull);
  s.peer.set_u64(kSetFeatures, kVersion1 | (1ull << 30));
  s.peer.set_mem_table({&s.ram, &data}, true);
  ASSERT_EQ(s.peer.ack(), 0u);
  s.peer.set_state(kSetVringNum, 0, 64);
  s.peer.set_state(kSetVringBase, 0, 0);
  s.peer.set_vring_addr(0, s.ram.user(s.ring.desc_gpa()), s.ram.user(s.ring.used_gpa()),
                        s.ram.user(s.ring.avail_gpa()));
  s.peer.set_vring_fd(kSetVringKick, 0, s.kick.fd());
  s.peer.set_state(kSetVringEnable, 0, 1);
  std::memcpy(data.at(0x40000000ull), "abc", 3);
  s.ring.put_descriptor(0, 0x40000000ull, 3, RAW_DESC_NEXT, 1);
  s.ring.put_descriptor(1, 0x40001000ull, 16, RAW_DESC_WRITE, 0);
  s.ring.publish(0);
  s.kick.signal();
  ASSERT_TRUE(s.call.wait());
  EXPECT_EQ(s.ring.pop_used().length, 3u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(data.at(0x40001000ull)), 3), "cba");
}

TEST_F(BackendTest, ConfigurationWritesAreCheckedByTheModel) {
  Session s(path, {kVersion1});
  s.connect();
  s.start();
  const auto set_config = [&](std::uint32_t offset, std::uint32_t value) {
    std::uint8_t payload[16];
    const std::uint32_t header[3] = {offset, 4, 0};
    std::memcpy(payload, header, 12);
    std::memcpy(payload + 12, &value, 4);
    s.peer.send(kSetConfig, payload, sizeof payload, {}, kFlagsVersion1 | kFlagNeedReply);
    return s.peer.ack();
  };
  EXPECT_EQ(set_config(4, 0x1234), 0u);
  std::uint32_t written;
  std::memcpy(&written, s.peer.get_config(4, 4).data(), 4);
  EXPECT_EQ(written, 0x1234u);
  EXPECT_EQ(set_config(0, 1), 1u) << "a refused write is answered with failure";
  EXPECT_TRUE(logged({"VHOST_USER_SET_CONFIG", "read-only"}));
  EXPECT_EQ(round_trip(s, "still here"), "ereh llits") << "the connection stays";
}

TEST_F(BackendTest, DeviceConfigurationChangesAreAnnouncedOnTheBackEndChannel) {
  Session s(path, {kVersion1});
  const int channel = start_and_change_config(s);
  pollfd entry{channel, POLLIN, 0};
  ASSERT_EQ(poll(&entry, 1, 5000), 1);
  std::uint32_t header[3] = {};
  ASSERT_EQ(recv(channel, header, sizeof header, MSG_WAITALL), static_cast<ssize_t>(sizeof header));
  EXPECT_EQ(header[0], 2u) << "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG";
  EXPECT_EQ(header[1], kFlagsVersion1);
  EXPECT_EQ(header[2], 0u);
  std::uint32_t read_back;
  std::memcpy(&read_back, s.peer.get_config(4, 4).data(), 4);
  EXPECT_EQ(read_back, 7u);
  close(channel);
}

TEST_F(BackendTest, RingsStartEnabledWithoutProtocolFeatures) {
  // A front end that never acks bit 30: rings start enabled (no SET_VRING_ENABLE).
  Session s(path, {kVersion1});
  s.connect();
  s.peer.set_u64(kSetFeatures, kVersion1);
  s.peer.set_mem_table({&s.ram}, false);
  s.peer.set_state(kSetVringNum, 0, 64);
  s.peer.set_state(kSetVringBase, 0, 0);
  s.peer.set_vring_addr(0, s.ram.user(s.ring.desc_gpa()), s.ram.user(s.ring.used_gpa()),
                        s.ram.user(s.ring.avail_gpa()));
  s.peer.set_vring_fd(kSetVringKick, 0, s.kick.fd());
  EXPECT_EQ(round_trip(s, "enabled"), "delbane");
}

}  // namespace
}  // namespace vhost_test
