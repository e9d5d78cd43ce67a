// Frontend and Backend over an in-process store: node layout and permissions the toolstack
// creates, the handshake, closedown from each side, the error path, migration, reconfiguration,
// and every bad input the drivers must report (naming the node and the value).
#include <gtest/gtest.h>

#include <memory>
#include <vgen/store/local_client.hpp>
#include <vgen/xenbus/toolstack.hpp>

#include "support.hpp"

namespace vgen::xenbus {
namespace {

using store::Access;
using store::ClientError;
using store::LocalClient;
using store::LocalStore;
using test::RecordingBackend;
using test::RecordingFrontend;
using test::run_until;
using test::StateTrace;

constexpr DomainId kFrontendDomain = 1;
constexpr DomainId kBackendDomain = 2;

const DeviceAddress kDevice{"vdummy", kFrontendDomain, kBackendDomain, 0};

class XenbusDrivers : public ::testing::Test {
 protected:
  void SetUp() override { create_device(toolstack_, kDevice, {{"params", "disk.img"}}); }

  // Frontend and backend with a shared trace; the backend has probed.
  void start() {
    frontend_ = std::make_unique<RecordingFrontend>(frontend_client_, kDevice);
    backend_ = std::make_unique<RecordingBackend>(backend_client_, kDevice);
    frontend_->set_trace(&trace_);
    backend_->set_trace(&trace_);
    backend_->probe();
  }
  void connect() {
    start();
    ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  }
  bool both_in(State frontend, State backend) {
    return run_until({frontend_.get(), backend_.get()},
                     [&] { return frontend_->state() == frontend && backend_->state() == backend; });
  }
  std::string states() const {
    return std::string("frontend ") + to_string(frontend_->state()) + ", backend " + to_string(backend_->state());
  }
  std::string read(const std::string& path) { return toolstack_.read(path); }

