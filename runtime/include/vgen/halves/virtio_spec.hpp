// A VirtIO device as its spec describes it, in the form the runtime's halves read: identity,
// features and their dependencies, one entry per virtqueue and the configuration space's
// fields. The generated messages header defines one constexpr VirtioSpec per spec (kSpec);
// VirtioDriver and VirtioDevice take it as a template argument and do the rest from it.
// It is the one runtime header a generated messages header includes: the wire codec and the
// standard types message structs use come with it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <vgen/virtio/features.hpp>
#include <vgen/wire/codec.hpp>

namespace vgen::halves {

/// Which way the messages on a queue travel (the spec's `direction:`).
enum class Direction : std::uint8_t {
  driver_to_device,  ///< the driver sends, the device consumes
  device_to_driver,  ///< the driver posts buffers, the device fills them
  bidirectional,     ///< requests with device-written data and reply, as in virtio-blk
};

/// What a device offers of the features its spec lists: the bits vgen's runtime implements,
/// and VIRTIO_F_VERSION_1, which every vgen device offers (VirtIO 1.2 §6.1).
constexpr std::uint64_t offered_features(std::uint64_t spec_features) noexcept {
  return (spec_features & (virtio::kDeviceTypeFeatureRange | virtio::kSupportedReservedFeatures)) |
         virtio::kFeatureVersion1Mask;
}

/// Bytes of a buffer on a queue that carries raw bytes rather than a message type.
inline constexpr std::uint32_t kRawBufferBytes = 512;

/// Where a bidirectional queue's reply sits in the device-writable part of a chain.
enum class ReplyPlacement : std::uint8_t {
  last,   ///< after the data the device writes, as virtio-blk's status (VirtIO 1.2 §5.2.6)
  first,  ///< before it, as virtio-gpio's status (VirtIO 1.2 §5.17.6)
};

/// One virtqueue of a spec; queue i is the i-th entry of VirtioSpec::queues.
struct QueueSpec {
  std::uint32_t size = 0;                             ///< entries: the device's QueueNumMax
  Direction direction = Direction::driver_to_device;  ///< see Direction
  std::uint32_t message_bytes = kRawBufferBytes;      ///< the message's size (a request's header); raw: the buffer's
  std::uint32_t reply_bytes = 0;                      ///< bidirectional: the reply's size, 0 for none
  bool raw = false;                                   ///< raw bytes (up to message_bytes), no message type
  std::optional<unsigned> feature{};                  ///< the queue exists only with this feature
  /// One-way queue with a message type: the most data bytes that follow the message in a
  /// buffer (0: the message alone). Bidirectional: the most data bytes each way (0: the
  /// driver's DriverOptions::request_data_bytes, and no bound on the device's side).
  std::uint32_t data_bytes = 0;
  /// The device refuses chains longer than the buffer (message_bytes + data_bytes; for a
  /// request, each of its parts): the spec gave the queue's buffer_size or max_data.
  bool bounded = false;
  bool readable_data = true;                    ///< bidirectional: requests carry device-readable data
  bool writable_data = true;                    ///< bidirectional: requests carry device-writable data
  ReplyPlacement reply = ReplyPlacement::last;  ///< bidirectional: where the reply goes
};

/// One field of the configuration space, for reads under the generation counter (§2.5.1).
struct ConfigField {
  std::uint32_t offset = 0;  ///< byte offset in the space
  std::uint32_t size = 0;    ///< bytes: 1, 2, 4 or 8 for an integer
  bool bytewise = false;     ///< an array or struct: read one byte at a time
};

/// The configuration type of a device without a configuration space.
struct NoConfig {};

/// A VirtIO device type: what both halves need to know about it.
struct VirtioSpec {
  std::string_view name{};                                    ///< the spec's name, for messages
  std::uint32_t device_id = 0;                                ///< VirtIO 1.2 §5 device ID
  std::uint32_t vendor_id = 0;                                ///< the transport's vendor ID
  std::uint64_t offered_features = 0;                         ///< the 64-bit word the device offers
  std::span<const virtio::FeatureDependency> dependencies{};  ///< the spec's depends_on lists
  std::span<const QueueSpec> queues{};                        ///< the virtqueues, by index
  std::span<const ConfigField> config{};                      ///< the configuration space's fields, in order
  std::uint32_t config_bytes = 0;                             ///< size of the configuration space (0: none)
};

/// The feature rules of `spec`'s dependencies, as both cores take them.
inline virtio::FeatureRules feature_rules(const VirtioSpec& spec) {
  virtio::FeatureRules rules;
  for (const virtio::FeatureDependency& dependency : spec.dependencies) rules.add(dependency);
  return rules;
}

}  // namespace vgen::halves
