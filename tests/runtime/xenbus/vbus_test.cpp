// The vbus flavour: drivers matched by compatible string, store entries only for enabled
// devices, each domain's bus attaching drivers and running the handshake through watches.
#include <gtest/gtest.h>

#include <vgen/store/local_client.hpp>
#include <vgen/xenbus/vbus.hpp>

#include "support.hpp"

namespace vgen::xenbus {
namespace {

using store::LocalClient;
using store::LocalStore;
using test::RecordingBackend;
using test::RecordingFrontend;

constexpr DomainId kGuest = 1;
constexpr DomainId kDriverDomain = 2;

// Runs both buses until `done()` or 5 s.
bool run_until(Bus& first, Bus& second, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    first.process();
    second.process();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

State state_of(const Bus& bus, const DeviceAddress& device) {
  const Driver* driver = bus.driver(device);
  return driver == nullptr ? State::Unknown : driver->state();
}

class Vbus : public ::testing::Test {
 protected:
  void SetUp() override {
    // Per-driver private data lives in the factory; per-device data is the driver object.
    backend_bus_.register_backend("vdummy,backend", [this](store::Client& client, const DeviceAddress& device) {
      ++backends_made_;
      return std::make_unique<RecordingBackend>(client, device);
    });
    frontend_bus_.register_frontend("vdummy,frontend", [this](store::Client& client, const DeviceAddress& device) {
      ++frontends_made_;
      return std::make_unique<RecordingFrontend>(client, device);
    });
  }

  LocalStore store_;
  LocalClient toolstack_{store_, 0};
  LocalClient guest_{store_, kGuest};
  LocalClient driver_domain_{store_, kDriverDomain};
  Bus frontend_bus_{guest_};
  Bus backend_bus_{driver_domain_};
  int backends_made_ = 0;
  int frontends_made_ = 0;
  const Topology topology_{
      {"vdummy", 0, kGuest, kDriverDomain, true},
      {"vdummy", 1, kGuest, kDriverDomain, true},
      {"vdummy", 2, kGuest, kDriverDomain, false},  // disabled: no store entries, no driver
      {"vother", 0, kGuest, kDriverDomain, true},   // enabled, but no driver registered
  };
};

TEST(VbusCompatible, ParsesAndRejects) {
  EXPECT_EQ(parse_compatible("vdummy,backend"), (std::pair<std::string, Side>{"vdummy", Side::Backend}));
  EXPECT_EQ(parse_compatible("vdummy,frontend"), (std::pair<std::string, Side>{"vdummy", Side::Frontend}));
  EXPECT_EQ(backend_compatible("vdummy"), "vdummy,backend");
  EXPECT_EQ(frontend_compatible("vdummy"), "vdummy,frontend");
  for (const char* bad : {"vdummy", ",backend", "vdummy,middle", "v/dummy,backend", "vdummy,backend,x", ""}) {
    try {
      parse_compatible(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Invalid);
      EXPECT_NE(std::string(error.what()).find("'" + std::string(bad) + "'"), std::string::npos) << error.what();
    }
  }
}

TEST_F(Vbus, StoreEntriesOnlyForEnabledDevices) {
  const std::vector<DeviceAddress> created = populate(toolstack_, topology_);
  ASSERT_EQ(created.size(), 3u);
  EXPECT_TRUE(toolstack_.exists("/local/domain/1/device/vdummy/0/state"));
  EXPECT_TRUE(toolstack_.exists("/local/domain/2/backend/vdummy/1/1/state"));
  EXPECT_FALSE(toolstack_.exists("/local/domain/1/device/vdummy/2"));
  EXPECT_FALSE(toolstack_.exists("/local/domain/2/backend/vdummy/1/2"));
  EXPECT_TRUE(toolstack_.exists("/local/domain/1/device/vother/0/state"));
}

TEST_F(Vbus, MatchedDriversConnectThroughWatches) {
  populate(toolstack_, topology_);
  const DeviceAddress zero{"vdummy", kGuest, kDriverDomain, 0};
  const DeviceAddress one{"vdummy", kGuest, kDriverDomain, 1};
  ASSERT_TRUE(run_until(frontend_bus_, backend_bus_, [&] {
    return state_of(frontend_bus_, zero) == State::Connected && state_of(frontend_bus_, one) == State::Connected &&
           state_of(backend_bus_, zero) == State::Connected && state_of(backend_bus_, one) == State::Connected;
  }));
  EXPECT_EQ(backends_made_, 2);
  EXPECT_EQ(frontends_made_, 2);
  EXPECT_EQ(frontend_bus_.drivers().size(), 2u);
  EXPECT_EQ(backend_bus_.drivers().size(), 2u);
  EXPECT_EQ(frontend_bus_.driver({"vdummy", kGuest, kDriverDomain, 2}), nullptr);
  EXPECT_EQ(frontend_bus_.unmatched(), (std::vector<std::string>{"/local/domain/1/device/vother/0"}));
  EXPECT_EQ(backend_bus_.unmatched(), (std::vector<std::string>{"/local/domain/2/backend/vother/1/0"}));
  EXPECT_TRUE(frontend_bus_.failures().empty());
}

TEST_F(Vbus, DestroyedDeviceLosesItsDrivers) {
  populate(toolstack_, topology_);
  const DeviceAddress zero{"vdummy", kGuest, kDriverDomain, 0};
  ASSERT_TRUE(run_until(frontend_bus_, backend_bus_, [&] {
    return state_of(frontend_bus_, zero) == State::Connected && state_of(backend_bus_, zero) == State::Connected;
  }));
  toolstack_.remove(frontend_path(zero));
  ASSERT_TRUE(run_until(frontend_bus_, backend_bus_,
                        [&] { return frontend_bus_.driver(zero) == nullptr && backend_bus_.driver(zero) == nullptr; }));
  EXPECT_FALSE(toolstack_.exists(backend_path(zero))) << "the backend unregistered and removed its nodes";
  EXPECT_EQ(backend_bus_.drivers().size(), 1u);
}

TEST_F(Vbus, LateRegistrationAttaches) {
  populate(toolstack_, topology_);
  const DeviceAddress other{"vother", kGuest, kDriverDomain, 0};
  backend_bus_.process();
  EXPECT_EQ(backend_bus_.driver(other), nullptr);
  backend_bus_.register_backend("vother,backend", [](store::Client& client, const DeviceAddress& device) {
    return std::make_unique<RecordingBackend>(client, device);
  });
  backend_bus_.process();
  ASSERT_NE(backend_bus_.driver(other), nullptr);
  EXPECT_EQ(backend_bus_.driver(other)->state(), State::InitWait);  // probed on attach
}

TEST_F(Vbus, BadRegistrationsAndTopologies) {
  EXPECT_THROW(backend_bus_.register_backend("vdummy,frontend", {}), Error);
  EXPECT_THROW(backend_bus_.register_backend("vdummy,backend", {}), Error);  // registered already
  EXPECT_THROW(frontend_bus_.register_frontend("vdummy", {}), Error);
  try {
    populate(toolstack_, {{"vdummy", 0, kGuest, kDriverDomain, true}, {"vdummy", 0, kGuest, kDriverDomain, false}});
    ADD_FAILURE() << "duplicate accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("topology entry 1 ('vdummy' devid 0 of domain 1): listed twice"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(toolstack_.exists("/local/domain/1/device/vdummy/0")) << "nothing written for a bad topology";
  EXPECT_THROW(populate(toolstack_, {{"v/x", 0, kGuest, kDriverDomain, true}}), Error);
}

TEST_F(Vbus, MalformedDeviceIsReportedNotAttached) {
  populate(toolstack_, {{"vdummy", 0, kGuest, kDriverDomain, true}});
  toolstack_.write("/local/domain/1/device/vdummy/0/backend-id", "x");
  frontend_bus_.process();
  EXPECT_EQ(frontend_bus_.drivers().size(), 0u);
  ASSERT_EQ(frontend_bus_.failures().size(), 1u);
  EXPECT_NE(frontend_bus_.failures()[0].find("/local/domain/1/device/vdummy/0/backend-id' holds 'x'"),
            std::string::npos)
      << frontend_bus_.failures()[0];
}

}  // namespace
}  // namespace vgen::xenbus