  LocalStore store_;
  LocalClient toolstack_{store_, 0};
  LocalClient frontend_client_{store_, kFrontendDomain};
  LocalClient backend_client_{store_, kBackendDomain};
  LocalClient stranger_{store_, 9};
  StateTrace trace_;
  std::unique_ptr<RecordingFrontend> frontend_;
  std::unique_ptr<RecordingBackend> backend_;
  const std::string frontend_dir_ = frontend_path(kDevice);
  const std::string backend_dir_ = backend_path(kDevice);
};

TEST(XenbusPaths, LayoutOfBothDirectories) {
  EXPECT_EQ(frontend_path({"vbd", 5, 0, 51712}), "/local/domain/5/device/vbd/51712");
  EXPECT_EQ(backend_path({"vbd", 5, 0, 51712}), "/local/domain/0/backend/vbd/5/51712");
  EXPECT_EQ(node_path("/a/b", "state"), "/a/b/state");
}

TEST_F(XenbusDrivers, ToolstackWritesNodesAndPermissions) {
  EXPECT_EQ(read(frontend_dir_ + "/backend"), backend_dir_);
  EXPECT_EQ(read(frontend_dir_ + "/backend-id"), "2");
  EXPECT_EQ(read(frontend_dir_ + "/state"), "1");
  EXPECT_EQ(read(backend_dir_ + "/frontend"), frontend_dir_);
  EXPECT_EQ(read(backend_dir_ + "/frontend-id"), "1");
  EXPECT_EQ(read(backend_dir_ + "/state"), "1");
  EXPECT_EQ(read(backend_dir_ + "/online"), "1");
  EXPECT_EQ(read(backend_dir_ + "/params"), "disk.img");
  const store::Permissions frontend_perms{{kFrontendDomain, Access::None}, {kBackendDomain, Access::Read}};
  const store::Permissions backend_perms{{kBackendDomain, Access::None}, {kFrontendDomain, Access::Read}};
  EXPECT_EQ(toolstack_.get_permissions(frontend_dir_), frontend_perms);
  EXPECT_EQ(toolstack_.get_permissions(frontend_dir_ + "/state"), frontend_perms);
  EXPECT_EQ(toolstack_.get_permissions(backend_dir_), backend_perms);
  EXPECT_EQ(toolstack_.get_permissions(backend_dir_ + "/online"), backend_perms);
  // Each end reads the other and writes only its own.
  EXPECT_EQ(frontend_client_.read(backend_dir_ + "/state"), "1");
  EXPECT_EQ(backend_client_.read(frontend_dir_ + "/state"), "1");
  frontend_client_.write(frontend_dir_ + "/ring-ref", "1");
  backend_client_.write(backend_dir_ + "/sectors", "1");
  EXPECT_THROW(frontend_client_.write(backend_dir_ + "/state", "4"), ClientError);
  EXPECT_THROW(backend_client_.write(frontend_dir_ + "/state", "4"), ClientError);
  EXPECT_THROW(stranger_.read(frontend_dir_ + "/state"), ClientError);
  EXPECT_THROW(stranger_.read(backend_dir_ + "/state"), ClientError);
  destroy_device(toolstack_, kDevice);
  EXPECT_FALSE(toolstack_.exists(frontend_dir_));
  EXPECT_FALSE(toolstack_.exists(backend_dir_));
}

TEST_F(XenbusDrivers, Handshake) {
  start();
  EXPECT_EQ(read(backend_dir_ + "/state"), "2");  // Xenbus: backend goes InitWait after probe
  EXPECT_EQ(read(backend_dir_ + "/feature-dummy"), "1");
  ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  EXPECT_EQ(read(frontend_dir_ + "/state"), "4");
  EXPECT_EQ(read(backend_dir_ + "/state"), "4");
  EXPECT_EQ(read(frontend_dir_ + "/ring-ref"), "8");
  EXPECT_EQ(read(frontend_dir_ + "/event-channel"), "3");
  EXPECT_EQ(backend_->ring_ref, 8u);
  EXPECT_EQ(backend_->port, 3u);
  EXPECT_EQ(frontend_->backend_sectors, "2048");
  EXPECT_EQ(frontend_->initialised, 1);
  EXPECT_EQ(backend_->connected, 1);
  // Every transition went through switch_state(), which the trace saw.
  EXPECT_EQ(trace_.path_of(0), (std::vector<unsigned>{3, 4}));
  EXPECT_EQ(trace_.path_of(1), (std::vector<unsigned>{2, 4}));
  EXPECT_EQ(frontend_->other_path(), backend_dir_);
  EXPECT_EQ(backend_->other_path(), frontend_dir_);
}

TEST_F(XenbusDrivers, FrontendPublishesAtOnceAndBackendSkipsInitWait) {
  frontend_ = std::make_unique<RecordingFrontend>(frontend_client_, kDevice);
  backend_ = std::make_unique<RecordingBackend>(backend_client_, kDevice);  // not probed
  frontend_->set_trace(&trace_);
  backend_->set_trace(&trace_);
  frontend_->publish_now();
  EXPECT_EQ(read(frontend_dir_ + "/state"), "3");
  ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  EXPECT_EQ(trace_.path_of(0), (std::vector<unsigned>{3, 4}));
  EXPECT_EQ(trace_.path_of(1), (std::vector<unsigned>{4}));  // 1 -> 4: InitWait skipped
  try {
    frontend_->publish_now();
    ADD_FAILURE() << "published twice";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::BadTransition);
    EXPECT_NE(std::string(error.what()).find("Connected (4)"), std::string::npos) << error.what();
  }
}

TEST_F(XenbusDrivers, FrontendInitiatedCloseFlushesThenReconnects) {
  connect();
  frontend_->in_flight = 3;
  frontend_->close();
  ASSERT_TRUE(both_in(State::Closing, State::Closing)) << states();
  test::settle({frontend_.get(), backend_.get()});
  EXPECT_EQ(frontend_->state(), State::Closing) << "closed with requests in flight";
  EXPECT_TRUE(frontend_->flushing());
  frontend_->in_flight = 0;
  ASSERT_TRUE(both_in(State::Closed, State::Closed)) << states();
  EXPECT_EQ(frontend_->disconnected, 1);
  EXPECT_EQ(backend_->disconnected, 1);
  EXPECT_FALSE(backend_->unregistered());  // online is still 1
  EXPECT_TRUE(toolstack_.exists(backend_dir_));
  // Reconnect: a backend at Closed that sees the frontend back at Initialising waits again.
  frontend_->resume();
  ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  EXPECT_EQ(frontend_->initialised, 2);
  EXPECT_EQ(backend_->connected, 2);
  EXPECT_EQ(trace_.path_of(0), (std::vector<unsigned>{3, 4, 5, 6, 1, 3, 4}));
  EXPECT_EQ(trace_.path_of(1), (std::vector<unsigned>{2, 4, 5, 6, 2, 4}));
}

TEST_F(XenbusDrivers, BackendInitiatedCloseUnregisters) {
  connect();
  backend_->close();
  EXPECT_EQ(read(backend_dir_ + "/online"), "0");
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->unregistered(); })) << states();
  EXPECT_EQ(frontend_->state(), State::Closed);
  EXPECT_EQ(backend_->state(), State::Closed);
  EXPECT_FALSE(toolstack_.exists(backend_dir_)) << "the backend removes its nodes on unregister";
  EXPECT_EQ(frontend_->disconnected, 1);
  EXPECT_EQ(backend_->disconnected, 1);
}

