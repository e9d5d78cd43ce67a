#include "vgen/gen/render/template_data.hpp"

#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/names/names.hpp"
#include "vgen/gen/render/cpp_text.hpp"
#include "vgen/gen/render/version.hpp"

namespace vgen::gen {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::object;

std::string number(std::uint64_t value) { return std::to_string(value); }

// `key`, `key_snake`, `key_pascal` and `key_upper` for a name.
void set_name(data& node, const std::string& key, const std::string& name) {
  node.set(key, name);
  node.set(key + "_snake", to_snake_case(name));
  node.set(key + "_pascal", to_pascal_case(name));
  node.set(key + "_upper", to_upper_case(name));
}

// The identifiers generated code derives from `name` as `entity`, each under its key
// (generated_names.hpp): templates spell no derived identifier themselves.
void set_identifiers(data& node, NamedEntity entity, const std::string& name) {
  for (const DerivedIdentifier& identifier : derived_identifiers(entity, name)) {
    node.set(std::string(identifier.key), identifier.identifier);
  }
}

std::string identifier(NamedEntity entity, const std::string& name, std::string_view key) {
  for (const DerivedIdentifier& each : derived_identifiers(entity, name)) {
    if (each.key == key) return each.identifier;
  }
  return {};
}

// Descriptions reach templates only as comment text (cpp_text.hpp): spec text never becomes code.
void set_description(data& node, const std::string& description) {
  node.set("description", comment_text(description));
  node.set("has_description", !description.empty());
}

// A list whose items know whether they are the first or the last (for separators).
data make_list(std::vector<data> items) {
  list result;
  for (std::size_t index = 0; index < items.size(); ++index) {
    items[index].set("first", index == 0);
    items[index].set("last", index + 1 == items.size());
    items[index].set("index", number(index));
    result.push_back(std::move(items[index]));
  }
  return data(result);
}

// Integer facts of a scalar (or of the underlying type of an enum/flags field).
void set_integer(data& node, ScalarKind kind) {
  node.set("is_integer", true);
  node.set("integer_type", std::string(scalar_name(kind)));
  node.set("integer_c_type", std::string(scalar_c_type(kind)));
  node.set("integer_bits", number(scalar_bits(kind)));
  node.set("is_signed", scalar_is_signed(kind));
}

std::optional<ScalarKind> underlying(const TypeDefinition& type) {
  if (const EnumType* enumeration = type.as_enum()) return enumeration->underlying;
  if (const FlagsType* flags = type.as_flags()) return flags->underlying;
  return std::nullopt;
}

data member_data(const Member& member, const TypeTable& types) {
  data node;
  std::string name = member.is_padding() ? "_pad" + number(member.offset) : member.name;
  set_name(node, "name", name);
  // Padding is named by vgen, not by the spec: its member follows the fields' pattern.
  set_identifiers(node, NamedEntity::field, name);
  node.set("element_type", "");
  set_description(node, member.description);
  node.set("is_padding", member.is_padding());
  node.set("is_implicit", member.implicit);
  node.set("is_field", !member.is_padding());
  node.set("offset", number(member.offset));
  node.set("size", number(member.size));
  node.set("align", number(member.align));
  node.set("is_array", member.type.is_array() || member.is_padding());
  node.set("count", number(member.is_padding() ? member.size : member.type.count));
  // Every key any member has is set on all of them: mustache looks a missing key up in the
  // enclosing contexts, where it could find the struct's own value.
  for (const char* flag : {"is_integer", "is_signed", "is_scalar", "is_struct", "is_enum", "is_flags", "is_big_endian",
                           "is_little_endian"}) {
    node.set(flag, false);
  }
  for (const char* text : {"integer_type", "integer_c_type", "integer_bits", "byte_order"}) {
    node.set(text, "");
  }
  if (member.is_padding()) {
    node.set("type", "u8[" + number(member.size) + "]");
    set_name(node, "element", "u8");
    set_integer(node, ScalarKind::u8);
    node.set("c_type", "uint8_t");
    return node;
  }
  node.set("type", member.type.spelling);
  set_name(node, "element", member.type.element);
  node.set("byte_order", std::string(byte_order_name(member.byte_order)));
  node.set("is_big_endian", member.byte_order == ByteOrder::big);
  node.set("is_little_endian", member.byte_order == ByteOrder::little);
  node.set("is_scalar", member.type.scalar.has_value());
  if (member.type.scalar) {
    set_integer(node, *member.type.scalar);
    node.set("c_type", std::string(scalar_c_type(*member.type.scalar)));
    return node;
  }
  const TypeDefinition& type = types.types[member.type.named.value_or(0)];
  node.set("c_type", type.name);
  if (type.kind() == TypeKind::structure)
    node.set("element_type", identifier(NamedEntity::struct_type, type.name, "type_name"));
  if (type.kind() == TypeKind::enumeration)
    node.set("element_type", identifier(NamedEntity::enum_type, type.name, "type_name"));
  node.set("is_struct", type.kind() == TypeKind::structure);
  node.set("is_enum", type.kind() == TypeKind::enumeration);
  node.set("is_flags", type.kind() == TypeKind::flags);
  if (std::optional<ScalarKind> kind = underlying(type)) {
    set_integer(node, *kind);
  }
  return node;
}

data struct_data(const StructType& structure, const Layout& layout, const TypeTable& types) {
  data node;
  std::vector<data> members;
  std::vector<data> fields;
  for (const Member& member : structure.members) {
    members.push_back(member_data(member, types));
    if (!member.is_padding()) {
      fields.push_back(member_data(member, types));
    }
  }
  node.set("size", number(layout.size));
  node.set("align", number(layout.align));
  node.set("members", make_list(std::move(members)));
  node.set("fields", make_list(std::move(fields)));
  return node;
}

void set_enum(data& node, const EnumType& enumeration) {
  std::vector<data> values;
  for (const EnumValue& value : enumeration.values) {
    data item;
    set_name(item, "name", value.name);
    set_description(item, value.description);
    item.set("value", value.value.to_string());
    item.set("value_literal", cpp_literal(value.value));
    item.set("value_hex",
             to_hex(value.value.bits() & (scalar_bits(enumeration.underlying) == 64
                                              ? ~std::uint64_t{0}
                                              : (std::uint64_t{1} << scalar_bits(enumeration.underlying)) - 1)));
    values.push_back(std::move(item));
  }
  node.set("values", make_list(std::move(values)));
  set_integer(node, enumeration.underlying);
}

void set_flags(data& node, const FlagsType& flags) {
  std::vector<data> bits;
  for (const FlagBit& flag : flags.flags) {
    data item;
    set_name(item, "name", flag.name);
    set_description(item, flag.description);
    item.set("bit", number(flag.bit));
    item.set("mask", to_hex(std::uint64_t{1} << flag.bit));
    bits.push_back(std::move(item));
  }
  node.set("flags", make_list(std::move(bits)));
  set_integer(node, flags.underlying);
}

data type_data(const TypeDefinition& type, const TypeTable& types) {
  data node;
  if (const StructType* structure = type.as_struct()) {
    node = struct_data(*structure, type.layout, types);
  } else {
    node.set("members", make_list({}));
    node.set("fields", make_list({}));
  }
  node.set("values", make_list({}));
  node.set("flags", make_list({}));
  node.set("is_integer", false);
  set_name(node, "name", type.name);
  set_identifiers(node,
                  type.kind() == TypeKind::structure     ? NamedEntity::struct_type
                  : type.kind() == TypeKind::enumeration ? NamedEntity::enum_type
                                                         : NamedEntity::flags_type,
                  type.name);
  set_description(node, type.description);
  node.set("kind", std::string(type_kind_name(type.kind().value_or(TypeKind::structure))));
  node.set("is_struct", type.kind() == TypeKind::structure);
  node.set("is_enum", type.kind() == TypeKind::enumeration);
  node.set("is_flags", type.kind() == TypeKind::flags);
  node.set("size", number(type.layout.size));
  node.set("align", number(type.layout.align));
  if (const EnumType* enumeration = type.as_enum()) set_enum(node, *enumeration);
  if (const FlagsType* flags = type.as_flags()) set_flags(node, *flags);
  return node;
}

void set_types(data& root, const TypeTable& types) {
  std::vector<data> all, structs, enums, flags;
  for (const TypeDefinition& type : types.types) {
    data node = type_data(type, types);
    all.push_back(node);
    std::vector<data>& bucket = type.kind() == TypeKind::structure     ? structs
                                : type.kind() == TypeKind::enumeration ? enums
                                                                       : flags;
    bucket.push_back(node);
  }
  root.set("types", make_list(std::move(all)));
  root.set("structs", make_list(std::move(structs)));
  root.set("enums", make_list(std::move(enums)));
  root.set("flags_types", make_list(std::move(flags)));
}

// References to named entities of kind `entity` (features, struct types), with the
// identifiers generated code knows them by.
data references_data(const std::vector<NameRef>& references, NamedEntity entity) {
  std::vector<data> items;
  for (const NameRef& reference : references) {
    data item;
    set_name(item, "name", reference.name);
    set_identifiers(item, entity, reference.name);
    items.push_back(std::move(item));
  }
  return make_list(std::move(items));
}

data feature_data(const Feature& feature) {
  data node;
  set_name(node, "name", feature.name);
  set_identifiers(node, NamedEntity::feature, feature.name);
  set_description(node, feature.description);
  node.set("bit", number(feature.bit));
  node.set("mask", to_hex(std::uint64_t{1} << feature.bit, 16));
  node.set("is_transport", feature.transport);
  node.set("depends_on", references_data(feature.depends_on, NamedEntity::feature));
  node.set("has_depends_on", !feature.depends_on.empty());
  return node;
}

data queue_data(const Queue& queue) {
  data node;
  set_name(node, "name", queue.name);
  set_identifiers(node, NamedEntity::queue, queue.name);
  set_description(node, queue.description);
  node.set("queue_index", number(queue.index));
  node.set("size", number(queue.size));
  node.set("direction", std::string(direction_name(queue.direction)));
  node.set("is_driver_to_device", queue.direction == Direction::driver_to_device);
  node.set("is_device_to_driver", queue.direction == Direction::device_to_driver);
  node.set("is_bidirectional", queue.direction == Direction::bidirectional);
  node.set("messages", references_data(queue.messages, NamedEntity::struct_type));
  node.set("has_messages", !queue.messages.empty());
  node.set("has_feature", queue.feature.has_value());
  if (queue.feature) {
    set_name(node, "feature", queue.feature->name);
  }
  node.set("feature_constant",
           queue.feature ? identifier(NamedEntity::feature, queue.feature->name, "bit_constant") : "");
  return node;
}

data virtio_data(const VirtioDevice& device, const TypeTable& types) {
  data node;
  node.set("device_id", number(device.device_id));
  node.set("device_id_hex", to_hex(device.device_id, 4));
  node.set("has_vendor_id", device.vendor_id.has_value());
  node.set("vendor_id", number(device.vendor_id.value_or(0)));
  node.set("vendor_id_hex", to_hex(device.vendor_id.value_or(0), 4));
  std::vector<data> features, device_features, transport;
  std::uint64_t mask = 0;
  for (const Feature& feature : device.features) {
    features.push_back(feature_data(feature));
    (feature.transport ? transport : device_features).push_back(feature_data(feature));
    mask |= std::uint64_t{1} << feature.bit;
  }
  node.set("has_features", !features.empty());
  node.set("features", make_list(std::move(features)));
  node.set("device_features", make_list(std::move(device_features)));
  node.set("transport_features", make_list(std::move(transport)));
  node.set("features_mask", to_hex(mask, 16));
  node.set("has_config", device.config.has_value());
  if (device.config) {
    node.set("config", struct_data(*device.config, device.config_layout, types));
  }
  std::vector<data> queues;
  for (const Queue& queue : device.queues) {
    queues.push_back(queue_data(queue));
  }
  node.set("queue_count", number(device.queues.size()));
  node.set("queues", make_list(std::move(queues)));
  return node;
}

data store_node_data(const StoreNode& store_node) {
  data node;
  node.set("name", store_node.name);
  node.set("name_snake", to_snake_case(store_node.name));
  node.set("name_pascal", to_pascal_case(store_node.name));
  node.set("name_upper", to_upper_case(store_node.name));
  node.set("name_literal", string_literal(store_node.name));
  set_identifiers(node, NamedEntity::store_node, store_node.name);
  set_description(node, store_node.description);
  node.set("side", std::string(side_name(store_node.side)));
  node.set("is_frontend", store_node.side == Side::frontend);
  node.set("is_backend", store_node.side == Side::backend);
  node.set("is_string", !store_node.scalar.has_value());
  node.set("is_integer", false);
  node.set("type", store_node.scalar ? std::string(scalar_name(*store_node.scalar)) : "string");
  if (store_node.scalar) {
    set_integer(node, *store_node.scalar);
  }
  return node;
}

data split_data(const SplitDevice& device) {
  data node;
  node.set("device_type", device.device_type);
  set_name(node, "device_type", device.device_type);
  node.set("flavour", std::string(flavour_name(device.flavour)));
  node.set("is_xenbus", device.flavour == Flavour::xenbus);
  node.set("is_vbus", device.flavour == Flavour::vbus);
  node.set("has_compatible", device.compatible.has_value());
  node.set("compatible_frontend", device.compatible ? device.compatible->frontend : "");
  node.set("compatible_backend", device.compatible ? device.compatible->backend : "");
  node.set("compatible_frontend_literal", string_literal(device.compatible ? device.compatible->frontend : ""));
  node.set("compatible_backend_literal", string_literal(device.compatible ? device.compatible->backend : ""));
  node.set("device_type_literal", string_literal(device.device_type));
  node.set("ring_pages", number(device.ring_pages));
  node.set("ring_bytes", number(device.ring_pages * kPageSize));
  node.set("ring_entries", number(device.ring_entries));
  node.set("entry_size", number(device.entry_size));
  node.set("entry_align", number(device.entry_align));
  set_name(node, "request", device.request.name);
  set_name(node, "response", device.response.name);
  node.set("request_type", identifier(NamedEntity::struct_type, device.request.name, "type_name"));
  node.set("response_type", identifier(NamedEntity::struct_type, device.response.name, "type_name"));
  std::vector<data> all, frontend, backend;
  for (const StoreNode& store_node : device.store) {
    all.push_back(store_node_data(store_node));
    (store_node.side == Side::frontend ? frontend : backend).push_back(store_node_data(store_node));
  }
  node.set("store", make_list(std::move(all)));
  node.set("frontend_store", make_list(std::move(frontend)));
  node.set("backend_store", make_list(std::move(backend)));
  return node;
}

data rpmsg_data(const RpmsgService& service) {
  data node;
  node.set("service", service.service);
  node.set("service_literal", string_literal(service.service));
  node.set("service_length", number(service.service.size()));
  node.set("buffer_size", number(service.buffer_size));
  node.set("max_payload", number(service.max_payload()));
  std::vector<data> endpoints;
  for (const Endpoint& endpoint : service.endpoints) {
    data item;
    set_name(item, "name", endpoint.name);
    set_identifiers(item, NamedEntity::endpoint, endpoint.name);
    set_description(item, endpoint.description);
    item.set("has_address", endpoint.address.has_value());
    item.set("address", number(endpoint.address.value_or(0)));
    item.set("address_hex", to_hex(endpoint.address.value_or(0), 8));
    item.set("messages", references_data(endpoint.messages, NamedEntity::struct_type));
    item.set("has_messages", !endpoint.messages.empty());
    endpoints.push_back(std::move(item));
  }
  node.set("endpoints", make_list(std::move(endpoints)));
  return node;
}

}  // namespace

