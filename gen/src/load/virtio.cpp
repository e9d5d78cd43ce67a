// `kind: virtio` specs: device ID, features, configuration space and queues.
// See docs/spec-format.md, "VirtIO devices".
#include <algorithm>
#include <map>

#include "load/loaders.hpp"
#include "vgen/gen/load/layout.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {
namespace {

const std::vector<std::string> kFeatureKeys{"name", "bit", "depends_on", "description"};
const std::vector<std::string> kQueueKeys{"name",        "size",     "direction", "messages",   "feature",
                                          "buffer_size", "max_data", "chain",     "description"};

// VirtIO 1.2 §6: bits 0-23 (and 50-127, which vgen does not support) belong to the device
// type; 24-40 are reserved for the transport and queue mechanisms.
constexpr unsigned kLastDeviceBit = 23;
constexpr unsigned kLastTransportBit = 40;
// The largest split virtqueue.
constexpr std::uint64_t kMaxQueueSize = 32768;
// The largest buffer (and request part) a queue may declare: what the device halves accept
// (VirtioDeviceFraming::kMaxMessageBytes).
constexpr std::uint64_t kMaxBufferBytes = 1 << 20;

std::string transport_holder(unsigned bit) {
  for (const TransportFeature& feature : transport_features()) {
    if (feature.bit == bit) {
      return " (bit " + std::to_string(bit) + " is " + std::string(feature.name) + ")";
    }
  }
  return "";
}

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const TransportFeature& feature : transport_features()) {
    names.emplace_back(feature.name);
  }
  return names;
}

// Assigns and checks the bit of a feature named VIRTIO_F_*.
bool check_transport_feature(const MapView& entry, Feature& feature, std::optional<std::uint64_t> bit) {
  std::optional<TransportFeature> known = find_transport_feature(feature.name);
  if (!known) {
    entry.reader().error(entry.value_location("name"), "unknown transport feature '" + feature.name +
                                                           "' (VIRTIO_F_* names are reserved for transport features)" +
                                                           suggestion(feature.name, transport_names()));
    return false;
  }
  if (bit && *bit != known->bit) {
    entry.reader().error(entry.value_location("bit"), "transport feature '" + feature.name + "' is bit " +
                                                          std::to_string(known->bit) + ", not " + std::to_string(*bit));
    return false;
  }
  feature.bit = known->bit;
  feature.transport = true;
  return true;
}

bool check_device_feature(const MapView& entry, Feature& feature, std::optional<std::uint64_t> bit) {
  if (!bit) {
    if (!entry.has("bit")) {
      entry.reader().error(entry.location(), "missing required key 'bit' in " + entry.what());
    }
    return false;
  }
  if (*bit > kLastTransportBit) {
    entry.reader().error(entry.value_location("bit"),
                         "bit " + std::to_string(*bit) + " of " + entry.what() +
                             " is outside the feature bits vgen supports (device features 0-23, "
                             "transport features 24-40)");
    return false;
  }
  if (*bit > kLastDeviceBit) {
    entry.reader().error(entry.value_location("bit"),
                         "bit " + std::to_string(*bit) + " of " + entry.what() +
                             " is reserved for transport features (24-40); device features use "
                             "bits 0-23" +
                             transport_holder(static_cast<unsigned>(*bit)));
    return false;
  }
  feature.bit = static_cast<unsigned>(*bit);
  return true;
}

