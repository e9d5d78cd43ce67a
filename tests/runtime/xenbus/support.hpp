// Helpers of the Xenbus tests: a frontend and a backend that record what the protocol made
// them do, a trace sink, and a loop that runs drivers until a condition holds.
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>
#include <vgen/store/client.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xenbus/backend.hpp>
#include <vgen/xenbus/frontend.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::xenbus::test {

/// A frontend publishing fixed (or overridden) ring details and counting handler calls.
class RecordingFrontend final : public Frontend {
 public:
  using Frontend::Frontend;
  Nodes details{{"ring-ref", "8"}, {"event-channel", "3"}, {"protocol", "x86_64-abi"}};
  int in_flight = 0;    // on_flush() says done only at 0
  bool opened = false;  // in_use()
  int initialised = 0, connected = 0, disconnected = 0, reconfigured = 0;
  std::string backend_sectors;  // read in on_connect()

 protected:
  Nodes on_initialise() override {
    ++initialised;
    return details;
  }
  void on_connect() override {
    ++connected;
    backend_sectors = client().read(node_path(other_path(), "sectors"));
  }
  bool in_use() override { return opened; }
  bool on_flush() override { return in_flight == 0; }
  void on_disconnect() override { ++disconnected; }
  void on_reconfigure() override { ++reconfigured; }
};

/// A backend that checks the frontend's ring details and counts handler calls.
class RecordingBackend final : public Backend {
 public:
  using Backend::Backend;
  int connected = 0, disconnected = 0, reconfigured = 0;
  std::uint64_t ring_ref = 0, port = 0;
  bool refuse_grant = false;  // on_connect() fails as a grant that does not map would

 protected:
  Nodes on_probe() override { return {{"feature-dummy", "1"}, {"max-ring-page-order", "0"}}; }
  Nodes on_connect() override {
    ring_ref = read_number(client(), node_path(other_path(), kRingRefNode), UINT32_MAX);
    if (refuse_grant) {
      throw xen::Error(xen::ErrorCode::NotGranted,
                       "map: grant reference " + std::to_string(ring_ref) + " is not granted");
    }
    port = read_number(client(), node_path(other_path(), kEventChannelNode), UINT32_MAX);
    ++connected;
    return {{"sectors", "2048"}, {"sector-size", "512"}};
  }
  void on_disconnect() override { ++disconnected; }
  void on_reconfigure() override { ++reconfigured; }
};

/// Records every state change a driver reports.
class StateTrace final : public trace::TraceSink {
 public:
  struct Change {
    unsigned side;  // 0 frontend, 1 backend
    unsigned from;
    unsigned to;
    bool operator==(const Change&) const = default;
  };
  void record(const trace::Event& event) noexcept override {
    if (event.kind == trace::EventKind::StateChanged) {
      changes.push_back({event.index, static_cast<unsigned>(event.a), static_cast<unsigned>(event.b)});
    }
  }
  /// The states one side went through, in order.
  std::vector<unsigned> path_of(unsigned side) const {
    std::vector<unsigned> out;
    for (const Change& change : changes) {
      if (change.side == side) out.push_back(change.to);
    }
    return out;
  }
  std::vector<Change> changes;
};

/// Runs process() on `drivers` until `done()` (true) or 5 s pass (false).
inline bool run_until(std::initializer_list<Driver*> drivers, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    for (Driver* driver : drivers) driver->process();
    if (done()) return true;
    std::vector<pollfd> fds;
    for (Driver* driver : drivers) fds.push_back({driver->pollable_fd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 5);
  }
  return done();
}

/// Lets watch events arrive and be processed for `ms` milliseconds (for "nothing happens").
inline void settle(std::initializer_list<Driver*> drivers, int ms = 50) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    for (Driver* driver : drivers) driver->process();
    std::vector<pollfd> fds;
    for (Driver* driver : drivers) fds.push_back({driver->pollable_fd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 5);
  }
}

}  // namespace vgen::xenbus::test
