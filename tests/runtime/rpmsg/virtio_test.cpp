// rpmsg on the VirtIO device model: the host driver and the remote device model bound by the
// virtio bus over the in-process transport, with feature negotiation, announcements at
// DRIVER_OK, echo traffic, removal and a second probe.
#include <gtest/gtest.h>

#include <vgen/rpmsg/error.hpp>
#include <vgen/rpmsg/virtio_adapter.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/in_process.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

constexpr shm::GuestAddress kBase = 0x10000000;
constexpr std::uint64_t kBytes = 1 << 20;

struct VirtioFixture {
  VirtioFixture() : allocator(kBase, kBytes) {
    memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-rpmsg-virtio", kBytes)));
  }
  shm::GuestMemory memory;
  shm::Allocator allocator;
  LogCapture log;
};

TEST(Virtio, HostDriverAndRemoteDeviceOverTheInProcessTransport) {
  VirtioFixture f;
  RecordingDriver echo_client({"virtio-echo"});
  int announcements = 0;
  rpmsg::VirtioRemoteOptions remote_options;
  remote_options.bus.log = f.log.sink();
  remote_options.on_bus = [&](Bus& bus) {
    ++announcements;
    bus.create_channel("virtio-echo", [](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t) {
      ASSERT_TRUE(self.try_send(payload));
    });
  };
  rpmsg::VirtioRemoteDevice model(remote_options);
  virtio::DeviceCore core(f.memory, model);
  virtio::InProcessTransport transport(core);
  rpmsg::VirtioHostOptions host_options;
  host_options.bus.log = f.log.sink();
  host_options.on_bus = [&](Bus& bus) { bus.register_driver(echo_client); };
  rpmsg::VirtioHostDriver host(f.memory, f.allocator, host_options);
  virtio::BusDevice device("rpmsg0", rpmsg::kDeviceId, rpmsg::kVirtioVendorId, &transport);
  virtio::Bus virtio_bus;
  virtio_bus.add_driver(host);
  virtio_bus.add_device(device);

  ASSERT_TRUE(virtio_bus.failures().empty()) << virtio_bus.failures().front().message;
  EXPECT_EQ(device.driver(), &host);
  EXPECT_TRUE(core.has_feature(rpmsg::kFeatureNameService));
  ASSERT_NE(host.bus(device), nullptr);
  ASSERT_NE(model.bus(), nullptr);
  ASSERT_NE(echo_client.channel(), nullptr) << f.log.all();
  EXPECT_EQ(announcements, 1);

  for (int i = 0; i < 2000; ++i) {
    const std::string message = "virtio " + std::to_string(i);
    ASSERT_TRUE(echo_client.channel()->try_send(bytes(message)));
    host.service(device);
    ASSERT_EQ(echo_client.messages.size(), static_cast<std::size_t>(i + 1));
    ASSERT_EQ(echo_client.messages.back().payload, message);
  }

  virtio_bus.remove_device(device);
  EXPECT_EQ(echo_client.removed, std::vector<std::string>{"virtio-echo"});
  EXPECT_EQ(host.bus(device), nullptr);
  EXPECT_EQ(model.bus(), nullptr) << "the device reset dropped the remote bus";
  EXPECT_THROW(host.service(device), rpmsg::Error);

  // Probed again: the same rings are used, the remote announces again.
  virtio_bus.add_device(device);
  ASSERT_NE(echo_client.channel(), nullptr);
  EXPECT_EQ(announcements, 2);
  ASSERT_TRUE(echo_client.channel()->try_send(bytes("again")));
  host.service(device);
  EXPECT_EQ(echo_client.messages.back().payload, "again");
}

TEST(Virtio, WithoutNameServiceNothingIsAnnounced) {
  VirtioFixture f;
  // A remote model that does not offer VIRTIO_RPMSG_F_NS.
  class Plain final : public virtio::DeviceModel {
   public:
    explicit Plain(rpmsg::VirtioRemoteDevice& inner) : inner_(inner) {}
    virtio::DeviceIdentity identity() const override { return inner_.identity(); }
    std::uint64_t offered_features() const override {
      return inner_.offered_features() & ~virtio::feature_bit(rpmsg::kFeatureNameService);
    }
    std::vector<std::uint32_t> queue_max_sizes() const override { return inner_.queue_max_sizes(); }
    void activate(virtio::DeviceCore& core) override { inner_.activate(core); }
    void queue_notified(virtio::DeviceCore& core, std::uint16_t i) override { inner_.queue_notified(core, i); }
    void reset(virtio::DeviceCore& core) override { inner_.reset(core); }

   private:
    rpmsg::VirtioRemoteDevice& inner_;
  };
  std::vector<Received> at_remote;
  rpmsg::VirtioRemoteOptions remote_options;
  remote_options.bus.log = f.log.sink();
  remote_options.on_bus = [&](Bus& bus) {
    EXPECT_EQ(bus.endpoint_count(), 0u) << "no name service endpoint";
    bus.create_endpoint(record_into(at_remote), 2000);
  };
  rpmsg::VirtioRemoteDevice inner(remote_options);
  Plain model(inner);
  virtio::DeviceCore core(f.memory, model);
  virtio::InProcessTransport transport(core);
  rpmsg::VirtioHostOptions host_options;
  host_options.bus.log = f.log.sink();
  rpmsg::VirtioHostDriver host(f.memory, f.allocator, host_options);
  virtio::BusDevice device("rpmsg0", rpmsg::kDeviceId, rpmsg::kVirtioVendorId, &transport);
  virtio::Bus virtio_bus;
  virtio_bus.add_driver(host);
  virtio_bus.add_device(device);
  ASSERT_NE(host.bus(device), nullptr);
  EXPECT_FALSE(core.has_feature(rpmsg::kFeatureNameService));
  EXPECT_EQ(host.bus(device)->endpoint_count(), 0u);
  rpmsg::Endpoint& sender = host.bus(device)->create_endpoint([](auto&, auto, auto) {});
  ASSERT_TRUE(sender.try_send_to(2000, bytes("direct")));
  EXPECT_EQ(at_remote, (std::vector<Received>{{sender.address(), "direct"}}));
}

TEST(Virtio, DeviceWithoutTransportIsRefused) {
  VirtioFixture f;
  rpmsg::VirtioHostDriver host(f.memory, f.allocator);
  virtio::BusDevice device("rpmsg-none", rpmsg::kDeviceId, rpmsg::kVirtioVendorId, nullptr);
  virtio::Bus virtio_bus;
  virtio_bus.add_driver(host);
  virtio_bus.add_device(device);
  ASSERT_EQ(virtio_bus.failures().size(), 1u);
  EXPECT_NE(virtio_bus.failures()[0].message.find("has no transport"), std::string::npos);
  EXPECT_EQ(device.driver(), nullptr);
}

}  // namespace
}  // namespace vgen::test
