// The table of generated identifiers. Each pattern below is the one spelling of an
// identifier generated code derives from a spec name: templates receive it under the
// pattern's key ({{index_constant}} is "kQueue" + the queue's name in PascalCase), and the
// checks see it in the scopes where generated code declares or refers to it. Each fixed name
// is one vgen's own code (the runtime base classes, the generated and the user files)
// declares or refers to in that scope.
#include "vgen/gen/names/generated_names.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <tuple>

#include "vgen/gen/names/names.hpp"

namespace vgen::gen {
namespace {

constexpr auto kDeclares = IdentifierUse::declares;
constexpr auto kRefers = IdentifierUse::refers;
constexpr auto kShadows = IdentifierUse::shadows;

enum class Spelling : std::uint8_t { as_written, snake, pascal };

// An identifier spelled from a spec name: prefix + the name in `spelling` + suffix, under
// `key` in the template data.
struct Pattern {
  std::string_view key;
  std::string_view prefix;
  Spelling spelling;
  std::string_view suffix;
  std::string_view role;
  IdentifierUse use = kDeclares;
};

// A name vgen's own code puts in a scope.
struct FixedName {
  std::string_view name;
  std::string_view what;
  IdentifierUse use = kDeclares;
};

// --- Patterns: identifiers derived from spec names, by entity ------------------------------

constexpr Pattern kSpecPatterns[] = {
    {"namespace", "", Spelling::snake, "", "namespace"},
    {"namespace_name", "", Spelling::snake, "", "namespace name", kRefers},
    {"driver_base_class", "", Spelling::pascal, "DriverBase", "driver base class"},
    {"device_base_class", "", Spelling::pascal, "DeviceBase", "device base class"},
    {"driver_class", "", Spelling::pascal, "Driver", "driver class"},
    {"device_class", "", Spelling::pascal, "Device", "device class"},
    {"frontend_base_class", "", Spelling::pascal, "FrontendBase", "frontend base class"},
    {"backend_base_class", "", Spelling::pascal, "BackendBase", "backend base class"},
    {"frontend_class", "", Spelling::pascal, "Frontend", "frontend class"},
    {"backend_class", "", Spelling::pascal, "Backend", "backend class"},
    {"config_struct", "", Spelling::pascal, "Config", "configuration struct"},
    {"test_suite", "", Spelling::pascal, "", "test suite of the project's tests"},
};

constexpr Pattern kStructPatterns[] = {
    {"type_name", "", Spelling::pascal, "", "struct name"},
    {"type_snake", "", Spelling::snake, "", "snake_case name", kShadows},
};
constexpr Pattern kEnumPatterns[] = {
    {"type_name", "", Spelling::pascal, "", "enum name"},
    {"type_snake", "", Spelling::snake, "", "snake_case name", kShadows},
};
constexpr Pattern kFlagsPatterns[] = {
    {"type_name", "", Spelling::snake, "", "namespace of masks"},
};

constexpr Pattern kFeaturePatterns[] = {
    {"bit_constant", "kFeature", Spelling::pascal, "", "bit constant"},
};

constexpr Pattern kQueuePatterns[] = {
    {"index_constant", "kQueue", Spelling::pascal, "", "index constant"},
    {"size_constant", "kQueue", Spelling::pascal, "Size", "size constant"},
    {"query", "has_", Spelling::as_written, "", "set-up query"},
    {"sender", "send_", Spelling::as_written, "", "sender"},
    {"poster", "post_", Spelling::as_written, "", "buffer poster"},
    {"handler", "on_", Spelling::as_written, "", "handler"},
    {"requester", "request_", Spelling::as_written, "", "request sender"},
    {"reply_handler", "on_", Spelling::as_written, "_reply", "reply handler"},
    {"producer", "produce_", Spelling::as_written, "", "producer"},
    {"test_message", "", Spelling::pascal, "TakesAMessage", "test"},
    {"test_loop", "", Spelling::pascal, "RefusesALoop", "test"},
    {"test_bound", "", Spelling::pascal, "RefusesPastItsBound", "test"},
};

constexpr Pattern kEndpointPatterns[] = {
    {"address_constant", "kEndpoint", Spelling::pascal, "", "address constant"},
    {"index_constant", "kEndpoint", Spelling::pascal, "Index", "index constant"},
    {"sender", "send_", Spelling::as_written, "", "sender"},
    {"handler", "on_", Spelling::as_written, "", "handler"},
};

constexpr Pattern kFieldPatterns[] = {
    {"member", "", Spelling::as_written, "_", "member"},
    {"accessor", "", Spelling::as_written, "", "accessor"},
    {"setter", "set_", Spelling::as_written, "", "setter"},
};

constexpr Pattern kStoreNodePatterns[] = {
    {"member", "", Spelling::snake, "", "member"},
};

constexpr Pattern kRingPatterns[] = {
    {"index_constant", "kRing", Spelling::pascal, "", "index constant"},
    {"sender", "send_", Spelling::as_written, "", "sender"},
    {"can_sender", "can_send_", Spelling::as_written, "", "slot query"},
    {"response_handler", "on_", Spelling::as_written, "_response", "response handler"},
    {"request_handler", "on_", Spelling::as_written, "_request", "request handler"},
    {"member", "", Spelling::as_written, "_ring_", "ring member"},
};

std::span<const Pattern> patterns_of(NamedEntity entity) {
  switch (entity) {
    case NamedEntity::spec:
      return kSpecPatterns;
    case NamedEntity::struct_type:
      return kStructPatterns;
    case NamedEntity::enum_type:
      return kEnumPatterns;
    case NamedEntity::flags_type:
      return kFlagsPatterns;
    case NamedEntity::feature:
      return kFeaturePatterns;
    case NamedEntity::queue:
      return kQueuePatterns;
    case NamedEntity::endpoint:
      return kEndpointPatterns;
    case NamedEntity::field:
      return kFieldPatterns;
    case NamedEntity::ring:
      return kRingPatterns;
    case NamedEntity::store_node:
      break;
  }
  return kStoreNodePatterns;
}

const Pattern& pattern(NamedEntity entity, std::string_view key) {
  for (const Pattern& candidate : patterns_of(entity)) {
    if (candidate.key == key) return candidate;
  }
  throw std::logic_error("generated names: no pattern '" + std::string(key) + "'");
}

// --- Fixed names: vgen's own, by scope ----------------------------------------------------

// The namespaces generated code refers to, at global and at namespace scope.
constexpr FixedName kReferredNamespaces[] = {
    {"std", "the C++ standard library", kRefers},
    {"vgen", "vgen's runtime", kRefers},
};

constexpr FixedName kGlobalNames[] = {
    {"main", "the demo's main()"},
};

constexpr FixedName kNamespaceNames[] = {
    {"describe", "the describe() functions of the message types"},
    {"kSpec", "the spec for the runtime halves"},
    {"log", "the log() of the user files"},
};

// The demo messages of virtio and rpmsg pairs.
constexpr FixedName kDemoNamespaceNames[] = {
    {"kDemoMessages", "the number of demo messages"},
};

constexpr FixedName kVirtioNamespaceNames[] = {
    {"kDeviceId", "the device ID"},
    {"kSpecFeatures", "the spec's feature bits"},
    {"kQueueCount", "the number of queues"},
    {"kQueues", "the queue table"},
    {"kConfigBytes", "the size of the configuration space"},
    {"kConfigFields", "the configuration field table"},
    {"kFeatureDependencies", "the feature dependency table"},
    {"hex", "the user files' hex()"},
};

constexpr FixedName kRpmsgNamespaceNames[] = {
    {"kEndpointCount", "the number of endpoints"},
    {"kEndpoints", "the endpoint table"},
};

constexpr FixedName kSplitNamespaceNames[] = {
    {"kRings", "the ring table"},
    {"FrontendNodes", "the frontend's store nodes"},
    {"BackendNodes", "the backend's store nodes"},
};

// Both classes of a virtio pair: the members their base classes have alike.
constexpr FixedName kVirtioPairNames[] = {
    {"kSpec", "a member of the base classes"},         {"core", "a member of the base classes"},
    {"spec", "a member of the base classes"},          {"has_feature", "a member of the base classes"},
    {"malformed", "a member of the base classes"},     {"send_bytes", "a member of the base classes"},
    {"core_", "a private member of the base classes"}, {"malformed_", "a private member of the base classes"},
    {"spec_", "a private member of the base classes"}, {"Overrides", "the generated base's check of the handlers"},
};

// The driver class, besides kVirtioPairNames: the members of VirtioDriver and
// VirtioDriverQueues, private ones too (C++ finds a name before it checks access), the handlers
// the generated base overrides, the user file's members.
constexpr FixedName kVirtioDriverNames[] = {
    {"VirtioDriver", "a base class"},
    {"VirtioDriverQueues", "a base class"},
    {"start", "a member of the base classes"},
    {"poll", "a member of the base classes"},
    {"run_until", "a member of the base classes"},
    {"stop", "a member of the base classes"},
    {"has_queue", "a member of the base classes"},
    {"read_config", "a member of the base classes"},
    {"on_started", "the handler called once the device is live"},
    {"on_queue_buffer", "a handler of the base classes"},
    {"on_queue_reply", "a handler of the base classes"},
    {"post_buffers", "a member of the base classes"},
    {"submit_request", "a member of the base classes"},
    {"read_config_bytes", "a member of the base classes"},
    {"Queue", "a private member of the base classes"},
    {"add", "a private member of the base classes"},
    {"arm_interrupts", "a private member of the base classes"},
    {"checked", "a private member of the base classes"},
    {"dispatch", "a private member of the base classes"},
    {"dispatch_reply", "a private member of the base classes"},
    {"flush", "a private member of the base classes"},
    {"memory_", "a private member of the base classes"},
    {"options_", "a private member of the base classes"},
    {"queues_", "a private member of the base classes"},
    {"slot_bytes", "a private member of the base classes"},
    {"request_data_bytes", "a private member of the base classes"},
    {"send_demo_traffic", "the generated base's demo traffic"},
    {"run_demo", "a member of the user files"},
    {"expected_", "a member of the user files"},
    {"received_", "a member of the user files"},
};

// The device class, besides kVirtioPairNames: the members of VirtioDevice, VirtioDeviceFraming
// and virtio::DeviceModel, private ones too, the user file's members.
constexpr FixedName kVirtioDeviceNames[] = {
    {"VirtioDevice", "a base class"},
    {"VirtioDeviceFraming", "a base class"},
    {"DeviceModel", "a base class"},
    {"kMaxPendingBytes", "a member of the base classes"},
    {"kMaxMessageBytes", "a member of the base classes"},
    {"identity", "a member of the base classes"},
    {"offered_features", "a member of the base classes"},
    {"feature_rules", "a member of the base classes"},
    {"queue_max_sizes", "a member of the base classes"},
    {"initial_config", "a member of the base classes"},
    {"check_features", "a member of the base classes"},
    {"config_written", "a member of the base classes"},
    {"activate", "a member of the base classes"},
    {"queue_notified", "a member of the base classes"},
    {"queue_enabled", "a member of the base classes"},
    {"queue_stopped", "a member of the base classes"},
    {"reset", "a member of the base classes"},
    {"on_queue_message", "a handler of the base classes"},
    {"on_queue_produce", "a handler of the base classes"},
    {"on_queue_request", "a handler of the base classes"},
    {"config_default_bytes", "a member of the base classes"},
    {"on_config_bytes_written", "a handler of the base classes"},
    {"on_reset", "the reset handler"},
    {"config_bytes", "a member of the base classes"},
    {"update_config_bytes", "a member of the base classes"},
    {"config_defaults", "a member of the base classes"},
    {"on_config_written", "the configuration-write handler"},
    {"config", "a member of the base classes"},
    {"update_config", "a member of the base classes"},
    {"Outbox", "a private member of the base classes"},
    {"answer", "a private member of the base classes"},
    {"readable_too_long", "a private member of the base classes"},
    {"consume", "a private member of the base classes"},
    {"deliver", "a private member of the base classes"},
    {"outboxes_", "a private member of the base classes"},
    {"produce", "a private member of the base classes"},
    {"rules_", "a private member of the base classes"},
    {"serve", "a private member of the base classes"},
    {"serve_once", "a private member of the base classes"},
    {"random_", "a member of the user files"},
    {"produced_", "a member of the user files"},
};

// Both classes of an rpmsg pair: the members their base classes have alike.
constexpr FixedName kRpmsgPairNames[] = {
    {"kSpec", "a member of the base classes"},
    {"kSendTimeout", "a member of the base classes"},
    {"bus", "a member of the base classes"},
    {"malformed", "a member of the base classes"},
    {"spec", "a member of the base classes"},
    {"on_endpoint_message", "a handler of the base classes"},
    {"send_bytes", "a member of the base classes"},
    {"bus_", "a private member of the base classes"},
    {"channel_", "a private member of the base classes"},
    {"malformed_", "a private member of the base classes"},
    {"spec_", "a private member of the base classes"},
    {"Overrides", "the generated base's check of the handlers"},
};

// The host class, besides kRpmsgPairNames: RpmsgHost, RpmsgHostDriver and rpmsg::Driver, the
// user file's members.
constexpr FixedName kRpmsgDriverNames[] = {
    {"RpmsgHost", "a base class"},
    {"RpmsgHostDriver", "a base class"},
    {"Driver", "a base class"},
    {"bound", "a member of the base classes"},
    {"probe", "a member of the base classes"},
    {"remove", "a member of the base classes"},
    {"receive", "a member of the base classes"},
    {"names", "a member of the base classes"},
    {"matches", "a member of the base classes"},
    {"on_bound", "the handler called when the channel binds"},
    {"address", "a private member of the base classes"},
    {"buses_", "a private member of the base classes"},
    {"names_", "a private member of the base classes"},
    {"send_demo_traffic", "the generated base's demo traffic"},
    {"run_demo", "a member of the user files"},
    {"received_", "a member of the user files"},
};

// The remote class, besides kRpmsgPairNames: RpmsgRemote and RpmsgRemoteEndpoints.
constexpr FixedName kRpmsgDeviceNames[] = {
    {"RpmsgRemote", "a base class"},
    {"RpmsgRemoteEndpoints", "a base class"},
    {"start", "a member of the base classes"},
    {"channel", "a member of the base classes"},
    {"endpoints_", "a private member of the base classes"},
    {"receive", "a private member of the base classes"},
};

// Both classes of a split pair: xenbus::Driver and its members, and the members the frontend
// and backend links have alike.
constexpr FixedName kSplitPairNames[] = {
    {"Driver", "a base class"},
    {"Ring", "a member of the base classes"},
    {"attach", "a member of the base classes"},
    {"changed_", "a member of the base classes"},
    {"client", "a member of the base classes"},
    {"client_", "a member of the base classes"},
    {"close", "a member of the base classes"},
    {"continue_pending", "a member of the base classes"},
    {"detach", "a member of the base classes"},
    {"devid", "a member of the base classes"},
    {"devid_", "a member of the base classes"},
    {"error_node", "a member of the base classes"},
    {"event_fd", "a member of the base classes"},
    {"events_", "a member of the base classes"},
    {"fatal", "a member of the base classes"},
    {"generation_", "a member of the base classes"},
    {"kSpec", "a member of the base classes"},
    {"last_error", "a member of the base classes"},
    {"last_error_", "a member of the base classes"},
    {"notify", "a member of the base classes"},
    {"on_connect", "a member of the base classes"},
    {"on_connected", "a member of the base classes"},
    {"on_disconnect", "a member of the base classes"},
    {"on_other_state", "a member of the base classes"},
    {"on_reconfigure", "a member of the base classes"},
    {"other_id", "a member of the base classes"},
    {"other_id_", "a member of the base classes"},
    {"other_id_node_", "a member of the base classes"},
    {"other_path", "a member of the base classes"},
    {"other_path_", "a member of the base classes"},
    {"other_path_node_", "a member of the base classes"},
    {"other_state", "a member of the base classes"},
    {"other_state_", "a member of the base classes"},
    {"path", "a member of the base classes"},
    {"path_", "a member of the base classes"},
    {"pollable_fd", "a member of the base classes"},
    {"process", "a member of the base classes"},
    {"read_other_end", "a member of the base classes"},
    {"read_other_state", "a member of the base classes"},
    {"reattach", "a member of the base classes"},
    {"report_error", "a member of the base classes"},
    {"ring_", "a member of the base classes"},
    {"self", "a member of the base classes"},
    {"set_trace", "a member of the base classes"},
    {"side", "a member of the base classes"},
    {"side_", "a member of the base classes"},
    {"state", "a member of the base classes"},
    {"state_", "a member of the base classes"},
    {"step", "a member of the base classes"},
    {"switch_state", "a member of the base classes"},
    {"token", "a member of the base classes"},
    {"trace", "a member of the base classes"},
    {"trace_", "a member of the base classes"},
    {"trace_ends", "a member of the base classes"},
    {"trace_ends_", "a member of the base classes"},
    {"wait_and_process", "a member of the base classes"},
    {"wakeup_", "a member of the base classes"},
    {"watched_", "a member of the base classes"},
    {"ports_", "a member of the base classes"},
    {"rings_", "a member of the base classes"},
    {"spec_", "a member of the base classes"},
    {"slots", "a member of the base classes"},
};

// The frontend class, besides kSplitPairNames: the members of SplitFrontend, SplitFrontendLink
// and xenbus::Frontend, private ones too, the user file's members.
constexpr FixedName kSplitFrontendNames[] = {
    {"SplitFrontendNodes", "a base class"},
    {"SplitFrontend", "a base class"},
    {"SplitFrontendLink", "a base class"},
    {"Frontend", "a base class"},
    {"backend_connected", "a member of the base classes"},
    {"begin_close", "a member of the base classes"},
    {"can_send", "a member of the base classes"},
    {"collect", "a member of the base classes"},
    {"connected", "a member of the base classes"},
    {"flushing", "a member of the base classes"},
    {"flushing_", "a member of the base classes"},
    {"in_flight", "a member of the base classes"},
    {"in_use", "a member of the base classes"},
    {"lose_backend", "a member of the base classes"},
    {"on_backend_changed", "a member of the base classes"},
    {"on_flush", "a member of the base classes"},
    {"on_initialise", "a member of the base classes"},
    {"on_publish", "a member of the base classes"},
    {"on_response", "a member of the base classes"},
    {"own_nodes", "a member of the base classes"},
    {"publish", "a member of the base classes"},
    {"publish_now", "a member of the base classes"},
    {"reconfigure", "a member of the base classes"},
    {"refused_", "a member of the base classes"},
    {"resume", "a member of the base classes"},
    {"retired_", "a member of the base classes"},
    {"revoke_retired", "a member of the base classes"},
    {"ring_up_", "a member of the base classes"},
    {"send", "a member of the base classes"},
    {"table", "a member of the base classes"},
    {"table_", "a member of the base classes"},
    {"kDemoRequests", "a member of the user files"},
    {"kDataPages", "a member of the user files"},
    {"top_up", "a member of the user files"},
    {"next_value_", "a member of the user files"},
    {"answered_", "a member of the user files"},
    {"mismatches_", "a member of the user files"},
    {"close_rings", "a member of the base classes"},
    {"data_frame", "a member of the base classes"},
    {"first_frame_", "a member of the base classes"},
    {"negotiated_order", "a member of the base classes"},
    {"publish_rings", "a member of the base classes"},
};

// The backend class, besides kSplitPairNames: the members of SplitBackend, SplitBackendLink and
// xenbus::Backend, private ones too.
constexpr FixedName kSplitBackendNames[] = {
    {"SplitBackendNodes", "a base class"},
    {"SplitBackend", "a base class"},
    {"SplitBackendLink", "a base class"},
    {"Backend", "a base class"},
    {"connect", "a member of the base classes"},
    {"connected_", "a member of the base classes"},
    {"disconnect", "a member of the base classes"},
    {"frontend_connected", "a member of the base classes"},
    {"mapper", "a member of the base classes"},
    {"mapper_", "a member of the base classes"},
    {"on_frontend_changed", "a member of the base classes"},
    {"on_probe", "a member of the base classes"},
    {"on_request", "a member of the base classes"},
    {"online", "a member of the base classes"},
    {"probe", "a member of the base classes"},
    {"release", "a member of the base classes"},
    {"ring_up", "a member of the base classes"},
    {"serve", "a member of the base classes"},
    {"served", "a member of the base classes"},
    {"served_", "a member of the base classes"},
    {"unregister", "a member of the base classes"},
    {"unregistered", "a member of the base classes"},
    {"unregistered_", "a member of the base classes"},
    {"map_rings", "a member of the base classes"},
    {"ring_up_", "a member of the base classes"},
};

// The frontend class of a spec with `rings:`, besides kSplitFrontendNames: the user file's
// members and the base's handler check.
constexpr FixedName kSplitRingsFrontendNames[] = {
    {"kRequestsPerRing", "a member of the user files"},
    {"ledgers_", "a member of the user files"},
    {"Overrides", "the generated base's check of the handlers"},
};

// The backend class of a spec with `rings:`, besides kSplitBackendNames.
constexpr FixedName kSplitRingsBackendNames[] = {
    {"Overrides", "the generated base's check of the handlers"},
};

// The structs of store nodes (store_nodes.hpp reads them through these).
constexpr FixedName kStoreNodeStructNames[] = {
    {"members", "the tuple of the nodes"},
    {"kNames", "the names of the nodes"},
};

// The tests of a project made by vgen new-device.
constexpr FixedName kTestNames[] = {
    {"TheDemoGetsEveryAnswer", "a test of the demo"},
};

// --- Building the table ---------------------------------------------------------------------

std::string spelled(std::string_view name, Spelling spelling) {
  switch (spelling) {
    case Spelling::snake:
      return to_snake_case(name);
    case Spelling::pascal:
      return to_pascal_case(name);
    case Spelling::as_written:
      break;
  }
  return std::string(name);
}

std::string identifier_of(const Pattern& pattern, std::string_view name) {
  return std::string(pattern.prefix) + spelled(name, pattern.spelling) + std::string(pattern.suffix);
}

// Where the entity being added comes from.
struct Origin {
  std::string text;  // "queue 'rx'"
  Location location;
};

class ScopeBuilder {
 public:
  explicit ScopeBuilder(std::string name, bool global = false) {
    scope_.name = std::move(name), scope_.global = global;
  }

