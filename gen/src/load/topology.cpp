// `kind: topology` files: components, instances of device specs, and the connections
// between them. See docs/spec-format.md, "Topologies".
#include <map>

#include "load/loaders.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {
namespace {

const std::vector<std::string> kComponentKeys{"name", "description"};
const std::vector<std::string> kInstanceKeys{"name", "spec", "description"};
const std::vector<std::string> kConnectionKeys{"name", "instance", "driver", "device", "shared_memory", "description"};
const std::vector<std::string> kEndKeys{"component", "channel"};

// Shared memory is mapped (or granted) in whole pages.
constexpr std::uint64_t kPageBytes = 4096;

// The entry's name. An invalid name is reported and still kept, so that references to it stay
// quiet.
std::optional<std::string> kept_name(const MapView& entry, const YamlNode& node) {
  std::optional<std::string> name = entry.spec_name("name", Presence::required);
  return name ? name : peek_scalar(node, "name");
}

std::vector<Component> load_components(const MapView& top) {
  std::vector<Component> components;
  std::optional<YamlNode> list = top.sequence("components", Presence::required);
  if (!list) {
    return components;
  }
  FirstSeen names;
  for (const YamlNode& node : elements(*list)) {
    MapView entry(top.reader(), node, "component", kComponentKeys);
    std::optional<std::string> name = kept_name(entry, node);
    if (!name) {
      continue;
    }
    if (!names.unique(top.reader(), *name, entry.value_location("name"), "component name '" + *name + "'")) continue;
    components.push_back(
        Component{*name, entry.string("description", Presence::optional).value_or(""), entry.location()});
  }
  return components;
}

std::vector<Instance> load_instances(const MapView& top, const SpecLoader& load_spec) {
  std::vector<Instance> instances;
  std::optional<YamlNode> list = top.sequence("instances", Presence::required);
  if (!list) {
    return instances;
  }
  FirstSeen names;
  for (const YamlNode& node : elements(*list)) {
    MapView entry(top.reader(), node, "instance", kInstanceKeys);
    std::optional<std::string> name = kept_name(entry, node);
    std::optional<std::string> path = entry.string("spec", Presence::required);
    if (!name || !path) {
      continue;
    }
    if (!names.unique(top.reader(), *name, entry.value_location("name"), "instance name '" + *name + "'")) continue;
    Instance instance{*name, *path, "", nullptr, entry.location()};
    load_spec(instance, entry.value_location("spec"));
    instances.push_back(std::move(instance));
  }
  return instances;
}

template <typename Item>
std::optional<std::size_t> find_named(const std::vector<Item>& items, const std::string& name) {
  for (std::size_t index = 0; index < items.size(); ++index) {
    if (items[index].name == name) {
      return index;
    }
  }
  return std::nullopt;
}

template <typename Item>
std::vector<std::string> names_of(const std::vector<Item>& items) {
  std::vector<std::string> names;
  for (const Item& item : items) {
    names.push_back(item.name);
  }
  return names;
}

std::optional<ConnectionEnd> load_end(const MapView& connection, const std::string& role,
                                      const std::vector<Component>& components) {
  std::optional<YamlNode> node = connection.mapping(role, Presence::required);
  if (!node) {
    return std::nullopt;
  }
  Reader& reader = connection.reader();
  MapView entry(reader, *node, role, kEndKeys, connection.what());
  std::optional<NameRef> component = entry.reference("component", Presence::required);
  std::optional<std::uint64_t> channel = entry.unsigned_integer("channel", Presence::required, 0xFFFFFFFF);
  if (component) {
    component->index = find_named(components, component->name);
    if (!component->index) {
      reader.error(component->location, "unknown component '" + component->name + "' for the " + role + " of " +
                                            connection.what() + suggestion(component->name, names_of(components)));
    }
  }
  if (!component || !component->index || !channel) {
    return std::nullopt;
  }
  return ConnectionEnd{*component, static_cast<std::uint32_t>(*channel), entry.value_location("channel")};
}

std::optional<std::uint64_t> load_shared_memory(const MapView& entry) {
  std::optional<std::uint64_t> bytes =
      entry.unsigned_integer("shared_memory", Presence::required, std::uint64_t{1} << 40);
  if (bytes && (*bytes == 0 || *bytes % kPageBytes != 0)) {
    entry.reader().error(entry.value_location("shared_memory"),
                         "shared_memory " + std::to_string(*bytes) + " of " + entry.what() +
                             " is not a positive multiple of the 4096-byte page size");
    return std::nullopt;
  }
  return bytes;
}

// Checks which of a connection's instance and channel IDs are already taken.
class ConnectionRules {
 public:
  explicit ConnectionRules(Reader& reader) : reader_(reader) {}

