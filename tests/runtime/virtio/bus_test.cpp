// The virtio bus: registration in either order, matching by device ID, vendor ID and
// compatible string, remove on either side, failed probes, private data.
#include <gtest/gtest.h>

#include <linux/virtio_ids.h>

#include <stdexcept>

#include <vgen/virtio/bus.hpp>
#include <vgen/virtio/error.hpp>

namespace vgen::test {
namespace {

using virtio::BusDevice;
using virtio::DeviceMatch;

// Records probe and remove calls as "probe:device" / "remove:device"; probes fail on demand.
class TestDriver : public virtio::BusDriver {
 public:
  TestDriver(std::string name, std::vector<DeviceMatch> table, std::vector<std::string>& calls)
      : BusDriver(std::move(name), std::move(table)), calls_(calls) {}

  bool fail_probe = false;

  void probe(BusDevice& device) override {
    calls_.push_back(name() + " probe:" + device.name());
    if (fail_probe) throw std::runtime_error("no such hardware revision");
    device.driver_data() = std::string("state of ") + device.name();
  }
  void remove(BusDevice& device) override {
    const auto* state = std::any_cast<std::string>(&device.driver_data());
    calls_.push_back(name() + " remove:" + device.name() + (state != nullptr ? " with " + *state : ""));
  }

 private:
  std::vector<std::string>& calls_;
};

// Each test unregisters what it registered before its objects go out of scope.
class BusTest : public ::testing::Test {
 protected:
  std::vector<std::string> calls;
  virtio::Bus bus;
};

TEST_F(BusTest, DriverFirstThenDevice) {
  TestDriver net("net", {DeviceMatch::id(VIRTIO_ID_NET)}, calls);
  BusDevice device("dev0", VIRTIO_ID_NET, 0x1af4);
  bus.add_driver(net);
  EXPECT_TRUE(calls.empty());
  bus.add_device(device);
  EXPECT_EQ(calls, (std::vector<std::string>{"net probe:dev0"}));
  EXPECT_EQ(device.driver(), &net);
  bus.remove_device(device);
}

TEST_F(BusTest, DeviceFirstThenDriver) {
  BusDevice device("dev0", VIRTIO_ID_BLOCK, 0x1af4);
  TestDriver block("block", {DeviceMatch::id(VIRTIO_ID_BLOCK)}, calls);
  bus.add_device(device);
  EXPECT_EQ(device.driver(), nullptr);
  bus.add_driver(block);
  EXPECT_EQ(calls, (std::vector<std::string>{"block probe:dev0"}));
  EXPECT_EQ(device.driver(), &block);
  bus.remove_driver(block);
  EXPECT_EQ(calls.back(), "block remove:dev0 with state of dev0");
  bus.remove_device(device);
}

TEST_F(BusTest, VendorIsMatchedWhereGiven) {
  TestDriver picky("picky", {DeviceMatch::id(VIRTIO_ID_CONSOLE, 0x1234)}, calls);
  TestDriver any("any", {DeviceMatch::id(VIRTIO_ID_CONSOLE)}, calls);
  BusDevice other_vendor("con0", VIRTIO_ID_CONSOLE, 0x9999);
  BusDevice right_vendor("con1", VIRTIO_ID_CONSOLE, 0x1234);
  BusDevice other_type("rng0", VIRTIO_ID_RNG, 0x1234);
  bus.add_driver(picky);
  bus.add_driver(any);
  bus.add_device(other_vendor);
  bus.add_device(right_vendor);
  bus.add_device(other_type);
  EXPECT_EQ(other_vendor.driver(), &any);
  EXPECT_EQ(right_vendor.driver(), &picky) << "drivers are tried in registration order";
  EXPECT_EQ(other_type.driver(), nullptr);
  bus.remove_device(other_vendor);
  bus.remove_device(right_vendor);
  bus.remove_device(other_type);
}

TEST_F(BusTest, RemovingEitherSideCallsRemove) {
  TestDriver net("net", {DeviceMatch::id(VIRTIO_ID_NET)}, calls);
  BusDevice a("a", VIRTIO_ID_NET, 1);
  BusDevice b("b", VIRTIO_ID_NET, 1);
  bus.add_driver(net);
  bus.add_device(a);
  bus.add_device(b);
  bus.remove_device(a);
  EXPECT_EQ(calls.back(), "net remove:a with state of a") << "driver data is still there during remove";
  EXPECT_FALSE(bus.has_device(a));
  EXPECT_FALSE(a.driver_data().has_value());
  bus.remove_driver(net);
  EXPECT_EQ(calls.back(), "net remove:b with state of b");
  EXPECT_TRUE(bus.has_device(b)) << "the device stays registered, unbound";
  EXPECT_EQ(b.driver(), nullptr);
  EXPECT_FALSE(bus.has_driver(net));
  bus.add_driver(net);
  EXPECT_EQ(b.driver(), &net) << "a returning driver binds again";
  bus.remove_device(b);
}

TEST_F(BusTest, FailedProbeLeavesBothRegisteredAndUnbound) {
  TestDriver flaky("flaky", {DeviceMatch::id(VIRTIO_ID_GPU)}, calls);
  flaky.fail_probe = true;
  std::vector<virtio::BusFailure> reported;
  bus.set_failure_reporter([&](const virtio::BusFailure& f) { reported.push_back(f); });
  BusDevice gpu("gpu0", VIRTIO_ID_GPU, 7);
  bus.add_driver(flaky);
  bus.add_device(gpu);
  EXPECT_TRUE(bus.has_driver(flaky));
  EXPECT_TRUE(bus.has_device(gpu));
  EXPECT_EQ(gpu.driver(), nullptr);
  EXPECT_FALSE(gpu.driver_data().has_value());
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].driver, "flaky");
  EXPECT_EQ(reported[0].device, "gpu0");
  EXPECT_EQ(reported[0].action, "probe");
  EXPECT_EQ(reported[0].message, "no such hardware revision");
  EXPECT_EQ(bus.failures().size(), 1u);

