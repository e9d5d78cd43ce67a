// `kind: rpmsg` specs: a named service and its endpoints. See docs/spec-format.md, "rpmsg".
#include <map>

#include "load/loaders.hpp"

namespace vgen::gen::detail {
namespace {

const std::vector<std::string> kEndpointKeys{"name", "address", "messages", "description"};

// Bounds of `buffer_size`: room for the 16-byte header plus a useful payload, and no more
// than the 16-bit `len` field of the header can describe.
constexpr std::uint64_t kMinBufferSize = 32;
constexpr std::uint64_t kMaxBufferSize = 65536;

void check_service(const MapView& top, RpmsgService& service) {
  std::optional<std::string> name = top.string("service", Presence::required);
  if (!name) {
    return;
  }
  Reader& reader = top.reader();
  if (name->empty()) {
    reader.error(top.value_location("service"), "the service name is empty");
  } else if (name->size() > kMaxServiceNameLength) {
    reader.error(top.value_location("service"),
                 "service name '" + *name + "' is " + std::to_string(name->size()) +
                     " bytes; the name-service announcement holds at most 31 (32 with the "
                     "terminating NUL)");
  } else {
    for (char c : *name) {
      if (c < 0x21 || c > 0x7E) {
        reader.error(top.value_location("service"),
                     "service name '" + *name + "' must be printable ASCII without spaces");
        break;
      }
    }
  }
  service.service = *name;
}

std::optional<std::uint32_t> load_address(const MapView& entry) {
  if (!entry.has("address")) {
    return std::nullopt;
  }
  std::optional<std::uint64_t> address = entry.unsigned_integer("address", Presence::optional, 0xFFFFFFFF);
  if (!address) {
    return std::nullopt;
  }
  if (*address == kAnyAddress) {
    entry.reader().error(
        entry.value_location("address"),
        "address 0xffffffff of " + entry.what() + " is the 'any address' wildcard, not an endpoint address");
    return std::nullopt;
  }
  if (*address < kFirstDynamicAddress) {
    entry.reader().error(entry.value_location("address"),
                         "address " + std::to_string(*address) + " of " + entry.what() +
                             " is in the reserved range 0-1023 (the name service is 53); "
                             "fixed addresses start at 1024");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*address);
}

void check_message_size(Reader& reader, const NameRef& message, const TypeDefinition& type, const RpmsgService& service,
                        const std::string& endpoint) {
  if (type.layout.size > service.max_payload()) {
    reader.error(message.location, "message '" + message.name + "' of " + endpoint + " is " +
                                       std::to_string(type.layout.size) + " bytes, more than the " +
                                       std::to_string(service.max_payload()) + "-byte payload of a " +
                                       std::to_string(service.buffer_size) + "-byte rpmsg buffer");
  }
}

std::optional<Endpoint> load_endpoint(Reader& reader, const YamlNode& node, const TypeTable& types,
                                      const RpmsgService& service) {
  MapView entry(reader, node, "endpoint", kEndpointKeys);
  std::optional<std::string> name = entry.identifier("name", Presence::required);
  Endpoint endpoint;
  endpoint.address = load_address(entry);
  bool address_ok = endpoint.address || !entry.has("address");
  endpoint.messages = entry.references("messages", Presence::optional);
  if (endpoint.messages.size() > 1) {
    reader.error(endpoint.messages[1].location, entry.what() + " lists " + std::to_string(endpoint.messages.size()) +
                                                    " message types; an endpoint carries one (or raw bytes without "
                                                    "messages)");
  }
  for (NameRef& message : endpoint.messages) {
    if (const TypeDefinition* type = resolve_struct(reader, message, types, "a message of " + entry.what())) {
      check_message_size(reader, message, *type, service, entry.what());
    }
  }
  if (!name || !address_ok) {
    return std::nullopt;
  }
  endpoint.name = *name;
  endpoint.description = entry.string("description", Presence::optional).value_or("");
  endpoint.location = entry.location();
  endpoint.name_position = entry.value_position("name");
  if (entry.has("address")) endpoint.address_position = entry.value_position("address");
  return endpoint;
}

void load_endpoints(const MapView& top, const TypeTable& types, RpmsgService& service) {
  std::optional<YamlNode> list = top.sequence("endpoints", Presence::required);
  if (!list) {
    return;
  }
  Reader& reader = top.reader();
  if (list->size() == 0) {
    reader.error(top.value_location("endpoints"), top.what() + " has no endpoints");
  }
  FirstSeen names;
  std::map<std::uint32_t, std::string> addresses;
  for (const YamlNode& node : elements(*list)) {
    std::optional<Endpoint> endpoint = load_endpoint(reader, node, types, service);
    if (!endpoint) {
      continue;
    }
    if (!names.unique(reader, endpoint->name, endpoint->location.at(endpoint->name_position),
                      "endpoint name '" + endpoint->name + "'")) {
      continue;
    }
    if (!service.endpoints.empty() && !endpoint->address) {
      reader.error(endpoint->location, "endpoint '" + endpoint->name +
                                           "' needs an address: the host reaches every endpoint but the first (the "
                                           "announced channel's) at its fixed address");
    }
    if (endpoint->address) {
      auto [existing, inserted] = addresses.emplace(*endpoint->address, endpoint->name);
      if (!inserted) {
        reader.error(endpoint->location.at(endpoint->address_position),
                     "endpoint '" + endpoint->name + "' uses address " + std::to_string(*endpoint->address) +
                         ", already used by endpoint '" + existing->second + "'");
      }
    }
    service.endpoints.push_back(std::move(*endpoint));
  }
}

}  // namespace

RpmsgService load_rpmsg(const MapView& top, const TypeTable& types) {
  RpmsgService service;
  check_service(top, service);
  if (top.has("buffer_size")) {
    std::optional<std::uint64_t> size = top.unsigned_integer("buffer_size", Presence::optional, kMaxBufferSize);
    if (size && *size < kMinBufferSize) {
      top.reader().error(top.value_location("buffer_size"), "buffer_size " + std::to_string(*size) +
                                                                " is too small: at least 32 bytes (16 of them header)");
    } else if (size) {
      service.buffer_size = static_cast<std::uint32_t>(*size);
    }
  }
  load_endpoints(top, types, service);
  return service;
}

}  // namespace vgen::gen::detail