data template_data(const Spec& spec) {
  data root;
  set_name(root, "name", spec.name);
  root.set("name_literal", string_literal(spec.name));
  set_identifiers(root, NamedEntity::spec, spec.name);
  set_description(root, spec.description);
  root.set("source", spec.source);
  root.set("vgen_version", std::string(version()));
  root.set("kind", std::string(spec_kind_name(spec.kind())));
  root.set("is_virtio", spec.virtio() != nullptr);
  root.set("is_split", spec.split() != nullptr);
  root.set("is_rpmsg", spec.rpmsg() != nullptr);
  set_types(root, spec.types);
  if (const VirtioDevice* device = spec.virtio()) root.set("virtio", virtio_data(*device, spec.types));
  if (const SplitDevice* device = spec.split()) root.set("split", split_data(*device));
  if (const RpmsgService* service = spec.rpmsg()) root.set("rpmsg", rpmsg_data(*service));
  return root;
}

data template_data(const Topology& topology) {
  data root;
  set_name(root, "name", topology.name);
  set_description(root, topology.description);
  root.set("source", topology.source);
  root.set("vgen_version", std::string(version()));
  std::vector<data> components, instances, connections;
  for (const Component& component : topology.components) {
    data item;
    set_name(item, "name", component.name);
    set_description(item, component.description);
    components.push_back(std::move(item));
  }
  for (const Instance& instance : topology.instances) {
    data item;
    set_name(item, "name", instance.name);
    item.set("spec_path", instance.resolved_path);
    item.set("spec", template_data(*instance.spec));
    instances.push_back(std::move(item));
  }
  for (const Connection& connection : topology.connections) {
    data item;
    set_name(item, "name", connection.name);
    set_description(item, connection.description);
    const Instance& instance = topology.instances[connection.instance.index.value_or(0)];
    set_name(item, "instance", instance.name);
    set_name(item, "spec", instance.spec->name);
    item.set("kind", std::string(spec_kind_name(instance.spec->kind())));
    set_name(item, "driver_component", connection.driver.component.name);
    item.set("driver_channel", number(connection.driver.channel));
    set_name(item, "device_component", connection.device.component.name);
    item.set("device_channel", number(connection.device.channel));
    item.set("shared_memory", number(connection.shared_memory));
    item.set("shared_memory_hex", to_hex(connection.shared_memory));
    item.set("shared_memory_pages", number(connection.shared_memory / kPageSize));
    connections.push_back(std::move(item));
  }
  root.set("components", make_list(std::move(components)));
  root.set("instances", make_list(std::move(instances)));
  root.set("connections", make_list(std::move(connections)));
  return root;
}

}  // namespace vgen::gen
