// The VirtIO halves' payload shapes: a message followed by data up to a bound, raw buffers of
// a spec's size, and requests whose chain leaves out parts or puts the reply first (VirtIO
// 1.2 §2.7.4). Faithful traffic between the halves, then chains a hostile driver makes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <vgen/halves/virtio_device.hpp>
#include <vgen/halves/virtio_driver.hpp>
#include <vgen/testing/virtio_device_harness.hpp>
#include <vgen/testing/virtio_harness.hpp>
#include <vgen/virtio/error.hpp>

namespace frames {

struct Header {
  std::uint16_t kind_ = 0;
  std::uint16_t length_ = 0;
};
struct Status {
  std::uint8_t code_ = 0;
};

constexpr std::uint16_t kTx = 0;        // driver-to-device: a Header and up to 16 data bytes
constexpr std::uint16_t kRx = 1;        // device-to-driver: the same
constexpr std::uint16_t kLog = 2;       // raw, 32-byte buffers
constexpr std::uint16_t kRequests = 3;  // Header, then the Status first and up to 8 data bytes in
constexpr std::uint32_t kData = 16;

inline constexpr vgen::halves::QueueSpec kQueues[] = {
    {.size = 8,
     .direction = vgen::halves::Direction::driver_to_device,
     .message_bytes = sizeof(Header),
     .data_bytes = kData,
     .bounded = true},
    {.size = 8,
     .direction = vgen::halves::Direction::device_to_driver,
     .message_bytes = sizeof(Header),
     .data_bytes = kData,
     .bounded = true},
    {.size = 8,
     .direction = vgen::halves::Direction::driver_to_device,
     .message_bytes = 32,
     .raw = true,
     .bounded = true},
    {.size = 16,
     .direction = vgen::halves::Direction::bidirectional,
     .message_bytes = sizeof(Header),
     .reply_bytes = sizeof(Status),
     .data_bytes = 8,
     .bounded = true,
     .readable_data = false,
     .reply = vgen::halves::ReplyPlacement::first},
};
inline constexpr vgen::halves::VirtioSpec kSpec{
    .name = "frames", .device_id = 0x7f11, .offered_features = vgen::halves::offered_features(0), .queues = kQueues};

inline std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline std::span<const std::byte> bytes(const std::string& value) { return std::as_bytes(std::span(value)); }

// Echoes each frame onto rx; answers a request with status 7 and `length` bytes of 'v'.
class Device : public vgen::halves::VirtioDevice<vgen::halves::NoConfig, kSpec> {
 public:
  std::vector<std::string> frames;
  std::vector<std::string> log;
  using VirtioDevice::send_bytes;

 protected:
  void on_queue_message(std::uint16_t index, std::span<const std::byte> message) override {
    if (index == kLog) log.push_back(text(message));
    if (index != kTx) return;
    const auto data = message.subspan(sizeof(Header));
    frames.push_back(text(data));
    send_bytes(kRx, message.first(sizeof(Header)), data);
  }
  void on_queue_request(std::uint16_t index, vgen::halves::DeviceRequest& request) override {
    if (index != kRequests) return;
    const Header header = vgen::wire::decode<Header>(request.header);
    const std::size_t length = std::min<std::size_t>(header.length_, request.data_out.size());
    std::fill_n(request.data_out.begin(), length, std::byte{'v'});
    request.written = static_cast<std::uint32_t>(length);
    vgen::wire::encode(Status{7}, request.reply);
  }
};

class Driver : public vgen::halves::VirtioDriver<vgen::halves::NoConfig, kSpec> {
 public:
  using VirtioDriver::post_buffers;
  using VirtioDriver::send_bytes;
  using VirtioDriver::submit_request;
  using VirtioDriver::VirtioDriver;
  std::vector<std::string> frames;
  std::vector<std::pair<int, std::string>> answers;  ///< (status, data in)

 protected:
  void on_queue_buffer(std::uint16_t index, std::span<const std::byte> message) override {
    if (index == kRx) frames.push_back(text(message.subspan(sizeof(Header))));
  }
  void on_queue_reply(std::uint16_t index, const vgen::halves::Reply& reply) override {
    if (index == kRequests) answers.emplace_back(vgen::wire::decode<Status>(reply.reply).code_, text(reply.data_in));
  }
};

}  // namespace frames

namespace {

using namespace frames;
using Pair = vgen::testing::VirtioHarness<Driver, Device>;
using vgen::virtio::Error;

TEST(VirtioPayload, AMessageAndItsDataTravelAsOneBufferBothWays) {
  Pair pair;
  pair.start();
  pair.driver().post_buffers(kRx, 4);
  EXPECT_TRUE(pair.driver().send_bytes(kTx, vgen::wire::bytes_of(Header{1, 5}), bytes("hello")));
  EXPECT_TRUE(pair.driver().send_bytes(kTx, vgen::wire::bytes_of(Header{1, 0}), {}));
  EXPECT_TRUE(pair.driver().send_bytes(kTx, vgen::wire::bytes_of(Header{1, 16}), bytes("0123456789abcdef")));
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().frames.size() == 3; }));
  const std::vector<std::string> expected{"hello", "", "0123456789abcdef"};
  EXPECT_EQ(pair.device().frames, expected);
  EXPECT_EQ(pair.driver().frames, expected);
  EXPECT_EQ(pair.device().malformed(), 0u);
}

