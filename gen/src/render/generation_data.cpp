#include "vgen/gen/render/generation_data.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>
#include "render/data_tree.hpp"

#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/names/names.hpp"
#include "vgen/gen/render/cpp_text.hpp"
#include "vgen/gen/render/generator.hpp"
#include "vgen/gen/render/template_data.hpp"

namespace vgen::gen {
namespace {

using detail::set_name;
using kainjow::mustache::data;
using kainjow::mustache::list;

std::string struct_identifier(const std::string& name) {
  return derived_identifier(NamedEntity::struct_type, name, "type_name");
}

// Struct type indices so that each struct comes after the structs it contains (C++ needs
// complete types for members). Spec order is kept where it already works.
std::vector<std::size_t> struct_order(const TypeTable& types) {
  std::vector<std::size_t> order;
  std::vector<bool> placed(types.types.size(), false);
  std::function<void(std::size_t)> place = [&](std::size_t index) {
    if (placed[index]) return;
    placed[index] = true;
    const StructType* structure = types.types[index].as_struct();
    for (const Member& member : structure->members) {
      if (member.type.named && types.types[*member.type.named].as_struct()) place(*member.type.named);
    }
    order.push_back(index);
  };
  for (std::size_t index = 0; index < types.types.size(); ++index) {
    if (types.types[index].as_struct()) place(index);
  }
  return order;
}

// The items of a list, copied so that they can be extended.
std::vector<data> items(const data& node, const std::string& key) {
  const data* value = node.get(key);
  if (value == nullptr || !value->is_list()) return {};
  return {value->list_value().begin(), value->list_value().end()};
}

data to_list(const std::vector<data>& values) {
  list result(values.begin(), values.end());
  return data(result);
}

void set_ordered_structs(data& root, const Spec& spec) {
  std::vector<data> all = items(root, "types");
  std::vector<data> ordered;
  for (std::size_t index : struct_order(spec.types)) {
    // Under their own keys too, for the parts of a struct template inside its member lists.
    all[index].set("struct_name", spec.types.types[index].name);
    all[index].set("struct_type", struct_identifier(spec.types.types[index].name));
    ordered.push_back(all[index]);
  }
  root.set("structs_in_order", to_list(ordered));
  root.set("has_structs", !ordered.empty());
  root.set("has_enums", !items(root, "enums").empty());
  root.set("has_flags_types", !items(root, "flags_types").empty());
}

// What a one-way queue carries: its message type (with the bound of the data after it), or
// nothing for raw bytes.
std::string message_key(const Queue& queue) {
  if (queue.messages.empty()) return "";
  return queue.messages.front().name + (queue.max_data ? "+" + std::to_string(*queue.max_data) : "");
}

// The first device-to-driver queue carrying what `queue` carries (the same type, or raw bytes
// on both): where a loopback device returns what the driver sent.
const Queue* echo_target(const VirtioDevice& device, const Queue& queue) {
  if (queue.direction != Direction::driver_to_device) return nullptr;
  for (const Queue& candidate : device.queues) {
    if (candidate.direction == Direction::device_to_driver && message_key(candidate) == message_key(queue)) {
      return &candidate;
    }
  }
  return nullptr;
}

std::uint64_t type_size(const Spec& spec, const NameRef& reference) {
  return spec.types.types[*reference.index].layout.size;
}

data queue_extras(const Spec& spec, const VirtioDevice& device, const Queue& queue, data node) {
  const bool typed = !queue.messages.empty();
  node.set("has_message", typed);
  set_name(node, "message", typed ? queue.messages.front().name : std::string("raw"));
  node.set("message_type", typed ? struct_identifier(queue.messages.front().name) : std::string());
  const bool has_reply = queue.direction == Direction::bidirectional && queue.messages.size() == 2;
  node.set("has_reply", has_reply);
  set_name(node, "reply", has_reply ? queue.messages.back().name : std::string("raw"));
  node.set("reply_type", has_reply ? struct_identifier(queue.messages.back().name) : std::string());
  node.set("buffer_bytes", std::to_string(typed ? type_size(spec, queue.messages.front()) : kRawBufferBytes));
  const Queue* target = echo_target(device, queue);
  node.set("has_echo_to", target != nullptr);
  set_name(node, "echo_to", target != nullptr ? target->name : std::string("none"));
  node.set("echo_sender",
           target != nullptr ? derived_identifier(NamedEntity::queue, target->name, "sender") : std::string());
  node.set("echo_query",
           target != nullptr ? derived_identifier(NamedEntity::queue, target->name, "query") : std::string());
  bool echoed = false;
  for (const Queue& other : device.queues) echoed = echoed || echo_target(device, other) == &queue;
  node.set("is_echo_target", echoed);
  node.set("feature_gated", queue.feature.has_value());
  node.set("direction_id", to_snake_case(std::string(direction_name(queue.direction))));
  // Payload shapes: data after a one-way queue's message, a raw queue's buffer size, the
  // parts and reply placement of a request's chain.
  const bool has_data = typed && queue.max_data && queue.direction != Direction::bidirectional;
  node.set("has_data", has_data);
  node.set("has_plain_message", typed && !has_data);
  node.set("has_buffer_size", queue.buffer_size.has_value());
  node.set("buffer_size", std::to_string(queue.buffer_size.value_or(kRawBufferBytes)));
  node.set("test_bytes", std::to_string(std::min<std::uint32_t>(16, queue.buffer_size.value_or(kRawBufferBytes))));
  node.set("has_max_data", queue.max_data.has_value());
  node.set("max_data", std::to_string(queue.max_data.value_or(0)));
  node.set("is_bounded", queue.buffer_size.has_value() || queue.max_data.has_value());
  const auto has_part = [&](ChainPart part) {
    return std::find(queue.chain.begin(), queue.chain.end(), part) != queue.chain.end();
  };
  const bool bidirectional = queue.direction == Direction::bidirectional;
  node.set("no_readable_data", bidirectional && !has_part(ChainPart::readable_data));
  node.set("no_writable_data", bidirectional && !has_part(ChainPart::writable_data));
  const auto reply = std::find(queue.chain.begin(), queue.chain.end(), ChainPart::reply);
  const auto writable_data = std::find(queue.chain.begin(), queue.chain.end(), ChainPart::writable_data);
  node.set("reply_first",
           bidirectional && reply != queue.chain.end() && writable_data != queue.chain.end() && reply < writable_data);
  return node;
}

void set_virtio_extras(data& root, const Spec& spec, const VirtioDevice& device) {
  data virtio = *root.get("virtio");
  std::vector<data> queues = items(virtio, "queues");
  for (std::size_t index = 0; index < queues.size(); ++index) {
    queues[index] = queue_extras(spec, device, device.queues[index], queues[index]);
  }
  virtio.set("queues", to_list(queues));
  // A feature's own name under a key its depends_on items do not shadow.
  std::vector<data> features = items(virtio, "features");
  for (std::size_t index = 0; index < features.size(); ++index) {
    set_name(features[index], "feature", device.features[index].name);
    features[index].set("feature_constant",
                        derived_identifier(NamedEntity::feature, device.features[index].name, "bit_constant"));
  }
  virtio.set("features", to_list(features));
  const auto has = [&](Direction direction) {
    return std::any_of(device.queues.begin(), device.queues.end(),
                       [&](const Queue& queue) { return queue.direction == direction; });
  };
  virtio.set("has_driver_to_device", has(Direction::driver_to_device));
  virtio.set("has_device_to_driver", has(Direction::device_to_driver));
  virtio.set("has_bidirectional", has(Direction::bidirectional));
  virtio.set("has_device_to_driver_or_bidirectional",
             has(Direction::device_to_driver) || has(Direction::bidirectional));
  virtio.set("has_driver_to_device_or_bidirectional",
             has(Direction::driver_to_device) || has(Direction::bidirectional));
  virtio.set("has_dependencies", std::any_of(device.features.begin(), device.features.end(),
                                             [](const Feature& feature) { return !feature.depends_on.empty(); }));
  virtio.set("raw_buffer_bytes", std::to_string(kRawBufferBytes));
  if (device.config) {
    data config = *virtio.get("config");
    set_name(config, "name", spec.name + "_config");
    config.set("struct_name", "configuration space");
    config.set("struct_type", derived_identifier(NamedEntity::spec, spec.name, "config_struct"));
    config.set("type_name", derived_identifier(NamedEntity::spec, spec.name, "config_struct"));
    config.set("description", "The device configuration space (VirtIO 1.2 §2.5), little-endian.");
    config.set("has_description", true);
    config.set("is_config", true);
    virtio.set("config", config);
  }
  root.set("virtio", virtio);
}

void set_rpmsg_extras(data& root, const Spec& spec, const RpmsgService& service) {
  data rpmsg = *root.get("rpmsg");
  std::vector<data> endpoints = items(rpmsg, "endpoints");
  for (std::size_t index = 0; index < endpoints.size(); ++index) {
    const Endpoint& endpoint = service.endpoints[index];
    endpoints[index].set("is_channel", index == 0);
    const bool typed = !endpoint.messages.empty();
    endpoints[index].set("has_message", typed);
    set_name(endpoints[index], "message", typed ? endpoint.messages.front().name : std::string("raw"));
    endpoints[index].set("message_type", typed ? struct_identifier(endpoint.messages.front().name) : std::string());
    endpoints[index].set("message_bytes",
                         std::to_string(typed ? type_size(spec, endpoint.messages.front()) : service.max_payload()));
  }
  rpmsg.set("endpoints", to_list(endpoints));
  rpmsg.set("endpoint_count", std::to_string(endpoints.size()));
  rpmsg.set("default_buffer_size", service.buffer_size == kDefaultBufferSize);
  root.set("rpmsg", rpmsg);
}

// The value a default half publishes for a node. The blkif profile names what its RAM disk
// says for the nodes xen/io/blkif.h defines; every other node gets 1 (numbers) or
// "<node>-of-<spec>" (strings).
std::string default_value(const StoreNode& node, const std::string& spec_snake, RingProfile profile) {
  static const std::map<std::string, std::string> kBlkifNodes{
      {"backend/sectors", "disk_.sectors()"},
      {"backend/sector-size", "disk_.sector_size()"},
      {"backend/info", "disk_.info()"},
      {"backend/feature-flush-cache", "disk_.flush_cache()"},
      {"frontend/protocol", "vgen::profiles::blkif::kNativeProtocol"}};
  const auto known = kBlkifNodes.find(std::string(side_name(node.side)) + "/" + node.name);
  // The backend's are numbers, the frontend's protocol a string: a node of another type keeps
  // the plain default.
  const bool fits = node.scalar.has_value() == (node.side == Side::backend);
  if (profile == RingProfile::blkif && known != kBlkifNodes.end() && fits) return known->second;
  if (!node.scalar) return string_literal(node.name + "-of-" + spec_snake);
  return "1";
}

// Fields of a struct the default handlers can set and compare: integer scalars, not arrays.
bool plain_integer(const Member& member) {
  return !member.is_padding() && !member.type.is_array() && member.type.scalar;
}

// The plain integer field of `structure` with the name and type of `other`, if any.
const Member* matching_field(const StructType& structure, const Member& other) {
  for (const Member& member : structure.members) {
    if (plain_integer(member) && member.name == other.name && member.type.scalar == other.type.scalar) return &member;
  }
  return nullptr;
}

// The store nodes of one side that the user's code supplies or reads: all but the ones the
// generated base writes itself (each ring's nodes: ring-ref, event-channel, the page order
// nodes of a multi-page ring), each with its C++ type and the largest value a reader accepts.
data user_store_nodes(const std::vector<data>& nodes, const std::vector<const StoreNode*>& sources,
                      const std::string& spec_snake, const SplitDevice& device) {
  std::set<std::string> ring_nodes;
  for (const SplitRing& ring : device.rings) {
    ring_nodes.insert("frontend/" + ring.nodes.ring_ref);
    ring_nodes.insert("frontend/" + ring.nodes.event_channel);
    if (ring.pages > 1) {
      ring_nodes.insert("frontend/" + ring.nodes.page_order);
      ring_nodes.insert("backend/" + ring.nodes.max_page_order);
    }
  }
  std::vector<data> kept;
  for (std::size_t index = 0; index < nodes.size(); ++index) {
    const StoreNode& source = *sources[index];
    if (ring_nodes.count(std::string(side_name(source.side)) + "/" + source.name) != 0) continue;
    data node = nodes[index];
    node.set("max", source.scalar
                        ? "std::numeric_limits<std::" + std::string(scalar_c_type(*source.scalar)) + ">::max()"
                        : std::string("0"));
    node.set("c_type", source.scalar ? std::string(scalar_c_type(*source.scalar)) : "");
    node.set("default_value", default_value(source, spec_snake, device.profile));
    kept.push_back(node);
  }
  return detail::make_list(std::move(kept));
}

// What a default frontend fills in (request fields) and a default backend echoes (response
// fields with a request field of the same name and integer type), for one ring.
void set_echo_fields(data& node, const Spec& spec, const NameRef& request_ref, const NameRef& response_ref) {
  const StructType& request = *spec.types.types[*request_ref.index].as_struct();
  const StructType& response = *spec.types.types[*response_ref.index].as_struct();
  std::vector<data> filled, echoed;
  for (const Member& member : request.members) {
    if (!plain_integer(member)) continue;
    data item;
    item.set("field", member.name);
    item.set("setter", derived_identifier(NamedEntity::field, member.name, "setter"));
    item.set("c_type", std::string(scalar_c_type(*member.type.scalar)));
    filled.push_back(item);
  }
  for (const Member& member : response.members) {
    if (!plain_integer(member) || matching_field(request, member) == nullptr) continue;
    data item;
    item.set("field", member.name);
    item.set("setter", derived_identifier(NamedEntity::field, member.name, "setter"));
    item.set("accessor", derived_identifier(NamedEntity::field, member.name, "accessor"));
    echoed.push_back(item);
  }
  node.set("filled_fields", to_list(filled));
  node.set("echoed_fields", to_list(echoed));
  node.set("has_echoed_fields", !echoed.empty());
}

void set_split_extras(data& root, const Spec& spec, const SplitDevice& device) {
  data split = *root.get("split");
  set_echo_fields(split, spec, device.request, device.response);
  std::vector<data> rings = items(split, "rings");
  for (std::size_t index = 0; index < rings.size(); ++index) {
    set_echo_fields(rings[index], spec, device.rings[index].request, device.rings[index].response);
  }
  split.set("rings", detail::make_list(std::move(rings)));
  split.set("is_blkif", device.profile == RingProfile::blkif);
  split.set("profile", std::string(ring_profile_name(device.profile)));
  const std::string spec_snake = to_snake_case(spec.name);
  std::vector<const StoreNode*> frontend, backend;
  for (const StoreNode& node : device.store) (node.side == Side::frontend ? frontend : backend).push_back(&node);
  const data frontend_nodes = user_store_nodes(items(split, "frontend_store"), frontend, spec_snake, device);
  const data backend_nodes = user_store_nodes(items(split, "backend_store"), backend, spec_snake, device);
  split.set("has_frontend_nodes", !frontend_nodes.list_value().empty());
  split.set("has_backend_nodes", !backend_nodes.list_value().empty());
  split.set("frontend_node_count", std::to_string(frontend_nodes.list_value().size()));
  split.set("backend_node_count", std::to_string(backend_nodes.list_value().size()));
  split.set("frontend_nodes", frontend_nodes);
  split.set("backend_nodes", backend_nodes);
  root.set("split", split);
}

}  // namespace

kainjow::mustache::data generation_data(const Spec& spec) {
  data root = template_data(spec);
  // The spec's name under keys no list item shadows (items have their own `name`).
  set_name(root, "spec", spec.name);
  root.set("spec_literal", string_literal(spec.name));
  set_ordered_structs(root, spec);
  if (const VirtioDevice* device = spec.virtio()) set_virtio_extras(root, spec, *device);
  if (const RpmsgService* service = spec.rpmsg()) set_rpmsg_extras(root, spec, *service);
  if (const SplitDevice* device = spec.split()) set_split_extras(root, spec, *device);
  // The two halves' file and class names: driver/device, or frontend/backend for split pairs.
  root.set("first_half", std::string(spec.split() != nullptr ? "frontend" : "driver"));
  root.set("second_half", std::string(spec.split() != nullptr ? "backend" : "device"));
  // The user headers' file names (virtio, rpmsg and split), for text such as the bases' handler checks.
  root.set("driver_header", to_snake_case(spec.name) + "_driver.hpp");
  root.set("device_header", to_snake_case(spec.name) + "_device.hpp");
  root.set("frontend_header", to_snake_case(spec.name) + "_frontend.hpp");
  root.set("backend_header", to_snake_case(spec.name) + "_backend.hpp");
  // Generated files name their spec by its file name, so the output is the same wherever the
  // spec and the output folder are.
  root.set("source_name", std::filesystem::path(spec.source).filename().string());
  const bool has_config = spec.virtio() != nullptr && spec.virtio()->config.has_value();
  root.set("config_type", has_config ? derived_identifier(NamedEntity::spec, spec.name, "config_struct")
                                     : std::string("vgen::halves::NoConfig"));
  return root;
}

}  // namespace vgen::gen
