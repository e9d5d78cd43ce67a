// Test support: an rpmsg pair in one process, over the rpmsg rings in test memory with eventfd
// notifications. The remote half is made and started on the test's thread, then served by a
// thread of its own; the host half lives on the test's thread, as an rpmsg host's demo
// expects (it polls its own bus).
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include <vgen/halves/handler_check.hpp>
#include <vgen/notify/eventfd.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/memory.hpp>

namespace vgen::testing {

/// The rpmsg memory, both sides' rings and buses, and the remote's thread.
class RpmsgLink {
 public:
  /// Plans the rings for buffers of `buffer_size` bytes and builds both sides.
  explicit RpmsgLink(std::uint32_t buffer_size);
  /// Stops the remote's thread.
  ~RpmsgLink();
  RpmsgLink(const RpmsgLink&) = delete;
  RpmsgLink& operator=(const RpmsgLink&) = delete;

  /// The host's bus (the test's thread) and the remote's (its thread once serve() ran).
  rpmsg::Bus& host_bus() noexcept { return *host_bus_; }
  rpmsg::Bus& remote_bus() noexcept { return *remote_bus_; }
  /// Starts the thread that polls the remote's bus until this link goes.
  void serve();
  /// Stops that thread (idempotent); rethrows what ended it early.
  void stop();
  /// Stops that thread (idempotent) and forgets what ended it early.
  void halt() noexcept;

 private:
  shm::GuestMemory memory_;
  notify::EventfdNotifier kick_;
  notify::EventfdNotifier interrupt_;
  std::optional<rpmsg::HostVrings> host_vrings_;
  std::optional<rpmsg::RemoteVrings> remote_vrings_;
  std::optional<rpmsg::Bus> remote_bus_;
  std::optional<rpmsg::Bus> host_bus_;
  std::atomic<bool> stopping_{false};
  std::exception_ptr failure_;
  std::thread remote_;
};

/// `Driver` (the host half, constructible from the host's bus) and `Device` (the remote half,
/// constructible from the remote's bus, with start()) connected by an RpmsgLink: the shape of
/// vgen's generated halves.
template <class Driver, class Device>
class RpmsgHarness {
  // First, so that a half lacking a handler is reported as such, not as an abstract member.
  static_assert(halves::overrides_handlers<Driver>() && halves::overrides_handlers<Device>());

 public:
  /// Makes and starts the remote, serves it, and makes the host.
  RpmsgHarness() : link_(Device::kSpec.buffer_size), device_(link_.remote_bus()), driver_(link_.host_bus()) {
    device_.start();
    link_.serve();
  }
  /// Stops the remote's thread before the halves go (RpmsgLink::stop() reports its failure).
  ~RpmsgHarness() { link_.halt(); }

  /// The host half, on the test's thread.
  Driver& driver() noexcept { return driver_; }
  /// The remote half, started; its handlers run on the remote's thread.
  Device& device() noexcept { return device_; }
  /// The rings, buses and the remote's thread (stop() it before reading the remote's state).
  RpmsgLink& link() noexcept { return link_; }

 private:
  RpmsgLink link_;
  Device device_;
  Driver driver_;
};

}  // namespace vgen::testing
