// The virtio bus: drivers and devices register in either order; a device that matches a
// driver's table (device ID and, where given, vendor ID; or a compatible string as vbus pairs
// use, e.g. "vdummy,backend") is probed; removing either side calls the driver's remove. A
// probe that fails leaves both registered and unbound, and the failure is reported.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <vgen/trace/hooks.hpp>

namespace vgen::virtio {

class Transport;
class BusDriver;

/// Matches every vendor (the VIRTIO_DEV_ANY_ID of Linux's id tables).
inline constexpr std::uint32_t kAnyVendor = 0xffffffff;

/// One entry of a driver's match table: either IDs or a compatible string.
struct DeviceMatch {
  std::uint32_t device_id = 0;           ///< VIRTIO_ID_*; ignored when `compatible` is set
  std::uint32_t vendor_id = kAnyVendor;  ///< a vendor, or kAnyVendor
  std::string compatible;                ///< non-empty: match devices with this compatible string

  /// An entry matching device type `device` from `vendor` (any vendor by default).
  static DeviceMatch id(std::uint32_t device, std::uint32_t vendor = kAnyVendor);
  /// An entry matching the compatible string `name`.
  static DeviceMatch compatible_with(std::string name);
};

/// A device on the bus. Identified by IDs (a virtio device reached through a Transport) or by
/// a compatible string (a vbus device). Not owned by the bus: it must stay alive while
/// registered.
class BusDevice {
 public:
  /// A virtio device: `device_id` must not be 0 (§4.2.3.1.1: 0 is a placeholder).
  BusDevice(std::string name, std::uint32_t device_id, std::uint32_t vendor_id, Transport* transport = nullptr);
  /// A device matched by compatible string (must not be empty).
  BusDevice(std::string name, std::string compatible);
  BusDevice(const BusDevice&) = delete;
  BusDevice& operator=(const BusDevice&) = delete;

  /// For messages.
  const std::string& name() const noexcept { return name_; }
  std::uint32_t device_id() const noexcept { return device_id_; }
  std::uint32_t vendor_id() const noexcept { return vendor_id_; }
  /// "" for a device matched by IDs.
  const std::string& compatible() const noexcept { return compatible_; }
  /// How a driver reaches the device (null for a vbus device).
  Transport* transport() const noexcept { return transport_; }
  /// The bound driver, or null.
  BusDriver* driver() const noexcept { return driver_; }

  /// Data of whoever created the device (platform data); kept across bindings.
  std::any& platform_data() noexcept { return platform_data_; }
  /// The bound driver's data for this device: set in probe(), cleared after remove() or a
  /// failed probe.
  std::any& driver_data() noexcept { return driver_data_; }

 private:
  friend class Bus;
  std::string name_;
  std::uint32_t device_id_ = 0;
  std::uint32_t vendor_id_ = 0;
  std::string compatible_;
  Transport* transport_ = nullptr;
  BusDriver* driver_ = nullptr;
  std::any platform_data_;
  std::any driver_data_;
};

/// A driver on the bus. Not owned by the bus: it must stay alive while registered.
class BusDriver {
 public:
  /// `table` must not be empty; compatible entries must not be empty strings.
  BusDriver(std::string name, std::vector<DeviceMatch> table);
  virtual ~BusDriver() = default;
  BusDriver(const BusDriver&) = delete;
  BusDriver& operator=(const BusDriver&) = delete;

  /// Binds to `device`; throw (any std::exception) to refuse it.
  virtual void probe(BusDevice& device) = 0;
  /// Unbinds from `device`; should not throw (a thrown error is reported, the unbinding holds).
  virtual void remove(BusDevice& device) = 0;

  const std::string& name() const noexcept { return name_; }
  const std::vector<DeviceMatch>& table() const noexcept { return table_; }
  /// True if some entry of the table matches `device`.
  bool matches(const BusDevice& device) const noexcept;
  /// The driver's own data (shared by all its devices).
  std::any& private_data() noexcept { return private_data_; }

 private:
  std::string name_;
  std::vector<DeviceMatch> table_;
  std::any private_data_;
};

/// A probe or remove that failed.
struct BusFailure {
  std::string driver;   ///< the driver's name
  std::string device;   ///< the device's name
  std::string action;   ///< "probe" or "remove"
  std::string message;  ///< what the driver threw
};

/// The bus. Registration calls probe/remove synchronously on the calling thread; a recursive
/// lock lets a probe register further devices (a bus bridge). Drivers are tried in the order
/// they registered.
class Bus {
 public:
  Bus() = default;
  /// Unbinds every bound pair (calling remove); registered objects must still be alive.
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  /// Registers `device` and probes matching drivers until one accepts it. InvalidArgument if
  /// it is already registered.
  void add_device(BusDevice& device);
  /// Calls remove if bound, then unregisters. InvalidArgument if not registered.
  void remove_device(BusDevice& device);
  /// Registers `driver` and probes every unbound device it matches. InvalidArgument if it is
  /// already registered or its name is taken.
  void add_driver(BusDriver& driver);
  /// Calls remove for every device bound to `driver`, then unregisters it; those devices stay
  /// registered and unbound. InvalidArgument if not registered.
  void remove_driver(BusDriver& driver);

  /// Registration queries.
  bool has_device(const BusDevice& device) const;
  bool has_driver(const BusDriver& driver) const;
  /// Every failed probe or remove so far, oldest first.
  std::vector<BusFailure> failures() const;
  /// Also called (on the registering thread) for each failure as it happens.
  void set_failure_reporter(std::function<void(const BusFailure&)> reporter);
  /// Bind and unbind events (EventKind::StateChanged: a = 0/1 before, b = 1/0 after).
  void set_trace(trace::TraceSink* sink);

 private:
  bool try_bind(BusDriver& driver, BusDevice& device);
  void unbind(BusDevice& device);
  void report(BusFailure failure);

  mutable std::recursive_mutex mutex_;
  std::vector<BusDevice*> devices_;
  std::vector<BusDriver*> drivers_;
  std::vector<BusFailure> failures_;
  std::function<void(const BusFailure&)> reporter_;
  trace::TraceSink* trace_ = nullptr;
};

}  // namespace vgen::virtio