TEST_F(XenbusDrivers, DeviceInUseRefusesToCloseUntilReleased) {
  connect();
  frontend_->opened = true;
  backend_->close();
  ASSERT_TRUE(both_in(State::Closing, State::Closing)) << states();
  test::settle({frontend_.get(), backend_.get()});
  EXPECT_EQ(frontend_->state(), State::Closing);
  EXPECT_EQ(read(frontend_->error_node()), "16 device in use; refusing to close");  // EBUSY
  frontend_->opened = false;
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->unregistered(); })) << states();
  EXPECT_EQ(frontend_->state(), State::Closed);
}

TEST_F(XenbusDrivers, BackendRestartAfterCloseReconnects) {
  connect();
  backend_->close();
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->unregistered(); }));
  backend_.reset();
  // The toolstack brings the backend back (and resets the frontend's state node to 1, as it
  // does for a new device); the closed frontend sees the new backend wait and reconnects.
  create_device(toolstack_, kDevice);
  EXPECT_EQ(frontend_->state(), State::Closed);
  backend_ = std::make_unique<RecordingBackend>(backend_client_, kDevice);
  backend_->probe();
  ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  EXPECT_EQ(frontend_->initialised, 2);
}

TEST_F(XenbusDrivers, BackendGoneMakesFrontendClose) {
  connect();
  toolstack_.remove(backend_dir_);
  ASSERT_TRUE(run_until({frontend_.get()}, [&] { return frontend_->state() == State::Closed; }));
  EXPECT_EQ(frontend_->disconnected, 1);
}

TEST_F(XenbusDrivers, FrontendGoneMakesBackendUnregister) {
  connect();
  toolstack_.remove(frontend_dir_);
  ASSERT_TRUE(run_until({backend_.get()}, [&] { return backend_->unregistered(); }));
  EXPECT_FALSE(toolstack_.exists(backend_dir_));
  EXPECT_EQ(backend_->disconnected, 1);
}

