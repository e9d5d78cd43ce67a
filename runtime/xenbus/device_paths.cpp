#include <vgen/xenbus/device_paths.hpp>

namespace vgen::xenbus {

std::string frontend_path(const DeviceAddress& device) {
  return store::domain_path(device.frontend_id) + "/device/" + device.type + "/" + std::to_string(device.devid);
}

std::string backend_path(const DeviceAddress& device) {
  return store::domain_path(device.backend_id) + "/backend/" + device.type + "/" + std::to_string(device.frontend_id) +
         "/" + std::to_string(device.devid);
}

std::string node_path(std::string_view directory, std::string_view node) {
  std::string path(directory);
  path += '/';
  path += node;
  return path;
}

}  // namespace vgen::xenbus
