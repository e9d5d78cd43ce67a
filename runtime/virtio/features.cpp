#include <vgen/virtio/features.hpp>

#include <vgen/virtio/error.hpp>

namespace vgen::virtio {
namespace {

void check_bit(unsigned bit, const char* role) {
  if (bit >= 64) {
    throw Error(ErrorCode::InvalidArgument,
                std::string("feature dependency: ") + role + " bit " + std::to_string(bit) + " is not below 64");
  }
}

}  // namespace

std::string feature_name(unsigned bit) {
  switch (bit) {
    case 24:
      return "VIRTIO_F_NOTIFY_ON_EMPTY";
    case 27:
      return "VIRTIO_F_ANY_LAYOUT";
    case virtqueue::kFeatureIndirectDesc:
      return "VIRTIO_F_INDIRECT_DESC";
    case virtqueue::kFeatureEventIdx:
      return "VIRTIO_F_EVENT_IDX";
    case virtqueue::kFeatureVersion1:
      return "VIRTIO_F_VERSION_1";
    case virtqueue::kFeatureAccessPlatform:
      return "VIRTIO_F_ACCESS_PLATFORM";
    case virtqueue::kFeatureRingPacked:
      return "VIRTIO_F_RING_PACKED";
    case virtqueue::kFeatureInOrder:
      return "VIRTIO_F_IN_ORDER";
    case virtqueue::kFeatureOrderPlatform:
      return "VIRTIO_F_ORDER_PLATFORM";
    case virtqueue::kFeatureSrIov:
      return "VIRTIO_F_SR_IOV";
    case virtqueue::kFeatureNotificationData:
      return "VIRTIO_F_NOTIFICATION_DATA";
    case 39:
      return "VIRTIO_F_NOTIF_CONFIG_DATA";
    case virtqueue::kFeatureRingReset:
      return "VIRTIO_F_RING_RESET";
    default:
      return "feature bit " + std::to_string(bit);
  }
}

FeatureRules::FeatureRules(std::initializer_list<FeatureDependency> dependencies) {
  for (const FeatureDependency& d : dependencies) add(d);
}

void FeatureRules::add(FeatureDependency dependency) {
  check_bit(dependency.feature, "dependent");
  check_bit(dependency.required, "required");
  if (dependency.feature == dependency.required) {
    throw Error(ErrorCode::InvalidArgument,
                "feature dependency: " + feature_name(dependency.feature) + " cannot require itself");
  }
  dependencies_.push_back(dependency);
}

std::optional<std::string> FeatureRules::violation(std::uint64_t features) const {
  for (const FeatureDependency& d : dependencies_) {
    if ((features & feature_bit(d.feature)) != 0 && (features & feature_bit(d.required)) == 0) {
      return feature_name(d.feature) + " requires " + feature_name(d.required) + ", which is missing";
    }
  }
  return std::nullopt;
}

std::uint64_t FeatureRules::prune(std::uint64_t features) const noexcept {
  bool changed = true;
  while (changed) {
    changed = false;
    for (const FeatureDependency& d : dependencies_) {
      if ((features & feature_bit(d.feature)) != 0 && (features & feature_bit(d.required)) == 0) {
        features &= ~feature_bit(d.feature);
        changed = true;
      }
    }
  }
  return features;
}

}  // namespace vgen::virtio