TEST_F(XenbusDrivers, Reconfiguration) {
  connect();
  frontend_->reconfigure();
  EXPECT_EQ(read(frontend_dir_ + "/state"), "7");
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->reconfigured == 1; }));
  ASSERT_TRUE(both_in(State::Connected, State::Connected)) << states();
  EXPECT_EQ(frontend_->reconfigured, 1);
  EXPECT_EQ(trace_.path_of(0), (std::vector<unsigned>{3, 4, 7, 4}));
  EXPECT_EQ(trace_.path_of(1), (std::vector<unsigned>{2, 4, 8, 4}));
  EXPECT_EQ(backend_->disconnected, 0);  // stayed connected throughout
}

TEST_F(XenbusDrivers, MigrationToAnotherBackend) {
  connect();
  // The toolstack rebuilds the device on the target: a new frontend directory pointing at
  // a backend in domain 3 (the old backend sees its frontend vanish and unregisters).
  const DeviceAddress moved{"vdummy", kFrontendDomain, 3, 0};
  destroy_device(toolstack_, kDevice);
  create_device(toolstack_, moved);
  LocalClient new_client(store_, 3);
  RecordingBackend new_backend(new_client, moved);
  new_backend.probe();
  frontend_->resume();
  EXPECT_EQ(frontend_->other_path(), backend_path(moved));
  EXPECT_EQ(frontend_->other_id(), 3);
  ASSERT_TRUE(run_until({frontend_.get(), &new_backend}, [&] {
    return frontend_->state() == State::Connected && new_backend.state() == State::Connected;
  })) << to_string(frontend_->state());
  EXPECT_EQ(frontend_->initialised, 2);
  EXPECT_EQ(frontend_->disconnected, 1);
  ASSERT_TRUE(run_until({backend_.get()}, [&] { return backend_->unregistered(); }));
  // The old backend's path changing no longer reaches the frontend.
  toolstack_.write(backend_dir_ + "/state", "5");
  test::settle({frontend_.get()});
  EXPECT_EQ(frontend_->state(), State::Connected);
}

TEST_F(XenbusDrivers, MalformedRingRefIsFatal) {
  start();
  frontend_->details = {{"ring-ref", "abc"}, {"event-channel", "3"}};
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->state() == State::Closing; }));
  const std::string error_node = "/local/domain/2/error/backend/vdummy/1/0/error";
  EXPECT_EQ(backend_->error_node(), error_node);
  const std::string text = read(error_node);
  EXPECT_EQ(text.rfind("22 ", 0), 0u) << text;  // EINVAL, as xenbus_dev_fatal writes "<errno> <message>"
  EXPECT_NE(text.find(frontend_dir_ + "/ring-ref"), std::string::npos) << text;
  EXPECT_NE(text.find("'abc'"), std::string::npos) << text;
  EXPECT_EQ(backend_->last_error(), text);
  EXPECT_EQ(backend_->connected, 0);
  // The frontend follows the backend down.
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return frontend_->state() == State::Closed; }));
}

TEST_F(XenbusDrivers, UnmappableRingIsFatal) {
  start();
  backend_->refuse_grant = true;
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->state() == State::Closing; }));
  const std::string text = read(backend_->error_node());
  EXPECT_EQ(text, "22 map: grant reference 8 is not granted");
}

TEST_F(XenbusDrivers, MissingEventChannelIsFatal) {
  start();
  frontend_->details = {{"ring-ref", "8"}};
  ASSERT_TRUE(run_until({frontend_.get(), backend_.get()}, [&] { return backend_->state() == State::Closing; }));
  const std::string text = read(backend_->error_node());
  EXPECT_EQ(text.rfind("2 ", 0), 0u) << text;  // ENOENT
  EXPECT_NE(text.find(frontend_dir_ + "/event-channel' is missing"), std::string::npos) << text;
}

TEST_F(XenbusDrivers, UnknownStateNumberIsFatal) {
  start();
  ASSERT_TRUE(both_in(State::Connected, State::Connected));
  frontend_client_.write(frontend_dir_ + "/state", "9");
  ASSERT_TRUE(run_until({backend_.get()}, [&] { return backend_->state() == State::Closing; }));
  const std::string text = read(backend_->error_node());
  EXPECT_NE(text.find(frontend_dir_ + "/state' holds '9'"), std::string::npos) << text;
}

