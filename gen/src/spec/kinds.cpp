// Spellings of the enumerations of the spec model, and the transport feature table.
#include <array>

#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

std::string_view spec_kind_name(SpecKind kind) {
  switch (kind) {
    case SpecKind::virtio:
      return "virtio";
    case SpecKind::split:
      return "split";
    case SpecKind::rpmsg:
      return "rpmsg";
  }
  return "virtio";
}

std::string_view direction_name(Direction direction) {
  switch (direction) {
    case Direction::driver_to_device:
      return "driver-to-device";
    case Direction::device_to_driver:
      return "device-to-driver";
    case Direction::bidirectional:
      return "bidirectional";
  }
  return "driver-to-device";
}

std::string_view chain_part_name(ChainPart part) {
  switch (part) {
    case ChainPart::request:
      return "request";
    case ChainPart::readable_data:
      return "readable_data";
    case ChainPart::writable_data:
      return "writable_data";
    case ChainPart::reply:
      return "reply";
  }
  return "request";
}

std::string_view flavour_name(Flavour flavour) { return flavour == Flavour::xenbus ? "xenbus" : "vbus"; }

std::string_view side_name(Side side) { return side == Side::frontend ? "frontend" : "backend"; }

const std::vector<TransportFeature>& transport_features() {
  // VirtIO 1.2 §6 "Reserved Feature Bits", plus the two of the legacy interface (§6.3).
  static const std::vector<TransportFeature> kFeatures{
      {"VIRTIO_F_NOTIFY_ON_EMPTY", 24}, {"VIRTIO_F_ANY_LAYOUT", 27},        {"VIRTIO_F_INDIRECT_DESC", 28},
      {"VIRTIO_F_EVENT_IDX", 29},       {"VIRTIO_F_VERSION_1", 32},         {"VIRTIO_F_ACCESS_PLATFORM", 33},
      {"VIRTIO_F_RING_PACKED", 34},     {"VIRTIO_F_IN_ORDER", 35},          {"VIRTIO_F_ORDER_PLATFORM", 36},
      {"VIRTIO_F_SR_IOV", 37},          {"VIRTIO_F_NOTIFICATION_DATA", 38}, {"VIRTIO_F_NOTIF_CONFIG_DATA", 39},
      {"VIRTIO_F_RING_RESET", 40},
  };
  return kFeatures;
}

std::optional<TransportFeature> find_transport_feature(std::string_view name) {
  for (const TransportFeature& feature : transport_features()) {
    if (feature.name == name) {
      return feature;
    }
  }
  return std::nullopt;
}

}  // namespace vgen::gen