  void fixed(std::span<const FixedName> names) {
    for (const FixedName& name : names) {
      scope_.identifiers.push_back(
          GeneratedIdentifier{std::string(name.name), std::string(name.what), "", Location{}, name.use});
    }
  }

  // The identifiers of `entity` named `name` under `keys`.
  void add(NamedEntity entity, std::initializer_list<std::string_view> keys, std::string_view name,
           const Origin& origin) {
    add(entity, std::span(keys.begin(), keys.size()), name, origin);
  }
  void add(NamedEntity entity, std::span<const std::string_view> keys, std::string_view name, const Origin& origin) {
    for (std::string_view key : keys) {
      const Pattern& used = pattern(entity, key);
      derived_.push_back(GeneratedIdentifier{identifier_of(used, name), std::string(used.role), origin.text,
                                             origin.location, used.use});
    }
  }

  // An identifier made from a spec name elsewhere that this scope refers to.
  void add_reference(std::string identifier, std::string_view role, const Origin& origin) {
    derived_.push_back(
        GeneratedIdentifier{std::move(identifier), std::string(role), origin.text, origin.location, kRefers});
  }

  // vgen's own names first, then the spec's in file order.
  GeneratedScope finish() {
    std::stable_sort(derived_.begin(), derived_.end(),
                     [](const GeneratedIdentifier& left, const GeneratedIdentifier& right) {
                       return std::tie(left.location.line, left.location.column) <
                              std::tie(right.location.line, right.location.column);
                     });
    scope_.identifiers.insert(scope_.identifiers.end(), derived_.begin(), derived_.end());
    return std::move(scope_);
  }