TEST_F(XenbusDrivers, FrontendReportsItsOwnErrorsUnderItsDomain) {
  connect();
  frontend_->fatal(16, "device in use");
  EXPECT_EQ(frontend_->error_node(), "/local/domain/1/error/device/vdummy/0/error");
  EXPECT_EQ(read(frontend_->error_node()), "16 device in use");
  EXPECT_EQ(frontend_->state(), State::Closing);
}

TEST_F(XenbusDrivers, InvalidTransitionsNameNodeAndStates) {
  start();
  try {
    frontend_->reconfigure();  // not Connected yet
    ADD_FAILURE() << "reconfigure while Initialising accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::BadTransition);
    const std::string text = error.what();
    EXPECT_NE(text.find(frontend_dir_ + "/state"), std::string::npos) << text;
    EXPECT_NE(text.find("Initialising (1) -> Reconfiguring (7)"), std::string::npos) << text;
  }
  EXPECT_EQ(read(frontend_dir_ + "/state"), "1");  // nothing written
  try {
    backend_->switch_state(State::Initialised);
    ADD_FAILURE() << "backend went Initialised";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::BadTransition);
    EXPECT_NE(std::string(error.what()).find("InitWait (2) -> Initialised (3)"), std::string::npos) << error.what();
  }
  EXPECT_NO_THROW(backend_->switch_state(State::InitWait));  // the current state: nothing to do
}

TEST_F(XenbusDrivers, SwitchStateFailsIfTheStateNodeVanished) {
  start();
  toolstack_.remove(frontend_dir_ + "/state");
  try {
    frontend_->close();
    ADD_FAILURE() << "switched state without a state node";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::MissingNode);
    EXPECT_NE(std::string(error.what()).find(frontend_dir_ + "/state"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(toolstack_.exists(frontend_dir_ + "/state")) << "the aborted transaction must not recreate it";
}

TEST_F(XenbusDrivers, ConstructorRejectsBadDirectories) {
  const auto expect_error = [&](ErrorCode code, const std::string& node, const std::string& value) {
    try {
      RecordingFrontend frontend(frontend_client_, kDevice);
      ADD_FAILURE() << "accepted " << node;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), code) << error.what();
      EXPECT_NE(std::string(error.what()).find(node), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(value), std::string::npos) << error.what();
    }
  };
  toolstack_.write(frontend_dir_ + "/backend-id", "two");
  expect_error(ErrorCode::BadValue, frontend_dir_ + "/backend-id", "'two'");
  toolstack_.write(frontend_dir_ + "/backend-id", "70000");
  expect_error(ErrorCode::BadValue, frontend_dir_ + "/backend-id", "'70000'");
  toolstack_.write(frontend_dir_ + "/backend", "relative/path");
  expect_error(ErrorCode::BadValue, frontend_dir_ + "/backend", "'relative/path'");
  toolstack_.remove(frontend_dir_ + "/backend");
  expect_error(ErrorCode::MissingNode, frontend_dir_ + "/backend", "missing");
  toolstack_.write(frontend_dir_ + "/state", "x");
  expect_error(ErrorCode::BadValue, frontend_dir_ + "/state", "'x'");
  toolstack_.remove(frontend_dir_ + "/state");
  expect_error(ErrorCode::MissingNode, frontend_dir_ + "/state", "missing");
  try {
    RecordingBackend backend(backend_client_, DeviceAddress{"vdummy", kFrontendDomain, kBackendDomain, 7});
    ADD_FAILURE() << "backend without a directory accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::MissingNode);
    EXPECT_NE(std::string(error.what()).find("/local/domain/2/backend/vdummy/1/7/state"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace vgen::xenbus