  void claim_instance(const NameRef& instance, const std::string& connection) {
    auto [existing, inserted] = instance_users_.emplace(*instance.index, connection);
    if (!inserted) {
      reader_.error(instance.location, "instance '" + instance.name + "' is already connected by " + existing->second);
    }
  }

  void claim_channel(const ConnectionEnd& end, const std::string& connection) {
    auto key = std::pair(*end.component.index, end.channel);
    auto [existing, inserted] = channel_users_.emplace(key, connection);
    if (!inserted) {
      reader_.error(end.location, "channel " + std::to_string(end.channel) + " of component '" + end.component.name +
                                      "' is already used by " + existing->second);
    }
  }

 private:
  Reader& reader_;
  std::map<std::size_t, std::string> instance_users_;
  std::map<std::pair<std::size_t, std::uint32_t>, std::string> channel_users_;
};

std::vector<Connection> load_connections(const MapView& top, const std::vector<Component>& components,
                                         const std::vector<Instance>& instances) {
  std::vector<Connection> connections;
  std::optional<YamlNode> list = top.sequence("connections", Presence::required);
  if (!list) {
    return connections;
  }
  Reader& reader = top.reader();
  FirstSeen names;
  ConnectionRules rules(reader);
  for (const YamlNode& node : elements(*list)) {
    MapView entry(reader, node, "connection", kConnectionKeys);
    std::optional<std::string> name = entry.spec_name("name", Presence::required);
    std::optional<NameRef> instance = entry.reference("instance", Presence::required);
    std::optional<ConnectionEnd> driver = load_end(entry, "driver", components);
    std::optional<ConnectionEnd> device = load_end(entry, "device", components);
    std::optional<std::uint64_t> shared_memory = load_shared_memory(entry);
    if (instance) {
      instance->index = find_named(instances, instance->name);
      if (!instance->index) {
        reader.error(instance->location, "unknown instance '" + instance->name + "' in " + entry.what() +
                                             suggestion(instance->name, names_of(instances)));
      } else {
        rules.claim_instance(*instance, entry.what() + " (at " + entry.location().line_column() + ")");
      }
    }
    for (const std::optional<ConnectionEnd>* end : {&driver, &device}) {
      if (*end) {
        rules.claim_channel(**end, entry.what() + " (at " + entry.location().line_column() + ")");
      }
    }
    if (name && !names.unique(reader, *name, entry.value_location("name"), "connection name '" + *name + "'")) {
      continue;
    }
    if (!name || !instance || !instance->index || !driver || !device || !shared_memory) {
      continue;
    }
    connections.push_back(Connection{*name, *instance, *driver, *device, *shared_memory,
                                     entry.string("description", Presence::optional).value_or(""), entry.location()});
  }
  return connections;
}

}  // namespace

Topology load_topology(const MapView& top, const SpecLoader& load_spec) {
  Topology topology;
  topology.components = load_components(top);
  topology.instances = load_instances(top, load_spec);
  topology.connections = load_connections(top, topology.components, topology.instances);
  return topology;
}

}  // namespace vgen::gen::detail
