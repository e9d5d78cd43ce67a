#include <vgen/virtio/device_model.hpp>

namespace vgen::virtio {

const FeatureRules& DeviceModel::feature_rules() const {
  static const FeatureRules kNone;
  return kNone;
}

std::optional<std::string> DeviceModel::check_features(std::uint64_t) const { return std::nullopt; }

std::optional<std::string> DeviceModel::config_written(DeviceCore&, std::uint32_t, std::span<const std::byte>) {
  return "the configuration space of this device is read-only";
}

void DeviceModel::activate(DeviceCore&) {}
void DeviceModel::queue_enabled(DeviceCore&, std::uint16_t) {}
void DeviceModel::queue_stopped(DeviceCore&, std::uint16_t) {}
void DeviceModel::reset(DeviceCore&) {}

}  // namespace vgen::virtio