 private:
  GeneratedScope scope_;
  std::vector<GeneratedIdentifier> derived_;
};

Origin spec_origin(const Spec& spec) {
  return Origin{"spec name '" + spec.name + "'", Location{spec.source, 0, 0}.at(spec.name_position)};
}

Origin queue_origin(const Queue& queue) {
  return Origin{"queue '" + queue.name + "'", queue.location.at(queue.name_position)};
}

Origin endpoint_origin(const Endpoint& endpoint) {
  return Origin{"endpoint '" + endpoint.name + "'", endpoint.location.at(endpoint.name_position)};
}

std::string pascal_class(const Spec& spec, std::string_view key) {
  return derived_identifier(NamedEntity::spec, spec.name, key);
}

void add_types(ScopeBuilder& scope, const TypeTable& types) {
  for (const TypeDefinition& type : types.types) {
    const Origin origin{"type '" + type.name + "'", type.location.at(type.name_position)};
    if (type.as_struct() != nullptr)
      scope.add(NamedEntity::struct_type, {"type_name", "type_snake"}, type.name, origin);
    if (type.as_enum() != nullptr) scope.add(NamedEntity::enum_type, {"type_name", "type_snake"}, type.name, origin);
    if (type.as_flags() != nullptr) scope.add(NamedEntity::flags_type, {"type_name"}, type.name, origin);
  }
}

// What each ring of `rings:` makes in a scope (a `ring:` is not named and makes nothing).
void add_ring_functions(ScopeBuilder& scope, const SplitDevice& device, std::initializer_list<std::string_view> keys) {
  if (!device.named_rings) return;
  for (const SplitRing& ring : device.rings) {
    scope.add(NamedEntity::ring, keys, ring.name,
              Origin{"ring '" + ring.name + "'", ring.location.at(ring.name_position)});
  }
}

GeneratedScope namespace_scope(const Spec& spec) {
  ScopeBuilder scope("namespace " + to_snake_case(spec.name));
  scope.fixed(kReferredNamespaces);
  scope.fixed(kNamespaceNames);
  const Origin origin = spec_origin(spec);
  scope.add(NamedEntity::spec, {"namespace_name"}, spec.name, origin);
  if (const VirtioDevice* device = spec.virtio()) {
    scope.fixed(kDemoNamespaceNames);
    scope.fixed(kVirtioNamespaceNames);
    scope.add(NamedEntity::spec, {"driver_base_class", "device_base_class", "driver_class", "device_class"}, spec.name,
              origin);
    if (device->config) scope.add(NamedEntity::spec, {"config_struct"}, spec.name, origin);
    for (const Feature& feature : device->features) {
      scope.add(NamedEntity::feature, {"bit_constant"}, feature.name,
                Origin{"feature '" + feature.name + "'", feature.location.at(feature.name_position)});
    }
    for (const Queue& queue : device->queues) {
      scope.add(NamedEntity::queue, {"index_constant", "size_constant"}, queue.name, queue_origin(queue));
    }
  } else if (const RpmsgService* service = spec.rpmsg()) {
    scope.fixed(kDemoNamespaceNames);
    scope.fixed(kRpmsgNamespaceNames);
    scope.add(NamedEntity::spec, {"driver_base_class", "device_base_class", "driver_class", "device_class"}, spec.name,
              origin);
    for (const Endpoint& endpoint : service->endpoints) {
      scope.add(NamedEntity::endpoint, {"address_constant", "index_constant"}, endpoint.name,
                endpoint_origin(endpoint));
    }
  } else {
    scope.fixed(kSplitNamespaceNames);
    scope.add(NamedEntity::spec, {"frontend_base_class", "backend_base_class", "frontend_class", "backend_class"},
              spec.name, origin);
    add_ring_functions(scope, *spec.split(), {"index_constant"});
  }
  add_types(scope, spec.types);
  return scope.finish();
}

// The handlers and functions a queue of each direction has in each half.
constexpr std::string_view kDriverToDeviceDriver[] = {"query", "sender"};
constexpr std::string_view kDeviceToDriverDriver[] = {"query", "poster", "handler"};
constexpr std::string_view kBidirectionalDriver[] = {"query", "requester", "reply_handler"};
constexpr std::string_view kDriverToDeviceDevice[] = {"handler"};
constexpr std::string_view kDeviceToDriverDevice[] = {"producer", "sender"};
constexpr std::string_view kBidirectionalDevice[] = {"handler"};

std::span<const std::string_view> driver_keys(Direction direction) {
  switch (direction) {
    case Direction::driver_to_device:
      return kDriverToDeviceDriver;
    case Direction::device_to_driver:
      return kDeviceToDriverDriver;
    case Direction::bidirectional:
      break;
  }
  return kBidirectionalDriver;
}

std::span<const std::string_view> device_keys(Direction direction) {
  switch (direction) {
    case Direction::driver_to_device:
      return kDriverToDeviceDevice;
    case Direction::device_to_driver:
      return kDeviceToDriverDevice;
    case Direction::bidirectional:
      break;
  }
  return kBidirectionalDevice;
}

// The spec's types, as code inside a class names them: a member of the class's bases of the
// same name (of any access) would hide them.
void add_type_references(ScopeBuilder& scope, const TypeTable& types) {
  for (const TypeDefinition& type : types.types) {
    const Pattern& name = pattern(type_entity(type), "type_name");
    scope.add_reference(identifier_of(name, type.name), name.role,
                        Origin{"type '" + type.name + "'", type.location.at(type.name_position)});
  }
}

// One class of a pair, named by `class_key`: vgen's names both classes of the pair have and
// this class's own, the identifiers `add_entities` adds, and the spec's types its code names.
GeneratedScope class_scope(const Spec& spec, std::string_view class_key, std::span<const FixedName> pair_names,
                           std::span<const FixedName> own_names,
                           const std::function<void(ScopeBuilder&)>& add_entities = {}) {
  ScopeBuilder scope("class " + pascal_class(spec, class_key));
  scope.fixed(pair_names);
  scope.fixed(own_names);
  if (add_entities) add_entities(scope);
  add_type_references(scope, spec.types);
  return scope.finish();
}

// The handlers and functions of every queue in one class of a virtio pair.
void add_queue_functions(ScopeBuilder& scope, const VirtioDevice& device, bool driver) {
  for (const Queue& queue : device.queues) {
    scope.add(NamedEntity::queue, driver ? driver_keys(queue.direction) : device_keys(queue.direction), queue.name,
              queue_origin(queue));
  }
}

// The sender and handler of every endpoint, which both classes of an rpmsg pair have.
void add_endpoint_functions(ScopeBuilder& scope, const RpmsgService& service) {
  for (const Endpoint& endpoint : service.endpoints) {
    scope.add(NamedEntity::endpoint, {"sender", "handler"}, endpoint.name, endpoint_origin(endpoint));
  }
}

// The tests a scaffolded project starts with, in its anonymous namespace: gtest makes a class
// of each suite and test name.
GeneratedScope test_scope(const Spec& spec, const VirtioDevice& device) {
  ScopeBuilder scope("the tests of " + pascal_class(spec, "test_suite"));
  scope.fixed(kTestNames);
  for (const Queue& queue : device.queues) {
    if (queue.direction == Direction::driver_to_device) {
      scope.add(NamedEntity::queue, {"test_message", "test_loop"}, queue.name, queue_origin(queue));
      if (queue.buffer_size || queue.max_data) {
        scope.add(NamedEntity::queue, {"test_bound"}, queue.name, queue_origin(queue));
      }
    }
  }
  return scope.finish();
}

// One struct's members: its own name, each field's member, accessor and setter, and the
// types its fields refer to.
GeneratedScope struct_scope(const std::string& type_name, const Origin& self, const StructType& structure,
                            const TypeTable& types, const std::string& owner) {
  ScopeBuilder scope("struct " + type_name);
  scope.add_reference(type_name, "own name (its constructors')", self);
  for (const Member& member : structure.members) {
    if (member.is_padding()) continue;
    const Origin origin{"field '" + member.name + "' of " + owner, member.location.at(member.name_position)};
    const bool struct_field = member.type.named && types.types[*member.type.named].as_struct() != nullptr;
    if (struct_field) {
      scope.add(NamedEntity::field, {"member", "accessor"}, member.name, origin);
    } else {
      scope.add(NamedEntity::field, {"member", "accessor", "setter"}, member.name, origin);
    }
    if (member.type.named) {
      const TypeDefinition& type = types.types[*member.type.named];
      const NamedEntity entity = type_entity(type);
      // Fields refer to struct and enum types by name; flags fields hold their integer type.
      if (entity != NamedEntity::flags_type)
        scope.add_reference(derived_identifier(entity, type.name, "type_name"), "type", origin);
    }
  }
  return scope.finish();
}

GeneratedScope store_scope(const SplitDevice& device, Side side) {
  ScopeBuilder scope(side == Side::frontend ? "struct FrontendNodes" : "struct BackendNodes");
  scope.fixed(kStoreNodeStructNames);
  for (const StoreNode& node : device.store) {
    if (node.side != side) continue;
    scope.add(
        NamedEntity::store_node, {"member"}, node.name,
        Origin{std::string(side_name(side)) + " store node '" + node.name + "'", node.location.at(node.name_position)});
  }
  return scope.finish();
}

GeneratedScope global_scope(const Spec& spec) {
  ScopeBuilder scope("the global namespace", true);
  scope.fixed(kReferredNamespaces);
  scope.fixed(kGlobalNames);
  scope.add(NamedEntity::spec, {"namespace"}, spec.name, spec_origin(spec));
  return scope.finish();
}

void visit_struct_scopes(const Spec& spec, const std::function<void(const GeneratedScope&)>& visit) {
  for (const TypeDefinition& type : spec.types.types) {
    if (const StructType* structure = type.as_struct()) {
      const Origin self{"type '" + type.name + "'", type.location.at(type.name_position)};
      visit(struct_scope(derived_identifier(NamedEntity::struct_type, type.name, "type_name"), self, *structure,
                         spec.types, "struct '" + type.name + "'"));
    }
  }
}

}  // namespace

std::vector<DerivedIdentifier> derived_identifiers(NamedEntity entity, std::string_view name) {
  std::vector<DerivedIdentifier> result;
  for (const Pattern& each : patterns_of(entity)) result.push_back({each.key, identifier_of(each, name)});
  return result;
}

std::string derived_identifier(NamedEntity entity, std::string_view name, std::string_view key) {
  return identifier_of(pattern(entity, key), name);
}

NamedEntity type_entity(const TypeDefinition& type) {
  if (type.as_struct() != nullptr) return NamedEntity::struct_type;
  if (type.as_enum() != nullptr) return NamedEntity::enum_type;
  return NamedEntity::flags_type;
}

void visit_generated_scopes(const Spec& spec, const std::function<void(const GeneratedScope&)>& visit) {
  visit(global_scope(spec));
  visit(namespace_scope(spec));
  visit_struct_scopes(spec, visit);
  if (const VirtioDevice* device = spec.virtio()) {
    visit(class_scope(spec, "driver_class", kVirtioPairNames, kVirtioDriverNames,
                      [device](ScopeBuilder& scope) { add_queue_functions(scope, *device, true); }));
    visit(class_scope(spec, "device_class", kVirtioPairNames, kVirtioDeviceNames,
                      [device](ScopeBuilder& scope) { add_queue_functions(scope, *device, false); }));
    visit(test_scope(spec, *device));
    if (device->config) {
      visit(
          struct_scope(pascal_class(spec, "config_struct"), spec_origin(spec), *device->config, spec.types, "config"));
    }
  }
  if (const RpmsgService* service = spec.rpmsg()) {
    const auto endpoints = [service](ScopeBuilder& scope) { add_endpoint_functions(scope, *service); };
    visit(class_scope(spec, "driver_class", kRpmsgPairNames, kRpmsgDriverNames, endpoints));
    visit(class_scope(spec, "device_class", kRpmsgPairNames, kRpmsgDeviceNames, endpoints));
  }
  if (const SplitDevice* device = spec.split()) {
    visit(class_scope(spec, "frontend_class", kSplitPairNames, kSplitFrontendNames, [device](ScopeBuilder& scope) {
      if (device->named_rings) scope.fixed(kSplitRingsFrontendNames);
      add_ring_functions(scope, *device, {"sender", "can_sender", "response_handler", "member"});
    }));
    visit(class_scope(spec, "backend_class", kSplitPairNames, kSplitBackendNames, [device](ScopeBuilder& scope) {
      if (device->named_rings) scope.fixed(kSplitRingsBackendNames);
      add_ring_functions(scope, *device, {"request_handler", "member"});
    }));
    visit(store_scope(*device, Side::frontend));
    visit(store_scope(*device, Side::backend));
  }
}

std::vector<GeneratedScope> generated_identifiers(const Spec& spec) {
  std::vector<GeneratedScope> scopes;
  visit_generated_scopes(spec, [&scopes](const GeneratedScope& scope) { scopes.push_back(scope); });
  return scopes;
}

}  // namespace vgen::gen