TEST(VirtioPayload, DataPastTheBoundIsRefusedByBothHalves) {
  Pair pair;
  pair.start();
  const std::string seventeen(17, 'x');
  EXPECT_THROW(pair.driver().send_bytes(kTx, vgen::wire::bytes_of(Header{}), bytes(seventeen)), Error);
  EXPECT_THROW(pair.device().send_bytes(kRx, vgen::wire::bytes_of(Header{}), bytes(seventeen)), Error);
  EXPECT_THROW(pair.driver().send_bytes(kLog, bytes(std::string(33, 'x'))), Error) << "raw buffers are 32 bytes";
  EXPECT_TRUE(pair.driver().send_bytes(kLog, bytes(std::string(32, 'x'))));
  EXPECT_TRUE(pair.run_until([&] { return pair.device().log.size() == 1; }));
}

TEST(VirtioPayload, TheReplyComesFirstAndTheDataAfterIt) {
  Pair pair;
  pair.start();
  EXPECT_TRUE(pair.driver().submit_request(kRequests, vgen::wire::bytes_of(Header{2, 3}), {}, 8));
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().answers.size() == 1; }));
  EXPECT_EQ(pair.driver().answers[0], (std::pair<int, std::string>{7, "vvv"}));
  EXPECT_THROW(pair.driver().submit_request(kRequests, vgen::wire::bytes_of(Header{}), bytes("out"), 0), Error)
      << "the chain has no device-readable data";
  EXPECT_THROW(pair.driver().submit_request(kRequests, vgen::wire::bytes_of(Header{}), {}, 9), Error) << "bound is 8";
}

// The device against a driver that ignores the spec's bounds.
TEST(VirtioPayloadFraming, ChainsPastTheBoundOrShorterThanTheHeaderAreRefused) {
  vgen::testing::VirtioDeviceHarness<Device> device;
  auto& tx = device.queue(kTx);
  const vgen::virtqueue::Buffer too_long[] = {device.ram().buffer(sizeof(Header) + kData + 1)};
  const vgen::virtqueue::Buffer too_short[] = {device.ram().buffer(sizeof(Header) - 1)};
  const vgen::virtqueue::Buffer just_right[] = {device.ram().buffer(sizeof(Header) + kData)};
  tx.add(too_long, {});
  tx.add(too_short, {});
  tx.add(just_right, {});
  device.notify(kTx);
  EXPECT_EQ(device.device().malformed(), 2u);
  EXPECT_EQ(device.device().frames.size(), 1u);
  EXPECT_EQ(tx.take_used().size(), 3u) << "every chain returned";
  auto& log = device.queue(kLog);
  const vgen::virtqueue::Buffer long_log[] = {device.ram().buffer(33)};
  log.add(long_log, {});
  device.notify(kLog);
  EXPECT_EQ(device.device().malformed(), 3u) << "a raw chain past buffer_size";
  EXPECT_TRUE(device.device().log.empty());
  EXPECT_FALSE(device.needs_reset());
}

TEST(VirtioPayloadFraming, RequestsWithPartsTheChainDoesNotHaveAreRefused) {
  vgen::testing::VirtioDeviceHarness<Device> device;
  auto& requests = device.queue(kRequests);
  const vgen::virtqueue::Buffer with_data_out[] = {device.buffer_with(Header{0, 1}), device.ram().buffer(1)};
  const vgen::virtqueue::Buffer header[] = {device.buffer_with(Header{0, 1})};
  const vgen::virtqueue::Buffer too_much_in[] = {device.ram().buffer(1), device.ram().buffer(9)};
  const vgen::virtqueue::Buffer reply_and_data[] = {device.ram().buffer(1), device.ram().buffer(4)};
  requests.add(with_data_out, reply_and_data);
  requests.add(header, too_much_in);
  requests.add(header, reply_and_data);
  device.notify(kRequests);
  EXPECT_EQ(device.device().malformed(), 2u);
  const auto used = requests.take_used();
  ASSERT_EQ(used.size(), 3u);
  EXPECT_EQ(used[0].len, 0u);
  EXPECT_EQ(used[1].len, 0u);
  EXPECT_EQ(used[2].len, 2u) << "the status, then the one byte written";
  EXPECT_EQ(device.ram().bytes(reply_and_data[0].addr, 1)[0], std::byte{7});
  EXPECT_EQ(device.ram().bytes(reply_and_data[1].addr, 1)[0], std::byte{'v'});
}

// A device that returns every chain with nothing written: too little for a reply, even first.
class SilentDevice : public frames::Device {
 public:
  void queue_notified(vgen::virtio::DeviceCore& core, std::uint16_t index) override {
    vgen::virtqueue::DescriptorChain chain;
    while (core.queue(index)->take(chain)) core.queue(index)->put(chain.head(), 0);
    core.queue(index)->notify();
  }
};

TEST(VirtioPayload, AReplyFirstMissingFromTheUsedChainIsCountedByTheDriver) {
  vgen::testing::VirtioHarness<Driver, SilentDevice> pair;
  pair.start();
  EXPECT_TRUE(pair.driver().submit_request(kRequests, vgen::wire::bytes_of(Header{2, 3}), {}, 8));
  pair.driver().post_buffers(kRx, 1);
  EXPECT_TRUE(pair.run_until([&] { return pair.driver().malformed() == 2; }));
  EXPECT_TRUE(pair.driver().answers.empty());
  EXPECT_TRUE(pair.driver().frames.empty()) << "an rx buffer without its header";
}

}  // namespace