// Reads one feature; nothing when it has errors. `rejected` receives the name of a feature
// that has a usable name but errors elsewhere, so references to it stay quiet.
std::optional<Feature> load_feature(Reader& reader, const YamlNode& node, std::vector<std::string>& rejected) {
  MapView entry(reader, node, "feature", kFeatureKeys);
  std::optional<std::string> name = entry.identifier("name", Presence::required);
  std::optional<std::uint64_t> bit = entry.unsigned_integer("bit", Presence::optional, 63);
  std::vector<NameRef> depends_on = entry.references("depends_on", Presence::optional);
  if (!name) {
    return std::nullopt;
  }
  Feature feature;
  feature.name = *name;
  feature.location = entry.location();
  feature.name_position = entry.value_position("name");
  if (entry.has("bit")) feature.bit_position = entry.value_position("bit");
  feature.depends_on = std::move(depends_on);
  feature.description = entry.string("description", Presence::optional).value_or("");
  bool ok = name->rfind("VIRTIO_F_", 0) == 0 ? check_transport_feature(entry, feature, bit)
                                             : check_device_feature(entry, feature, bit);
  if (!ok) {
    rejected.push_back(*name);
    return std::nullopt;
  }
  return feature;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Resolves every depends_on entry against the offered features; names in `rejected`
// (features with errors of their own) are skipped silently.
void resolve_dependencies(Reader& reader, std::vector<Feature>& features, const std::vector<std::string>& rejected) {
  std::vector<std::string> offered;
  for (const Feature& feature : features) {
    offered.push_back(feature.name);
  }
  for (std::size_t index = 0; index < features.size(); ++index) {
    Feature& feature = features[index];
    FirstSeen listed;
    for (NameRef& dependency : feature.depends_on) {
      auto found = std::find(offered.begin(), offered.end(), dependency.name);
      if (listed.insert(dependency.name, dependency.location)) {
        reader.error(dependency.location,
                     "feature '" + feature.name + "' lists '" + dependency.name + "' twice in depends_on");
      } else if (found != offered.end() && static_cast<std::size_t>(found - offered.begin()) == index) {
        reader.error(dependency.location, "feature '" + feature.name + "' depends on itself");
      } else if (found != offered.end()) {
        dependency.index = static_cast<std::size_t>(found - offered.begin());
      } else if (contains(rejected, dependency.name)) {
        continue;
      } else if (find_transport_feature(dependency.name)) {
        reader.error(dependency.location, "feature '" + feature.name + "' depends on '" + dependency.name +
                                              "', which this device does not offer");
      } else {
        reader.error(dependency.location, "feature '" + feature.name + "' depends on unknown feature '" +
                                              dependency.name + "'" + suggestion(dependency.name, offered));
      }
    }
  }
}

std::vector<Feature> load_features(const MapView& top, std::vector<std::string>& rejected) {
  std::vector<Feature> features;
  std::optional<YamlNode> list = top.sequence("features", Presence::optional);
  if (!list) {
    return features;
  }
  Reader& reader = top.reader();
  FirstSeen names;
  std::map<unsigned, std::string> bits;
  for (const YamlNode& node : elements(*list)) {
    std::optional<Feature> feature = load_feature(reader, node, rejected);
    if (!feature) {
      continue;
    }
    if (!names.unique(reader, feature->name, feature->location.at(feature->name_position),
                      "feature name '" + feature->name + "'")) {
      continue;
    }
    auto [existing, inserted] = bits.emplace(feature->bit, feature->name);
    if (!inserted) {
      reader.error(
          feature->location.at(feature->bit_position.line != 0 ? feature->bit_position : feature->name_position),
          "feature '" + feature->name + "' uses bit " + std::to_string(feature->bit) + ", already used by '" +
              existing->second + "'");
    }
    features.push_back(std::move(*feature));
  }
  resolve_dependencies(reader, features, rejected);
  return features;
}

// VirtIO 1.2 §2.7: "Queue Size value is always a power of 2. The maximum Queue Size value is 32768."
std::optional<std::uint32_t> queue_size(const MapView& entry) {
  std::optional<std::uint64_t> size = entry.unsigned_integer("size", Presence::required, 0xFFFFFFFF);
  if (!size) {
    return std::nullopt;
  }
  std::uint64_t value = *size;
  if (!is_power_of_two(value)) {
    entry.reader().error(entry.value_location("size"),
                         "size " + std::to_string(value) + " of " + entry.what() + " is not a power of two");
    return std::nullopt;
  }
  if (value > kMaxQueueSize) {
    entry.reader().error(entry.value_location("size"), "size " + std::to_string(value) + " of " + entry.what() +
                                                           " exceeds the maximum queue size 32768");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

// A one-way queue carries one message type (or raw bytes); a bidirectional one a request
// type and optionally a reply type.
void check_queue_messages(const MapView& entry, const Queue& queue, Direction direction) {
  if (direction == Direction::bidirectional && queue.messages.empty()) {
    entry.reader().error(entry.location(), "bidirectional " + entry.what() +
                                               " needs its request type (and optionally its reply type) in "
                                               "messages: the device parses requests by it");
    return;
  }
  const std::size_t limit = direction == Direction::bidirectional ? 2 : 1;
  if (queue.messages.size() <= limit) return;
  entry.reader().error(queue.messages[limit].location,
                       entry.what() + " lists " + std::to_string(queue.messages.size()) + " message types; " +
                           (limit == 1 ? std::string("a one-way queue carries one")
                                       : std::string("a bidirectional queue carries two (request, reply)")));
}

// A byte count from 1 to kMaxBufferBytes under `key`.
std::optional<std::uint32_t> buffer_bytes(const MapView& entry, std::string_view key) {
  if (!entry.has(key)) return std::nullopt;
  std::optional<std::uint64_t> value = entry.unsigned_integer(key, Presence::optional, 0xFFFFFFFF);
  if (!value) return std::nullopt;
  if (*value == 0 || *value > kMaxBufferBytes) {
    entry.reader().error(entry.value_location(key), std::string(key) + " " + std::to_string(*value) + " of " +
                                                        entry.what() + " is outside 1 to " +
                                                        std::to_string(kMaxBufferBytes) + " bytes");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*value);
}

std::uint64_t message_size(const TypeTable& types, const NameRef& message) {
  return message.index && types.types[*message.index].valid ? types.types[*message.index].layout.size : 0;
}

// buffer_size sizes a raw queue's buffers; max_data bounds the data after a typed queue's
// message (one-way) or each way (bidirectional). Each applies to its kind of queue only.
void load_buffer_keys(const MapView& entry, Queue& queue, const TypeTable& types) {
  queue.buffer_size = buffer_bytes(entry, "buffer_size");
  queue.max_data = buffer_bytes(entry, "max_data");
  if (queue.buffer_size && !queue.messages.empty()) {
    entry.reader().error(entry.value_location("buffer_size"),
                         "buffer_size applies to a queue of raw bytes; " + entry.what() + " carries '" +
                             queue.messages.front().name +
                             "': bound the data that follows the message with max_data instead");
    queue.buffer_size.reset();
  }
  if (queue.max_data && queue.messages.empty()) {
    entry.reader().error(entry.value_location("max_data"),
                         "max_data bounds the data after a message, and " + entry.what() +
                             " has no message type; a queue of raw bytes gives its buffer_size instead");
    queue.max_data.reset();
  }
  if (!queue.max_data) return;
  std::uint64_t fixed = 0;
  for (const NameRef& message : queue.messages) fixed += message_size(types, message);
  if (fixed + *queue.max_data > kMaxBufferBytes) {
    entry.reader().error(entry.value_location("max_data"),
                         "max_data " + std::to_string(*queue.max_data) + " of " + entry.what() + " and its " +
                             std::to_string(fixed) + " message byte(s) exceed the " + std::to_string(kMaxBufferBytes) +
                             "-byte limit of a buffer");
    queue.max_data.reset();
  }
}

// VirtIO 1.2 §2.7.4.2: the device-readable parts of a chain come before the device-writable
// ones. The request comes first; each part at most once; reply exactly when there is a reply type.
void load_chain(const MapView& entry, Queue& queue, Direction direction) {
  const bool has_reply = queue.messages.size() == 2;
  if (!entry.has("chain")) {
    queue.chain = {ChainPart::request, ChainPart::readable_data, ChainPart::writable_data};
    if (has_reply) queue.chain.push_back(ChainPart::reply);
    return;
  }
  if (direction != Direction::bidirectional) {
    entry.reader().error(entry.value_location("chain"), "chain applies to a bidirectional queue; " + entry.what() +
                                                            " is " + std::string(direction_name(direction)));
    return;
  }
  std::optional<YamlNode> list = entry.sequence("chain", Presence::optional);
  if (!list) return;
  const std::vector<std::pair<std::string, ChainPart>> parts{{"request", ChainPart::request},
                                                             {"readable_data", ChainPart::readable_data},
                                                             {"writable_data", ChainPart::writable_data},
                                                             {"reply", ChainPart::reply}};
  std::vector<std::string> spellings;
  for (const auto& part : parts) spellings.push_back(part.first);
  Reader& reader = entry.reader();
  FirstSeen seen;
  std::vector<ChainPart> chain;
  std::optional<std::pair<std::string, Location>> writable;  // the first device-writable part
  for (const YamlNode& element : elements(*list)) {
    const Location at = reader.at(element);
    if (!element.is_scalar()) {
      reader.error(at, "expected a chain part (request, readable_data, writable_data or reply) in 'chain' of " +
                           entry.what() + ", got " + describe(element));
      return;
    }
    const std::string text(element.scalar());
    auto found = std::find_if(parts.begin(), parts.end(), [&](const auto& part) { return part.first == text; });
    if (found == parts.end()) {
      reader.error(at, "unknown chain part '" + text + "' in " + entry.what() +
                           " (parts: request, readable_data, writable_data, reply)" + suggestion(text, spellings));
      return;
    }
    if (!seen.unique(reader, text, at, "chain part '" + text + "' in " + entry.what(), "listed")) return;
    const ChainPart part = found->second;
    if (chain.empty() && part != ChainPart::request) {
      reader.error(at, "the chain of " + entry.what() + " starts with '" + text +
                           "'; it starts with the request, which the device reads first");
      return;
    }
    const bool device_writable = part == ChainPart::writable_data || part == ChainPart::reply;
    if (!device_writable && writable) {
      reader.error(at, "'" + text + "' is device-readable and comes after the device-writable '" + writable->first +
                           "' (at " + writable->second.line_column() + ") in the chain of " + entry.what() +
                           "; readable parts come first (VirtIO 1.2 §2.7.4.2)");
      return;
    }
    if (device_writable && !writable) writable.emplace(text, at);
    if (part == ChainPart::reply && !has_reply) {
      reader.error(at, "the chain of " + entry.what() +
                           " has a reply, but the queue has no reply type (a second entry of messages)");
      return;
    }
    chain.push_back(part);
  }
  if (has_reply && std::find(chain.begin(), chain.end(), ChainPart::reply) == chain.end()) {
    reader.error(entry.value_location("chain"), "the chain of " + entry.what() + " leaves out the reply '" +
                                                    queue.messages.back().name +
                                                    "'; place it with 'reply' before or after writable_data");
    return;
  }
  queue.chain = std::move(chain);
}

std::optional<Queue> load_queue(Reader& reader, const YamlNode& node, const std::vector<Feature>& features,
                                const std::vector<std::string>& rejected, const TypeTable& types) {
  MapView entry(reader, node, "queue", kQueueKeys);
  Queue queue;
  std::optional<std::string> name = entry.identifier("name", Presence::required);
  std::optional<std::uint32_t> size = queue_size(entry);
  std::optional<Direction> direction = entry.choice<Direction>("direction", Presence::required,
                                                               {{"driver-to-device", Direction::driver_to_device},
                                                                {"device-to-driver", Direction::device_to_driver},
                                                                {"bidirectional", Direction::bidirectional}});
  queue.messages = entry.references("messages", Presence::optional);
  queue.feature = entry.reference("feature", Presence::optional);
  for (NameRef& message : queue.messages) {
    resolve_struct(reader, message, types, "a message of " + entry.what());
  }
  if (queue.feature) {
    auto found =
        std::find_if(features.begin(), features.end(), [&](const Feature& f) { return f.name == queue.feature->name; });
    if (found == features.end() && !contains(rejected, queue.feature->name)) {
      std::vector<std::string> offered;
      for (const Feature& feature : features) offered.push_back(feature.name);
      reader.error(queue.feature->location, entry.what() + " requires feature '" + queue.feature->name +
                                                "', which this device does not offer" +
                                                suggestion(queue.feature->name, offered));
    } else if (found != features.end()) {
      queue.feature->index = static_cast<std::size_t>(found - features.begin());
    }
  }
  if (direction) check_queue_messages(entry, queue, *direction);
  load_buffer_keys(entry, queue, types);
  if (direction) load_chain(entry, queue, *direction);
  if (!name || !size || !direction) {
    return std::nullopt;
  }
  queue.name = *name;
  queue.size = *size;
  queue.direction = *direction;
  queue.description = entry.string("description", Presence::optional).value_or("");
  queue.location = entry.location();
  queue.name_position = entry.value_position("name");
  return queue;
}

std::vector<Queue> load_queues(const MapView& top, const std::vector<Feature>& features,
                               const std::vector<std::string>& rejected, const TypeTable& types) {
  std::vector<Queue> queues;
  std::optional<YamlNode> list = top.sequence("queues", Presence::required);
  if (!list) {
    return queues;
  }
  if (list->size() == 0) {
    top.reader().error(top.value_location("queues"), top.what() + " has no queues; a VirtIO device needs at least one");
  }
  FirstSeen names;
  for (const YamlNode& node : elements(*list)) {
    std::optional<Queue> queue = load_queue(top.reader(), node, features, rejected, types);
    if (!queue) {
      continue;
    }
    if (!names.unique(top.reader(), queue->name, queue->location.at(queue->name_position),
                      "queue name '" + queue->name + "'")) {
      continue;
    }
    queue->index = static_cast<unsigned>(queues.size());
    queues.push_back(std::move(*queue));
  }
  return queues;
}

// The path ("inner.x") of the first big-endian field inside struct type `index`, or nothing.
std::optional<std::string> big_endian_field(const TypeTable& types, std::size_t index) {
  const StructType* structure = types.types[index].as_struct();
  if (structure == nullptr || !types.types[index].valid) {
    return std::nullopt;
  }
  for (const Member& member : structure->members) {
    if (member.is_padding()) continue;
    const bool nested = member.type.named && types.types[*member.type.named].as_struct() != nullptr;
    if (!nested && member.byte_order == ByteOrder::big) {
      return member.name;
    }
    if (nested) {
      if (std::optional<std::string> inner = big_endian_field(types, *member.type.named)) {
        return member.name + "." + *inner;
      }
    }
  }
  return std::nullopt;
}

// VirtIO 1.2 §2.5: the device configuration space is little-endian, struct-typed fields
// included. Reports every config field that is (or holds) a big-endian field.
bool check_config_order(Reader& reader, const StructType& config, const TypeTable& types) {
  bool ok = true;
  for (const Member& member : config.members) {
    if (member.is_padding()) continue;
    const bool nested = member.type.named && types.types[*member.type.named].as_struct() != nullptr;
    if (!nested && member.byte_order == ByteOrder::big) {
      reader.error(member.location.at(member.byte_order_declared ? member.byte_order_position : member.type_position),
                   "field '" + member.name +
                       "' of config is big-endian, but the VirtIO configuration space is "
                       "little-endian (VirtIO 1.2 §2.5)");
      ok = false;
    } else if (std::optional<std::string> inner = nested ? big_endian_field(types, *member.type.named) : std::nullopt) {
      const TypeDefinition& type = types.types[*member.type.named];
      reader.error(member.location.at(member.type_position),
                   "field '" + member.name + "' of config has the " + std::string(type.kind_name()) + " type '" +
                       type.name + "', whose field '" + *inner +
                       "' is big-endian, but the VirtIO configuration space is little-endian (VirtIO 1.2 §2.5)");
      ok = false;
    }
  }
  return ok;
}

void load_config(const MapView& top, const TypeTable& types, VirtioDevice& device) {
  std::optional<YamlNode> list = top.sequence("config", Presence::optional);
  if (!list) {
    return;
  }
  Reader& reader = top.reader();
  if (list->size() == 0) {
    reader.error(top.value_location("config"),
                 "config of " + top.what() + " has no fields; leave 'config' out instead");
    return;
  }
  std::size_t errors_before = reader.error_count();
  StructType config;
  config.members = load_members(reader, *list, "config", ByteOrder::little);
  if (reader.error_count() != errors_before) {
    return;
  }
  std::optional<Layout> layout = lay_out_config(config, types, reader.diagnostics());
  const bool order_ok = check_config_order(reader, config, types);  // also after layout errors
  if (layout && order_ok) {
    device.config = std::move(config);
    device.config_layout = *layout;
  }
}

}  // namespace

VirtioDevice load_virtio(const MapView& top, const TypeTable& types) {
  VirtioDevice device;
  Reader& reader = top.reader();
  if (std::optional<std::uint64_t> id = top.unsigned_integer("device_id", Presence::required, 0xFFFFFFFF)) {
    if (*id == 0) {
      // VirtIO 1.2 §4.2.2.2: a driver ignores a device whose DeviceID is 0.
      reader.error(top.value_location("device_id"), "device_id 0 is reserved: it marks an absent device");
    }
    device.device_id = static_cast<std::uint32_t>(*id);
  }
  if (top.has("vendor_id")) {
    std::optional<std::uint64_t> vendor = top.unsigned_integer("vendor_id", Presence::optional, 0xFFFFFFFF);
    if (vendor) {
      device.vendor_id = static_cast<std::uint32_t>(*vendor);
    }
  }
  std::vector<std::string> rejected;
  device.features = load_features(top, rejected);
  load_config(top, types, device);
  device.queues = load_queues(top, device.features, rejected, types);
  return device;
}

}  // namespace vgen::gen::detail
