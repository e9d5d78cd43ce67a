// The VirtIO halves: the driver's queues (slots, send, post, requests and their replies,
// kicks) and the device's framing (consume, deliver, answer), over the in-process
// transport; then each side facing a peer that breaks the framing.
#include <gtest/gtest.h>

#include <string>

#include <vgen/testing/virtio_device_harness.hpp>
#include <vgen/testing/virtio_harness.hpp>
#include <vgen/virtio/error.hpp>

#include "ping_virtio.hpp"

namespace {

using VirtioPair = vgen::testing::VirtioHarness<ping::Driver, ping::Device>;
using vgen::virtio::Error;
using vgen::virtio::ErrorCode;

std::span<const std::byte> text(const std::string& value) { return std::as_bytes(std::span(value)); }

TEST(VirtioHalves, StartNegotiatesAndSetsUpTheQueuesTheFeaturesAllow) {
  VirtioPair pair;
  const std::uint64_t features = pair.start();
  EXPECT_TRUE(pair.driver().started);
  EXPECT_EQ(features & 0x3, 0x3u);
  for (std::uint16_t index = 0; index < 5; ++index) EXPECT_TRUE(pair.driver().has_queue(index)) << index;
  EXPECT_EQ(pair.core().identity().vendor_id, 0x1234u);
}

TEST(VirtioHalves, AQueueWaitsForItsFeature) {
  vgen::testing::GuestRam ram;
  ping::Device device;
  vgen::virtio::DeviceCore core(ram.memory(), device);
  vgen::virtio::InProcessTransport transport(core);
  ping::Driver driver(transport, ram.memory(), ram.allocator(), {.features = std::uint64_t{1} << ping::kFeatureExtra});
  EXPECT_EQ(driver.start() & 0x3, 0u) << "EXTRA depends on BASE, which was not asked for";
  EXPECT_FALSE(driver.has_queue(ping::kExtra));
  EXPECT_FALSE(driver.send_bytes(ping::kExtra, vgen::wire::bytes_of(ping::ping(1))));
}

TEST(VirtioHalves, MessagesReachTheDeviceAndComeBack) {
  VirtioPair pair;
  pair.start();
  EXPECT_EQ(pair.driver().post_buffers(ping::kEvents, 8), 8u);
  EXPECT_TRUE(pair.driver().send_bytes(ping::kCommands, vgen::wire::bytes_of(ping::ping(5))));
  EXPECT_TRUE(pair.driver().send_bytes(ping::kLog, text("hello")));
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().events.size() == 1; }));
  EXPECT_EQ(pair.device().commands, std::vector<std::uint32_t>{5});
  EXPECT_EQ(pair.driver().events, std::vector<std::uint32_t>{5});
  EXPECT_EQ(pair.device().log, std::vector<std::string>{"hello"});
}

TEST(VirtioHalves, ASentMessageWaitsForABuffer) {
  VirtioPair pair;
  pair.start();
  EXPECT_TRUE(pair.driver().send_bytes(ping::kCommands, vgen::wire::bytes_of(ping::ping(9))));
  pair.driver().poll();
  EXPECT_TRUE(pair.driver().events.empty()) << "no event buffer posted yet";
  pair.driver().post_buffers(ping::kEvents, 1);
  EXPECT_TRUE(pair.run_until([&] { return !pair.driver().events.empty(); }));
  EXPECT_EQ(pair.driver().events.front(), 9u);
}

TEST(VirtioHalves, TheDeviceProducesForPostedBuffers) {
  VirtioPair pair;
  pair.start();
  pair.device().produce = true;
  pair.driver().post_buffers(ping::kEvents, 3);
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().events.size() == 3; }));
  EXPECT_EQ(pair.driver().events, (std::vector<std::uint32_t>{1000, 1001, 1002}));
}

TEST(VirtioHalves, RequestsGetTheirReplyAndData) {
  VirtioPair pair;
  pair.start();
  EXPECT_TRUE(pair.driver().submit_request(ping::kCalls, vgen::wire::bytes_of(ping::ping(300)), text("abc"), 3));
  EXPECT_TRUE(pair.driver().submit_request(ping::kCalls, vgen::wire::bytes_of(ping::ping(7)), {}, 0));
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().answers.size() == 2; }));
  EXPECT_EQ(pair.driver().answers[0], (std::pair<std::uint32_t, std::uint8_t>{300, 300 % 256}));
  EXPECT_EQ(pair.driver().data_in[0], "abc");
  EXPECT_EQ(pair.driver().answers[1], (std::pair<std::uint32_t, std::uint8_t>{7, 7}));
  EXPECT_EQ(pair.driver().malformed(), 0u);
}

TEST(VirtioHalves, SlotsRunOutUntilTheDeviceReturnsThem) {
  VirtioPair pair;
  pair.start();
  std::size_t sent = 0;
  while (pair.driver().send_bytes(ping::kLog, text("x"))) ++sent;
  EXPECT_EQ(sent, 8u) << "one slot per queue entry";
  pair.driver().poll();  // kicks; the device consumes; the next poll reclaims
  pair.driver().poll();
  EXPECT_TRUE(pair.driver().send_bytes(ping::kLog, text("y")));
  EXPECT_EQ(pair.device().log.size(), 8u);
}