  // A second matching driver still gets its chance; removing the device calls no remove.
  TestDriver good("good", {DeviceMatch::id(VIRTIO_ID_GPU)}, calls);
  bus.add_driver(good);
  EXPECT_EQ(gpu.driver(), &good);
  bus.remove_driver(flaky);
  EXPECT_EQ(calls, (std::vector<std::string>{"flaky probe:gpu0", "good probe:gpu0"}));
  bus.remove_device(gpu);
  EXPECT_EQ(calls.back(), "good remove:gpu0 with state of gpu0");
}

TEST_F(BusTest, CompatibleStringsMatchVbusPairs) {
  TestDriver backend("vdummy-backend", {DeviceMatch::compatible_with("vdummy,backend")}, calls);
  backend.private_data() = 42;
  BusDevice be("vdummy-be", "vdummy,backend");
  BusDevice fe("vdummy-fe", "vdummy,frontend");
  be.platform_data() = std::string("domain 3");
  bus.add_device(be);
  bus.add_device(fe);
  bus.add_driver(backend);
  EXPECT_EQ(be.driver(), &backend);
  EXPECT_EQ(fe.driver(), nullptr);
  EXPECT_EQ(std::any_cast<int>(backend.private_data()), 42);
  EXPECT_EQ(std::any_cast<std::string>(be.platform_data()), "domain 3");
  EXPECT_EQ(std::any_cast<std::string>(be.driver_data()), "state of vdummy-be");
  bus.remove_driver(backend);
  EXPECT_EQ(std::any_cast<std::string>(be.platform_data()), "domain 3") << "platform data outlives the binding";
  bus.remove_device(be);
  bus.remove_device(fe);
}

