#include "vgen/gen/render/template_data.hpp"

#include "render/data_tree.hpp"
#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/names/names.hpp"
#include "vgen/gen/render/cpp_text.hpp"
#include "vgen/gen/render/version.hpp"

namespace vgen::gen {
namespace {

using detail::list_of;
using detail::make_list;
using detail::set_name;
using kainjow::mustache::data;

std::string number(std::uint64_t value) { return std::to_string(value); }

// The identifiers generated code derives from `name` as `entity`, each under its key
// (generated_names.hpp): templates spell no derived identifier themselves.
void set_identifiers(data& node, NamedEntity entity, const std::string& name) {
  for (const DerivedIdentifier& identifier : derived_identifiers(entity, name)) {
    node.set(std::string(identifier.key), identifier.identifier);
  }
}

// Descriptions reach templates only as comment text (cpp_text.hpp): spec text never becomes code.
void set_description(data& node, const std::string& description) {
  node.set("description", comment_text(description));
  node.set("has_description", !description.empty());
}

// A spec entity with a name: the name in every case, the identifiers generated code derives
// from it, and its description.
void set_named_entity(data& node, NamedEntity entity, const std::string& name, const std::string& description) {
  set_name(node, "name", name);
  set_identifiers(node, entity, name);
  set_description(node, description);
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

// `initialized`: the member's declaration gets a default initializer (in a union only the
// first member may have one).
data member_data(const Member& member, const TypeTable& types, bool initialized = true) {
  data node;
  node.set("initialized", initialized);
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
  if (type.kind() == TypeKind::structure || type.kind() == TypeKind::enumeration) {
    node.set("element_type", derived_identifier(type_entity(type), type.name, "type_name"));
  }
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
  const auto member = [&types, &structure](const Member& each) {
    return member_data(each, types, !structure.is_union || &each == &structure.members.front());
  };
  node.set("size", number(layout.size));
  node.set("align", number(layout.align));
  node.set("members", list_of(structure.members, member));
  node.set("fields", list_of(structure.members, member, [](const Member& each) { return !each.is_padding(); }));
  node.set("is_union", structure.is_union);
  return node;
}

void set_enum(data& node, const EnumType& enumeration) {
  const std::uint64_t mask = scalar_bits(enumeration.underlying) == 64
                                 ? ~std::uint64_t{0}
                                 : (std::uint64_t{1} << scalar_bits(enumeration.underlying)) - 1;
  node.set("values", list_of(enumeration.values, [mask](const EnumValue& value) {
             data item;
             set_name(item, "name", value.name);
             set_description(item, value.description);
             item.set("value", value.value.to_string());
             item.set("value_literal", cpp_literal(value.value));
             item.set("value_hex", to_hex(value.value.bits() & mask));
             return item;
           }));
  set_integer(node, enumeration.underlying);
}

void set_flags(data& node, const FlagsType& flags) {
  node.set("flags", list_of(flags.flags, [](const FlagBit& flag) {
             data item;
             set_name(item, "name", flag.name);
             set_description(item, flag.description);
             item.set("bit", number(flag.bit));
             item.set("mask", to_hex(std::uint64_t{1} << flag.bit));
             return item;
           }));
  set_integer(node, flags.underlying);
}

data type_data(const TypeDefinition& type, const TypeTable& types) {
  data node;
  if (const StructType* structure = type.as_struct()) {
    node = struct_data(*structure, type.layout, types);
  } else {
    node.set("members", make_list({}));
    node.set("fields", make_list({}));
    node.set("is_union", false);
  }
  node.set("values", make_list({}));
  node.set("flags", make_list({}));
  node.set("is_integer", false);
  set_named_entity(node, type_entity(type), type.name, type.description);
  node.set("kind", std::string(type.kind_name()));
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
  const auto type = [&types](const TypeDefinition& each) { return type_data(each, types); };
  const auto of_entity = [](NamedEntity entity) {
    return [entity](const TypeDefinition& each) { return type_entity(each) == entity; };
  };
  root.set("types", list_of(types.types, type));
  root.set("structs", list_of(types.types, type, of_entity(NamedEntity::struct_type)));
  root.set("enums", list_of(types.types, type, of_entity(NamedEntity::enum_type)));
  root.set("flags_types", list_of(types.types, type, of_entity(NamedEntity::flags_type)));
}

// References to named entities of kind `entity` (features, struct types), with the
// identifiers generated code knows them by.
data references_data(const std::vector<NameRef>& references, NamedEntity entity) {
  return list_of(references, [entity](const NameRef& reference) {
    data item;
    set_name(item, "name", reference.name);
    set_identifiers(item, entity, reference.name);
    return item;
  });
}

data feature_data(const Feature& feature) {
  data node;
  set_named_entity(node, NamedEntity::feature, feature.name, feature.description);
  node.set("bit", number(feature.bit));
  node.set("mask", to_hex(std::uint64_t{1} << feature.bit, 16));
  node.set("is_transport", feature.transport);
  node.set("depends_on", references_data(feature.depends_on, NamedEntity::feature));
  node.set("has_depends_on", !feature.depends_on.empty());
  return node;
}

data queue_data(const Queue& queue) {
  data node;
  set_named_entity(node, NamedEntity::queue, queue.name, queue.description);
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
           queue.feature ? derived_identifier(NamedEntity::feature, queue.feature->name, "bit_constant") : "");
  return node;
}

data virtio_data(const VirtioDevice& device, const TypeTable& types) {
  data node;
  node.set("device_id", number(device.device_id));
  node.set("device_id_hex", to_hex(device.device_id, 4));
  node.set("has_vendor_id", device.vendor_id.has_value());
  node.set("vendor_id", number(device.vendor_id.value_or(0)));
  node.set("vendor_id_hex", to_hex(device.vendor_id.value_or(0), 4));
  std::uint64_t mask = 0;
  for (const Feature& feature : device.features) mask |= std::uint64_t{1} << feature.bit;
  node.set("has_features", !device.features.empty());
  node.set("features", list_of(device.features, feature_data));
  node.set("device_features",
           list_of(device.features, feature_data, [](const Feature& each) { return !each.transport; }));
  node.set("transport_features",
           list_of(device.features, feature_data, [](const Feature& each) { return each.transport; }));
  node.set("features_mask", to_hex(mask, 16));
  node.set("has_config", device.config.has_value());
  if (device.config) {
    node.set("config", struct_data(*device.config, device.config_layout, types));
  }
  node.set("queue_count", number(device.queues.size()));
  node.set("queues", list_of(device.queues, queue_data));
  return node;
}

data store_node_data(const StoreNode& store_node) {
  data node;
  set_named_entity(node, NamedEntity::store_node, store_node.name, store_node.description);
  node.set("name_literal", string_literal(store_node.name));
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

data ring_data(const SplitRing& ring) {
  data node;
  if (!ring.name.empty()) set_named_entity(node, NamedEntity::ring, ring.name, ring.description);
  node.set("name_literal", string_literal(ring.name));
  node.set("ring_ref_literal", string_literal(ring.nodes.ring_ref));
  node.set("event_channel_literal", string_literal(ring.nodes.event_channel));
  node.set("page_order_literal", string_literal(ring.nodes.page_order));
  node.set("max_page_order_literal", string_literal(ring.nodes.max_page_order));
  node.set("pages", number(ring.pages));
  node.set("is_multi_page", ring.pages > 1);
  node.set("ring_entries", number(ring.ring_entries));
  node.set("entry_size", number(ring.entry_size));
  set_name(node, "request", ring.request.name);
  set_name(node, "response", ring.response.name);
  node.set("request_type", derived_identifier(NamedEntity::struct_type, ring.request.name, "type_name"));
  node.set("response_type", derived_identifier(NamedEntity::struct_type, ring.response.name, "type_name"));
  return node;
}

data split_data(const SplitDevice& device) {
  data node;
  node.set("device_type", device.device_type);
  set_name(node, "device_type", device.device_type);
  node.set("flavour", std::string(flavour_name(device.flavour)));
  node.set("is_xenbus", device.flavour == Flavour::xenbus);
  node.set("is_vbus", device.flavour == Flavour::vbus);
  const std::string compatible_frontend = device.compatible ? device.compatible->frontend : "";
  const std::string compatible_backend = device.compatible ? device.compatible->backend : "";
  node.set("has_compatible", device.compatible.has_value());
  node.set("compatible_frontend", compatible_frontend);
  node.set("compatible_backend", compatible_backend);
  node.set("compatible_frontend_literal", string_literal(compatible_frontend));
  node.set("compatible_backend_literal", string_literal(compatible_backend));
  node.set("device_type_literal", string_literal(device.device_type));
  node.set("has_named_rings", device.named_rings);
  node.set("ring_count", number(device.rings.size()));
  node.set("rings", list_of(device.rings, ring_data));
  node.set("ring_pages", number(device.ring_pages));
  node.set("ring_bytes", number(device.ring_pages * kPageSize));
  node.set("ring_entries", number(device.ring_entries));
  node.set("entry_size", number(device.entry_size));
  node.set("entry_align", number(device.entry_align));
  set_name(node, "request", device.request.name);
  set_name(node, "response", device.response.name);
  node.set("request_type", derived_identifier(NamedEntity::struct_type, device.request.name, "type_name"));
  node.set("response_type", derived_identifier(NamedEntity::struct_type, device.response.name, "type_name"));
  const auto on_side = [](Side side) { return [side](const StoreNode& each) { return each.side == side; }; };
  node.set("store", list_of(device.store, store_node_data));
  node.set("frontend_store", list_of(device.store, store_node_data, on_side(Side::frontend)));
  node.set("backend_store", list_of(device.store, store_node_data, on_side(Side::backend)));
  return node;
}

data endpoint_data(const Endpoint& endpoint) {
  data node;
  set_named_entity(node, NamedEntity::endpoint, endpoint.name, endpoint.description);
  node.set("has_address", endpoint.address.has_value());
  node.set("address", number(endpoint.address.value_or(0)));
  node.set("address_hex", to_hex(endpoint.address.value_or(0), 8));
  node.set("messages", references_data(endpoint.messages, NamedEntity::struct_type));
  node.set("has_messages", !endpoint.messages.empty());
  return node;
}

data rpmsg_data(const RpmsgService& service) {
  data node;
  node.set("service", service.service);
  node.set("service_literal", string_literal(service.service));
  node.set("service_length", number(service.service.size()));
  node.set("buffer_size", number(service.buffer_size));
  node.set("max_payload", number(service.max_payload()));
  node.set("endpoints", list_of(service.endpoints, endpoint_data));
  return node;
}

data component_data(const Component& component) {
  data node;
  set_name(node, "name", component.name);
  set_description(node, component.description);
  return node;
}

data instance_data(const Instance& instance) {
  data node;
  set_name(node, "name", instance.name);
  node.set("spec_path", instance.resolved_path);
  node.set("spec", template_data(*instance.spec));
  return node;
}

data connection_data(const Connection& connection, const Topology& topology) {
  data node;
  set_name(node, "name", connection.name);
  set_description(node, connection.description);
  const Instance& instance = topology.instances[connection.instance.index.value_or(0)];
  set_name(node, "instance", instance.name);
  set_name(node, "spec", instance.spec->name);
  node.set("kind", std::string(spec_kind_name(instance.spec->kind())));
  set_name(node, "driver_component", connection.driver.component.name);
  node.set("driver_channel", number(connection.driver.channel));
  set_name(node, "device_component", connection.device.component.name);
  node.set("device_channel", number(connection.device.channel));
  node.set("shared_memory", number(connection.shared_memory));
  node.set("shared_memory_hex", to_hex(connection.shared_memory));
  node.set("shared_memory_pages", number(connection.shared_memory / kPageSize));
  return node;
}

}  // namespace

data template_data(const Spec& spec) {
  data root;
  set_named_entity(root, NamedEntity::spec, spec.name, spec.description);
  root.set("name_literal", string_literal(spec.name));
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
  root.set("components", list_of(topology.components, component_data));
  root.set("instances", list_of(topology.instances, instance_data));
  root.set("connections", list_of(topology.connections,
                                  [&topology](const Connection& each) { return connection_data(each, topology); }));
  return root;
}

}  // namespace vgen::gen
