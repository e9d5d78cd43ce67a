// One device of a split pair under test, and everything around it: a store (in this process,
// or a daemon's socket), a connection per domain (toolstack 0, frontend 1, backend 2), the
// frontend's grant table, the backend's mapping of it, linked event channels, and each real
// half running on a thread of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <vgen/conform/split_target.hpp>
#include <vgen/store/local_client.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>
#include <vgen/xenbus/vbus.hpp>

#include "guest_ring_bridge.hpp"
#include "recording_client.hpp"

namespace vgen::conform::xenbus_checks {

/// Where the store is: a daemon's socket (empty: a store in this process) and, for a daemon
/// that reaches guests only through ring pages (C xenstored under vgen-xenstored-shim), the
/// shim's folder (empty: the daemon lets domain 0 act as a guest, as vgen-xenstored does).
struct StoreAccess {
  std::string socket;
  std::string shim_dir;
};

/// Runs one half's step() on a thread of its own; commands run on that thread too.
class HalfThread {
 public:
  /// `step` runs the half once (true if it did something); `fds` are what to wait on.
  HalfThread(std::function<bool()> step, std::function<std::vector<int>()> fds);
  ~HalfThread();
  /// Runs `command` on the half's thread before its next step.
  void post(std::function<void()> command);
  /// Runs `command` there and waits until it ran (false: the thread stopped, or `timeout`).
  bool run_and_wait(std::function<void()> command, std::chrono::milliseconds timeout);
  /// Why the half stopped with an exception ("" while it runs).
  std::string error() const;

 private:
  void loop();
  std::function<bool()> step_;
  std::function<std::vector<int>()> fds_;
  mutable std::mutex mutex_;
  std::condition_variable ran_;
  std::vector<std::function<void()>> commands_;
  std::uint64_t posted_ = 0, done_ = 0;  // commands posted, commands run
  bool ended_ = false;                   // the loop returned
  std::string error_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// The world of one device.
class SplitWorld {
 public:
  static constexpr xenbus::DomainId kFrontendDomain = 1;
  static constexpr xenbus::DomainId kBackendDomain = 2;

  /// `store.socket` empty: an in-process store; else a daemon that lets domain 0 act as a
  /// guest (vgen-xenstored's CONTROL set-domid), or with `store.shim_dir` one reached by the
  /// guests' ring pages (GuestRingBridge).
  SplitWorld(const SplitTarget& target, const StoreAccess& store);
  ~SplitWorld();

  const SplitTarget& target() const noexcept { return target_; }
  xenbus::DeviceAddress device() const;
  std::string frontend_dir() const;
  std::string backend_dir() const;
  /// The toolstack's connection (domain 0).
  store::Client& toolstack() { return *toolstack_; }
  /// The frontend's and backend's own connections, as a scripted peer uses them.
  store::Client& frontend_client() { return *frontend_raw_; }
  store::Client& backend_client() { return *backend_raw_; }

  /// The toolstack creates (destroys) both directories; for a vbus pair the platform's
  /// topology lists the device, enabled, and populate() creates them.
  void create();
  /// True for a vbus pair: each domain's bus attaches its half by compatible string.
  bool vbus() const noexcept;
  /// The real halves (nullptr while a vbus bus has not attached one, or none runs).
  halves::SplitFrontendLink* frontend() const;
  halves::SplitBackendLink* backend() const;
  /// vbus: what the buses could not attach ("" when every device got its driver).
  std::string bus_problems() const;
  void destroy();
  /// Starts the pair's real frontend (backend, probed) on a thread of its own.
  void start_frontend();
  void start_backend();
  /// Runs `command` on the real frontend's (backend's) thread.
  void frontend_do(std::function<void(halves::SplitFrontendLink&)> command);
  void backend_do(std::function<void(halves::SplitBackendLink&)> command);
  /// Every write the real halves made, in the order it took effect.
  const WriteLog& writes() const noexcept { return log_; }
  /// Waits until the real halves have dealt with everything the store told them so far, and
  /// with what that made them write, round after round until a round writes nothing: every
  /// watch event queued on their connections has been delivered (a barrier watch on each
  /// connection fires behind them) and each half has stepped since. False if a half stopped
  /// or a round took longer than `timeout`.
  bool settle(std::chrono::milliseconds timeout);
  /// Why a real half stopped with an exception ("" if it did not).
  std::string half_errors() const;
  /// Stops the real halves' threads and drops them.
  void stop_halves();
  /// Stops the real frontend only (its directory stays as it left it).
  void stop_frontend();
  /// The backend crashes: its thread stops without a last write (the object stays, as a dead
  /// domain's memory would, until the world ends) and the toolstack removes its directory,
  /// as when a backend domain dies.
  void crash_backend();
  /// The toolstack makes a fresh backend directory for the device (Initialising, online),
  /// resets the frontend's state node to Initialising in the same transaction (as re-adding a
  /// device does), and a new real backend is started on it, as after a backend domain's
  /// restart or a migration.
  void replace_backend();

 private:
  std::unique_ptr<store::Client> connect(const StoreAccess& store, xenbus::DomainId domain);

  const SplitTarget& target_;
  std::unique_ptr<store::LocalStore> local_;
  std::vector<std::unique_ptr<GuestRingBridge>> bridges_;  // outlive the clients speaking through them
  std::unique_ptr<store::Client> toolstack_, frontend_raw_, backend_raw_;
  WriteLog log_;
  std::unique_ptr<store::Client> frontend_recorded_, backend_recorded_;  // what reaches the store
  std::unique_ptr<store::Client> frontend_wrapped_, backend_wrapped_;    // flawed halves only
  xen::GrantTable table_;
  xen::GrantMapper mapper_;
  xen::EventChannels frontend_events_{kFrontendDomain};
  xen::EventChannels backend_events_{kBackendDomain};
  std::unique_ptr<halves::SplitFrontendLink> frontend_;
  std::unique_ptr<halves::SplitBackendLink> backend_;
  std::unique_ptr<halves::SplitBackendLink> crashed_backend_;  // a crashed backend, never stepped again
  std::unique_ptr<xenbus::Bus> frontend_bus_, backend_bus_;    // vbus: each domain's bus
  std::unique_ptr<xenbus::Bus> crashed_bus_;                   // vbus: a crashed backend's bus
  std::unique_ptr<HalfThread> frontend_thread_, backend_thread_;
  std::uint64_t barriers_ = 0;
};

}  // namespace vgen::conform::xenbus_checks
