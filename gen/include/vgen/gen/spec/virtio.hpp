// The model of a `kind: virtio` spec: a VirtIO device type. See docs/spec-format.md, "VirtIO".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/reference.hpp"
#include "vgen/gen/spec/types.hpp"

namespace vgen::gen {

/// A feature bit the device offers.
struct Feature {
  std::string name;                 ///< "VIRTIO_BLK_F_FLUSH"; unique
  unsigned bit = 0;                 ///< bit number in the 64-bit feature word
  bool transport = false;           ///< a reserved transport feature (bits 24-40)
  std::vector<NameRef> depends_on;  ///< features that must be negotiated too (indices into features)
  std::string description;          ///< free text, may be empty
  Location location;                ///< where the entry starts
  Position name_position;           ///< where the name is written
  Position bit_position;            ///< where the bit is written, if it is
};

/// A reserved transport feature vgen knows by name (VirtIO 1.2 §6).
struct TransportFeature {
  std::string_view name;  ///< "VIRTIO_F_EVENT_IDX"
  unsigned bit;           ///< 29
};

/// Every transport feature name a spec may list, in bit order.
const std::vector<TransportFeature>& transport_features();
/// The transport feature called `name`, or nothing.
std::optional<TransportFeature> find_transport_feature(std::string_view name);

/// Which way the messages on a queue travel.
enum class Direction : std::uint8_t { driver_to_device, device_to_driver, bidirectional };

/// "driver-to-device", "device-to-driver" or "bidirectional", as spelled in specs.
std::string_view direction_name(Direction direction);

/// A part of a bidirectional queue's descriptor chain (the spec's `chain:`).
enum class ChainPart : std::uint8_t {
  request,        ///< the request message, device-readable
  readable_data,  ///< data the device reads
  writable_data,  ///< data the device writes
  reply,          ///< the reply message, device-writable
};

/// "request", "readable_data", "writable_data" or "reply", as spelled in specs.
std::string_view chain_part_name(ChainPart part);

/// A virtqueue. Queue indices follow the order of the `queues:` list.
struct Queue {
  std::string name;        ///< unique
  unsigned index = 0;      ///< position in `queues:`
  std::uint32_t size = 0;  ///< entries: a power of two, at most 32768
  Direction direction = Direction::driver_to_device;
  std::vector<NameRef> messages;   ///< struct types carried (indices into the TypeTable)
  std::optional<NameRef> feature;  ///< present only when this feature is negotiated
  std::string description;         ///< free text, may be empty
  Location location;               ///< where the entry starts
  Position name_position;          ///< where the name is written
  /// A raw queue's bytes per buffer (`buffer_size:`), when the spec gives it (else 512).
  std::optional<std::uint32_t> buffer_size;
  /// A typed queue's bound on data (`max_data:`): after the message on a one-way queue, each
  /// way on a bidirectional one; when the spec gives it.
  std::optional<std::uint32_t> max_data;
  /// A bidirectional queue's chain, in order (`chain:`; default request, readable_data, writable_data,
  /// reply, with reply only when there is a reply type).
  std::vector<ChainPart> chain;
};

/// The device-specific part of a virtio spec.
struct VirtioDevice {
  std::uint32_t device_id = 0;             ///< VirtIO device ID (2 = block, 3 = console, 4 = entropy)
  std::optional<std::uint32_t> vendor_id;  ///< subsystem vendor ID, when the spec gives one
  std::vector<Feature> features;           ///< offered features, in spec order
  std::optional<StructType> config;        ///< device configuration space, when the device has one
  Layout config_layout;                    ///< computed layout of `config`
  std::vector<Queue> queues;
};

}  // namespace vgen::gen
