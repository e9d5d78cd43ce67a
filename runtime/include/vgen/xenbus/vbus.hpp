// The vbus flavour of Xenbus (as in SOO's vbus/vbstore): drivers register under a
// compatible string, "<type>,backend" or "<type>,frontend" (e.g. "vdummy,backend"), and the
// bus of each domain attaches them to the devices the store holds for that domain. Store
// entries exist only for devices enabled in the platform's topology (populate()), so a
// disabled device never gets a driver.
//
// Each Bus acts as one domain through its client. It watches the domain's `device` and
// `backend` directories; when they change, process() lists them, creates a driver (through
// the registered factory) for every new device of a registered type, probes new backends,
// and forgets drivers whose backend unregistered or whose directory vanished. The factory
// holds the per-driver private data; the driver object is the per-device private data.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <vgen/notify/eventfd.hpp>
#include <vgen/store/client.hpp>
#include <vgen/xenbus/backend.hpp>
#include <vgen/xenbus/frontend.hpp>

namespace vgen::xenbus {

/// One device of the platform description.
struct TopologyDevice {
  std::string type;          ///< device class, the part before ",backend"/",frontend"
  std::uint32_t devid = 0;   ///< number within the class
  DomainId frontend_id = 0;  ///< domain running the frontend
  DomainId backend_id = 0;   ///< domain running the backend
  bool enabled = true;       ///< only enabled devices get store entries
};

/// The platform's devices.
using Topology = std::vector<TopologyDevice>;

/// "<type>,backend" / "<type>,frontend".
std::string backend_compatible(std::string_view type);
std::string frontend_compatible(std::string_view type);

/// Splits a compatible string into its type and side. Throws Error(Invalid) naming the
/// string unless it is "<type>,backend" or "<type>,frontend" with a non-empty type made of
/// letters, digits, '-' and '_'.
std::pair<std::string, Side> parse_compatible(std::string_view compatible);

/// Creates the store entries (toolstack.hpp) of every enabled device and nothing for the
/// others; returns the devices created. Throws Error(Invalid) naming the entry for a bad
/// type or a device listed twice (same type, frontend and devid), before writing anything.
std::vector<DeviceAddress> populate(store::Client& toolstack, const Topology& topology);

/// The bus of one domain.
class Bus {
 public:
  /// Makes a backend driver for a device (the Bus probes it).
  using BackendFactory = std::function<std::unique_ptr<Backend>(store::Client&, const DeviceAddress&)>;
  /// Makes a frontend driver for a device.
  using FrontendFactory = std::function<std::unique_ptr<Frontend>(store::Client&, const DeviceAddress&)>;

  /// Watches the domain's device and backend directories through `client`.
  explicit Bus(store::Client& client);
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  /// Registers the driver for "<type>,backend". Throws Error(Invalid) for a malformed or
  /// frontend compatible string, or one registered already.
  void register_backend(std::string_view compatible, BackendFactory factory);
  /// Registers the driver for "<type>,frontend". Same rules.
  void register_frontend(std::string_view compatible, FrontendFactory factory);

  /// Attaches and forgets drivers if the directories changed, then runs every driver's
  /// process(); true if anything happened.
  bool process();
  /// Readable when a watched directory changed.
  int pollable_fd() const noexcept { return wakeup_.pollable_fd(); }

  /// The live driver of a device, or nullptr.
  Driver* driver(const DeviceAddress& device) const;
  /// Every live driver, by device directory path.
  const std::map<std::string, std::unique_ptr<Driver>>& drivers() const noexcept { return drivers_; }
  /// Device directories of this domain for which no driver is registered.
  const std::vector<std::string>& unmatched() const noexcept { return unmatched_; }
  /// Why drivers could not be attached at the last scan (the driver's error, naming the
  /// node and value), one entry per device.
  const std::vector<std::string>& failures() const noexcept { return failures_; }

 private:
  void scan();
  void scan_frontends();
  void scan_backends();
  void attach(const std::string& compatible, const DeviceAddress& device, std::vector<std::string>& seen);
  void create(const std::string& compatible, bool backend, const std::string& path, const DeviceAddress& device);
  std::vector<std::string> list(const std::string& path);

  store::Client& client_;
  std::map<std::string, BackendFactory> backends_;    // by compatible
  std::map<std::string, FrontendFactory> frontends_;  // by compatible
  std::map<std::string, std::unique_ptr<Driver>> drivers_;
  std::vector<std::string> unmatched_;
  std::vector<std::string> failures_;
  notify::EventfdNotifier wakeup_;
  std::atomic<bool> changed_{true};
  std::string device_root_;
  std::string backend_root_;
};

}  // namespace vgen::xenbus