TEST(VirtioHalves, CallsOnTheWrongQueueOrOfTheWrongSizeThrow) {
  VirtioPair pair;
  pair.start();
  const auto code = [](const auto& call) {
    try {
      call();
    } catch (const Error& error) {
      return error.code();
    }
    return ErrorCode::Timeout;
  };
  EXPECT_EQ(code([&] { pair.driver().send_bytes(ping::kEvents, text("x")); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().send_bytes(ping::kLog, {}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().send_bytes(ping::kLog, text(std::string(513, 'x'))); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().post_buffers(ping::kCommands, 1); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().submit_request(ping::kCalls, text("toolong"), {}, 0); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().submit_request(ping::kCalls, vgen::wire::bytes_of(ping::ping(1)), {}, 5000); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { pair.driver().send_bytes(9, text("x")); }), ErrorCode::InvalidArgument);
}

TEST(VirtioHalves, TheConfigurationSpaceIsTyped) {
  VirtioPair pair;
  pair.start();
  const ping::Config config = pair.driver().read_config();
  EXPECT_EQ(vgen::wire::le(config.counter_), 41u);
  EXPECT_THROW(pair.driver().core().write_config(0, 4, 1), Error) << "counter is read-only";
  pair.driver().core().write_config(4, 2, 77);
  EXPECT_EQ(vgen::wire::le(pair.device().config().limit_), 77u);
  ping::Config changed = pair.device().config();
  changed.counter_ = vgen::wire::le(std::uint32_t{5});
  pair.device().update_config(changed, false);
  EXPECT_EQ(vgen::wire::le(pair.driver().read_config().counter_), 5u);
}

TEST(VirtioHalves, StopTakesEveryBufferBack) {
  VirtioPair pair;
  pair.start();
  pair.driver().post_buffers(ping::kEvents, 4);
  pair.driver().poll();
  const vgen::virtio::DetachedBuffers detached = pair.driver().stop();
  ASSERT_EQ(detached.count(ping::kEvents), 1u);
  EXPECT_EQ(detached.at(ping::kEvents).size(), 4u);
}

// The device's framing against chains a driver should not make.
TEST(VirtioFraming, ChainsTooShortForTheirMessageAreCounted) {
  vgen::testing::VirtioDeviceHarness<ping::Device> device;
  auto& commands = device.queue(ping::kCommands);
  const vgen::virtqueue::Buffer short_message[] = {device.ram().buffer(2)};
  commands.add(short_message, {});
  device.notify(ping::kCommands);
  EXPECT_EQ(device.device().malformed(), 1u);
  EXPECT_TRUE(device.device().commands.empty());
  ASSERT_EQ(commands.take_used().size(), 1u) << "returned unused";
  EXPECT_FALSE(device.needs_reset());
}

TEST(VirtioFraming, ARequestWithoutRoomForItsReplyIsCounted) {
  vgen::testing::VirtioDeviceHarness<ping::Device> device;
  auto& calls = device.queue(ping::kCalls);
  const vgen::virtqueue::Buffer header[] = {device.buffer_with(ping::ping(3))};
  calls.add(header, {});
  device.notify(ping::kCalls);
  EXPECT_EQ(device.device().malformed(), 1u);
  const auto used = calls.take_used();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].len, 0u);
}

TEST(VirtioFraming, TheReplyGoesAtTheEndOfTheWritablePart) {
  vgen::testing::VirtioDeviceHarness<ping::Device> device;
  auto& calls = device.queue(ping::kCalls);
  const vgen::virtqueue::Buffer readable[] = {device.buffer_with(ping::ping(9)), device.ram().buffer_with(text("ab"))};
  const vgen::virtqueue::Buffer writable[] = {device.ram().buffer(2), device.ram().buffer(1)};
  calls.add(readable, writable);
  device.notify(ping::kCalls);
  const auto used = calls.take_used();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].len, 3u) << "data and reply";
  EXPECT_EQ(device.ram().bytes(writable[0].addr, 2)[1], std::byte{'b'});
  EXPECT_EQ(device.ram().bytes(writable[1].addr, 1)[0], std::byte{9}) << "status 9 % 256";
}

TEST(VirtioFraming, AChainOnADeviceToDriverQueueThatCarriesDataIsHeldUntilAMessageComes) {
  vgen::testing::VirtioDeviceHarness<ping::Device> device;
  auto& events = device.queue(ping::kEvents);
  const vgen::virtqueue::Buffer room[] = {device.ram().buffer(sizeof(ping::Ping))};
  events.add({}, room);
  device.notify(ping::kEvents);
  EXPECT_TRUE(events.take_used().empty());
  device.core().run([&] { device.device().send_bytes(ping::kEvents, vgen::wire::bytes_of(ping::ping(12))); });
  const auto used = events.take_used();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].len, sizeof(ping::Ping));
}

TEST(VirtioFraming, AHostileChainMakesTheDeviceAskForAReset) {
  vgen::testing::VirtioDeviceHarness<ping::Device> device;
  device.queue(ping::kLog).add_next_out_of_range();
  device.notify(ping::kLog);
  EXPECT_TRUE(device.needs_reset());
}

// A device that returns every chain with one byte written: too little for a message.
class ShortDevice : public ping::Device {
 public:
  void queue_notified(vgen::virtio::DeviceCore& core, std::uint16_t index) override {
    vgen::virtqueue::DescriptorChain chain;
    while (core.queue(index)->take(chain)) core.queue(index)->put(chain.head(), 1);
    core.queue(index)->notify();
  }
};

TEST(VirtioHalves, UsedChainsTooShortForTheirMessageAreCountedByTheDriver) {
  vgen::testing::VirtioHarness<ping::Driver, ShortDevice> pair;
  pair.start();
  pair.driver().post_buffers(ping::kEvents, 2);
  pair.driver().submit_request(ping::kCalls, vgen::wire::bytes_of(ping::ping(1)), {}, 4);  // 4 data + 1 reply
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().malformed() == 3; }));
  EXPECT_TRUE(pair.driver().events.empty());
  EXPECT_TRUE(pair.driver().answers.empty());
}

}  // namespace
