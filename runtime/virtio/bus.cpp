#include <vgen/virtio/bus.hpp>

#include <algorithm>
#include <exception>
#include <utility>

#include <vgen/virtio/error.hpp>

namespace vgen::virtio {
namespace {

template <class T>
bool contains(const std::vector<T*>& list, const T* item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string message_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace

DeviceMatch DeviceMatch::id(std::uint32_t device, std::uint32_t vendor) {
  DeviceMatch match;
  match.device_id = device;
  match.vendor_id = vendor;
  return match;
}

DeviceMatch DeviceMatch::compatible_with(std::string name) {
  DeviceMatch match;
  match.compatible = std::move(name);
  return match;
}

BusDevice::BusDevice(std::string name, std::uint32_t device_id, std::uint32_t vendor_id, Transport* transport)
    : name_(std::move(name)), device_id_(device_id), vendor_id_(vendor_id), transport_(transport) {
  if (device_id_ == 0) {
    throw Error(ErrorCode::InvalidArgument, "bus device " + name_ + ": device ID 0 is a placeholder, not a device");
  }
}

BusDevice::BusDevice(std::string name, std::string compatible)
    : name_(std::move(name)), compatible_(std::move(compatible)) {
  if (compatible_.empty()) {
    throw Error(ErrorCode::InvalidArgument, "bus device " + name_ + ": the compatible string is empty");
  }
}

BusDriver::BusDriver(std::string name, std::vector<DeviceMatch> table)
    : name_(std::move(name)), table_(std::move(table)) {
  if (table_.empty()) throw Error(ErrorCode::InvalidArgument, "bus driver " + name_ + ": the match table is empty");
  for (const DeviceMatch& entry : table_) {
    if (entry.compatible.empty() && entry.device_id == 0) {
      throw Error(ErrorCode::InvalidArgument,
                  "bus driver " + name_ + ": a match entry has neither a compatible string nor a device ID");
    }
  }
}

bool BusDriver::matches(const BusDevice& device) const noexcept {
  for (const DeviceMatch& entry : table_) {
    if (!entry.compatible.empty()) {
      if (entry.compatible == device.compatible()) return true;
      continue;
    }
    if (!device.compatible().empty()) continue;
    if (entry.device_id == device.device_id() &&
        (entry.vendor_id == kAnyVendor || entry.vendor_id == device.vendor_id())) {
      return true;
    }
  }
  return false;
}

Bus::~Bus() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  for (BusDevice* device : devices_) {
    if (device->driver_ != nullptr) unbind(*device);
  }
}

void Bus::report(BusFailure failure) {
  failures_.push_back(failure);
  if (reporter_) reporter_(failures_.back());
}

bool Bus::try_bind(BusDriver& driver, BusDevice& device) {
  device.driver_ = &driver;  // visible to the probe, as a bound device's driver is
  try {
    driver.probe(device);
  } catch (...) {
    // A failed probe leaves both sides registered and the device unbound.
    device.driver_ = nullptr;
    device.driver_data_.reset();
    report({driver.name(), device.name(), "probe", message_of(std::current_exception())});
    return false;
  }
  if (trace_ != nullptr) trace_->record({trace::EventKind::StateChanged, 0, 0, 0, 0, 1, trace::Channel::VirtioBus});
  return true;
}

void Bus::unbind(BusDevice& device) {
  BusDriver& driver = *device.driver_;
  try {
    driver.remove(device);
  } catch (...) {
    report({driver.name(), device.name(), "remove", message_of(std::current_exception())});
  }
  device.driver_ = nullptr;
  device.driver_data_.reset();
  if (trace_ != nullptr) trace_->record({trace::EventKind::StateChanged, 0, 0, 0, 1, 0, trace::Channel::VirtioBus});
}

void Bus::add_device(BusDevice& device) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (contains(devices_, &device)) {
    throw Error(ErrorCode::InvalidArgument, "bus: device " + device.name() + " is already registered");
  }
  devices_.push_back(&device);
  for (BusDriver* driver : std::vector<BusDriver*>(drivers_)) {
    if (device.driver_ == nullptr && driver->matches(device) && try_bind(*driver, device)) break;
  }
}

void Bus::remove_device(BusDevice& device) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  const auto it = std::find(devices_.begin(), devices_.end(), &device);
  if (it == devices_.end()) {
    throw Error(ErrorCode::InvalidArgument, "bus: device " + device.name() + " is not registered");
  }
  if (device.driver_ != nullptr) unbind(device);
  devices_.erase(std::find(devices_.begin(), devices_.end(), &device));
}

void Bus::add_driver(BusDriver& driver) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (contains(drivers_, &driver)) {
    throw Error(ErrorCode::InvalidArgument, "bus: driver " + driver.name() + " is already registered");
  }
  for (const BusDriver* other : drivers_) {
    if (other->name() == driver.name()) {
      throw Error(ErrorCode::InvalidArgument, "bus: a driver named " + driver.name() + " is already registered");
    }
  }
  drivers_.push_back(&driver);
  for (BusDevice* device : std::vector<BusDevice*>(devices_)) {
    if (device->driver_ == nullptr && driver.matches(*device)) try_bind(driver, *device);
  }
}

void Bus::remove_driver(BusDriver& driver) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  const auto it = std::find(drivers_.begin(), drivers_.end(), &driver);
  if (it == drivers_.end()) {
    throw Error(ErrorCode::InvalidArgument, "bus: driver " + driver.name() + " is not registered");
  }
  for (BusDevice* device : std::vector<BusDevice*>(devices_)) {
    if (device->driver_ == &driver) unbind(*device);
  }
  drivers_.erase(std::find(drivers_.begin(), drivers_.end(), &driver));
}

bool Bus::has_device(const BusDevice& device) const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return contains(devices_, &device);
}

bool Bus::has_driver(const BusDriver& driver) const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return contains(drivers_, &driver);
}

std::vector<BusFailure> Bus::failures() const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return failures_;
}

void Bus::set_failure_reporter(std::function<void(const BusFailure&)> reporter) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  reporter_ = std::move(reporter);
}

void Bus::set_trace(trace::TraceSink* sink) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  trace_ = sink;
}

}  // namespace vgen::virtio
