#include <algorithm>
#include <set>
#include <tuple>
#include <vgen/xenbus/toolstack.hpp>
#include <vgen/xenbus/vbus.hpp>

namespace vgen::xenbus {

namespace {

constexpr std::string_view kBackendSuffix = ",backend";
constexpr std::string_view kFrontendSuffix = ",frontend";

bool valid_type(std::string_view type) {
  if (type.empty()) return false;
  for (char c : type) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A directory entry that is a device number; nullopt for anything else.
std::optional<std::uint32_t> device_number(const std::string& name, const std::string& path) {
  try {
    return static_cast<std::uint32_t>(parse_number(name, path, UINT32_MAX));
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::string backend_compatible(std::string_view type) { return std::string(type) + std::string(kBackendSuffix); }

std::string frontend_compatible(std::string_view type) { return std::string(type) + std::string(kFrontendSuffix); }

std::pair<std::string, Side> parse_compatible(std::string_view compatible) {
  for (const auto& [suffix, side] :
       {std::pair{kBackendSuffix, Side::Backend}, std::pair{kFrontendSuffix, Side::Frontend}}) {
    if (ends_with(compatible, suffix)) {
      const std::string_view type = compatible.substr(0, compatible.size() - suffix.size());
      if (valid_type(type)) return {std::string(type), side};
    }
  }
  throw Error(ErrorCode::Invalid,
              "compatible string '" + std::string(compatible) +
                  "' is not '<type>,backend' or '<type>,frontend' (type: letters, digits, '-', '_')");
}

std::vector<DeviceAddress> populate(store::Client& toolstack, const Topology& topology) {
  std::set<std::tuple<std::string, DomainId, std::uint32_t>> listed;
  std::vector<DeviceAddress> devices;
  for (std::size_t i = 0; i < topology.size(); ++i) {
    const TopologyDevice& entry = topology[i];
    const std::string where = "topology entry " + std::to_string(i) + " ('" + entry.type + "' devid " +
                              std::to_string(entry.devid) + " of domain " + std::to_string(entry.frontend_id) + ")";
    if (!valid_type(entry.type)) throw Error(ErrorCode::Invalid, where + ": type must be letters, digits, '-', '_'");
    if (!listed.emplace(entry.type, entry.frontend_id, entry.devid).second) {
      throw Error(ErrorCode::Invalid, where + ": listed twice");
    }
    if (entry.enabled) devices.push_back({entry.type, entry.frontend_id, entry.backend_id, entry.devid});
  }
  for (const DeviceAddress& device : devices) create_device(toolstack, device);
  return devices;
}

Bus::Bus(store::Client& client)
    : client_(client),
      device_root_(store::domain_path(client.domain()) + "/device"),
      backend_root_(store::domain_path(client.domain()) + "/backend") {
  const auto changed = [this](const std::string&, const std::string&) {
    changed_.store(true);
    wakeup_.signal();
  };
  client_.watch(device_root_, "vbus:" + device_root_, changed);
  client_.watch(backend_root_, "vbus:" + backend_root_, changed);
}

Bus::~Bus() {
  drivers_.clear();  // each driver stops watching first
  for (const std::string& root : {device_root_, backend_root_}) {
    try {
      client_.unwatch(root, "vbus:" + root);
    } catch (const std::exception&) {
      // The connection is gone, and its watches with it.
    }
  }
}

void Bus::register_backend(std::string_view compatible, BackendFactory factory) {
  if (parse_compatible(compatible).second != Side::Backend) {
    throw Error(ErrorCode::Invalid, "register_backend: '" + std::string(compatible) + "' names a frontend");
  }
  if (!backends_.emplace(std::string(compatible), std::move(factory)).second) {
    throw Error(ErrorCode::Invalid, "register_backend: '" + std::string(compatible) + "' is registered already");
  }
  changed_.store(true);  // devices waiting for this driver attach at the next process()
}

void Bus::register_frontend(std::string_view compatible, FrontendFactory factory) {
  if (parse_compatible(compatible).second != Side::Frontend) {
    throw Error(ErrorCode::Invalid, "register_frontend: '" + std::string(compatible) + "' names a backend");
  }
  if (!frontends_.emplace(std::string(compatible), std::move(factory)).second) {
    throw Error(ErrorCode::Invalid, "register_frontend: '" + std::string(compatible) + "' is registered already");
  }
  changed_.store(true);
}

bool Bus::process() {
  bool did = false;
  wakeup_.wait(std::chrono::nanoseconds::zero());  // drain first: see Driver::process()
  if (changed_.exchange(false)) {
    scan();
    did = true;
  }
  for (auto& [path, driver] : drivers_) {
    if (driver->process()) did = true;
  }
  std::erase_if(drivers_, [](const auto& entry) {
    const auto* backend = dynamic_cast<const Backend*>(entry.second.get());
    return backend != nullptr && backend->unregistered();
  });
  return did;
}

Driver* Bus::driver(const DeviceAddress& device) const {
  for (const std::string& path : {frontend_path(device), backend_path(device)}) {
    auto found = drivers_.find(path);
    if (found != drivers_.end()) return found->second.get();
  }
  return nullptr;
}

std::vector<std::string> Bus::list(const std::string& path) {
  try {
    return client_.directory(path);
  } catch (const store::ClientError& error) {
    if (error.code() == store::ErrorCode::NotFound || error.code() == store::ErrorCode::Access) return {};
    throw;
  }
}

void Bus::scan() {
  std::vector<std::string> seen;
  unmatched_.clear();
  failures_.clear();
  // Frontends: device/<type>/<devid>.
  for (const std::string& type : list(device_root_)) {
    const std::string type_path = device_root_ + "/" + type;
    for (const std::string& name : list(type_path)) {
      const std::optional<std::uint32_t> devid = device_number(name, type_path + "/" + name);
      if (!devid) continue;
      attach(frontend_compatible(type), DeviceAddress{type, client_.domain(), 0, *devid}, seen);
    }
  }
  // Backends: backend/<type>/<frontend-id>/<devid>.
  for (const std::string& type : list(backend_root_)) {
    const std::string type_path = backend_root_ + "/" + type;
    for (const std::string& frontend : list(type_path)) {
      const std::optional<std::uint32_t> frontend_id = device_number(frontend, type_path + "/" + frontend);
      if (!frontend_id || *frontend_id > UINT16_MAX) continue;
      const std::string frontend_dir = type_path + "/" + frontend;
      for (const std::string& name : list(frontend_dir)) {
        const std::optional<std::uint32_t> devid = device_number(name, frontend_dir + "/" + name);
        if (!devid) continue;
        attach(backend_compatible(type),
               DeviceAddress{type, static_cast<DomainId>(*frontend_id), client_.domain(), *devid}, seen);
      }
    }
  }
  // Drivers whose directory vanished go.
  std::erase_if(drivers_,
                [&](const auto& entry) { return std::find(seen.begin(), seen.end(), entry.first) == seen.end(); });
}

void Bus::attach(const std::string& compatible, const DeviceAddress& device, std::vector<std::string>& seen) {
  const bool backend = parse_compatible(compatible).second == Side::Backend;
  const std::string path = backend ? backend_path(device) : frontend_path(device);
  seen.push_back(path);
  if (drivers_.count(path) != 0) return;
  try {
    create(compatible, backend, path, device);
  } catch (const Error& error) {
    failures_.push_back(error.what());  // a malformed directory: no driver for it
  }
}

void Bus::create(const std::string& compatible, bool backend, const std::string& path, const DeviceAddress& device) {
  if (backend) {
    auto factory = backends_.find(compatible);
    if (factory == backends_.end()) {
      unmatched_.push_back(path);
      return;
    }
    std::unique_ptr<Backend> driver = factory->second(client_, device);
    driver->probe();  // Xenbus: backend goes InitWait after probe
    drivers_.emplace(path, std::move(driver));
    return;
  }
  auto factory = frontends_.find(compatible);
  if (factory == frontends_.end()) {
    unmatched_.push_back(path);
    return;
  }
  drivers_.emplace(path, factory->second(client_, device));
}

}  // namespace vgen::xenbus