TEST_F(BusTest, IdEntriesNeverMatchCompatibleDevicesAndViceVersa) {
  TestDriver by_id("by-id", {DeviceMatch::id(VIRTIO_ID_NET)}, calls);
  TestDriver by_name("by-name", {DeviceMatch::compatible_with("virtio,net")}, calls);
  BusDevice named("named", "virtio,net");
  BusDevice numbered("numbered", VIRTIO_ID_NET, 0);
  bus.add_driver(by_id);
  bus.add_driver(by_name);
  bus.add_device(named);
  bus.add_device(numbered);
  EXPECT_EQ(named.driver(), &by_name);
  EXPECT_EQ(numbered.driver(), &by_id);
  bus.remove_device(named);
  bus.remove_device(numbered);
}

TEST_F(BusTest, RegistrationErrorsAreReported) {
  TestDriver net("net", {DeviceMatch::id(VIRTIO_ID_NET)}, calls);
  TestDriver twin("net", {DeviceMatch::id(VIRTIO_ID_BLOCK)}, calls);
  BusDevice device("dev", VIRTIO_ID_NET, 0);
  EXPECT_THROW(bus.remove_device(device), virtio::Error);
  EXPECT_THROW(bus.remove_driver(net), virtio::Error);
  bus.add_device(device);
  EXPECT_THROW(bus.add_device(device), virtio::Error);
  bus.add_driver(net);
  EXPECT_THROW(bus.add_driver(net), virtio::Error);
  EXPECT_THROW(bus.add_driver(twin), virtio::Error) << "names are unique";
  EXPECT_THROW(BusDevice("zero", 0, 0), virtio::Error) << "device ID 0 is a placeholder";
  EXPECT_THROW(BusDevice("nameless", std::string()), virtio::Error);
  EXPECT_THROW(TestDriver("empty", {}, calls), virtio::Error);
  EXPECT_THROW(TestDriver("blank", {DeviceMatch{}}, calls), virtio::Error);
  bus.remove_device(device);
}

TEST_F(BusTest, ThrowingRemoveIsReportedAndStillUnbinds) {
  struct Grumpy : virtio::BusDriver {
    Grumpy() : BusDriver("grumpy", {DeviceMatch::id(VIRTIO_ID_SOUND)}) {}
    void probe(BusDevice&) override {}
    void remove(BusDevice&) override { throw std::runtime_error("busy"); }
  } grumpy;
  BusDevice sound("snd", VIRTIO_ID_SOUND, 0);
  bus.add_driver(grumpy);
  bus.add_device(sound);
  bus.remove_driver(grumpy);
  EXPECT_EQ(sound.driver(), nullptr);
  ASSERT_EQ(bus.failures().size(), 1u);
  EXPECT_EQ(bus.failures()[0].action, "remove");
  EXPECT_EQ(bus.failures()[0].message, "busy");
  bus.remove_device(sound);
}

TEST_F(BusTest, ProbeMayRegisterChildDevices) {
  BusDevice child("child", VIRTIO_ID_RNG, 0);
  struct Bridge : virtio::BusDriver {
    Bridge(virtio::Bus& b, BusDevice& c) : BusDriver("bridge", {DeviceMatch::id(VIRTIO_ID_RPMSG)}), bus(b), child(c) {}
    void probe(BusDevice&) override { bus.add_device(child); }
    void remove(BusDevice&) override { bus.remove_device(child); }
    virtio::Bus& bus;
    BusDevice& child;
  } bridge(bus, child);
  TestDriver rng("rng", {DeviceMatch::id(VIRTIO_ID_RNG)}, calls);
  BusDevice parent("parent", VIRTIO_ID_RPMSG, 0);
  bus.add_driver(rng);
  bus.add_driver(bridge);
  bus.add_device(parent);
  EXPECT_TRUE(bus.has_device(child));
  EXPECT_EQ(child.driver(), &rng);
  bus.remove_device(parent);
  EXPECT_FALSE(bus.has_device(child));
  EXPECT_EQ(calls.back(), "rng remove:child with state of child");
}

}  // namespace
}  // namespace vgen::test
