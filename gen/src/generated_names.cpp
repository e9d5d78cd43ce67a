// The table of generated identifiers. Each pattern below mirrors a place where a template
// spells an identifier from a spec name ("kQueue{{name_pascal}}" is {"kQueue", pascal, ""});
// each fixed name is one vgen's own code declares or refers to in that scope.
#include "vgen/gen/generated_names.hpp"

#include <algorithm>
#include <tuple>

#include "vgen/gen/names.hpp"

namespace vgen::gen {
namespace {

constexpr auto kDeclares = IdentifierUse::declares;
constexpr auto kRefers = IdentifierUse::refers;
constexpr auto kShadows = IdentifierUse::shadows;

enum class Spelling : std::uint8_t { as_written, snake, pascal };

// An identifier spelled from a spec name: prefix + the name in `spelling` + suffix.
struct Pattern {
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

enum class Half : std::uint8_t { driver, device };

// Which queue directions a handler pattern applies to.
enum Directions : std::uint8_t { kToDevice = 1, kToDriver = 2, kBothWays = 4, kAny = 7 };

struct QueuePattern {
  Half half;
  std::uint8_t directions;
  Pattern pattern;
};

struct EndpointPattern {
  Half half;
  Pattern pattern;
};

// --- Patterns: identifiers derived from spec names ----------------------------------------

constexpr Pattern kSpecNamespace{"", Spelling::snake, "", "namespace"};
constexpr Pattern kSpecNamespaceSelf{"", Spelling::snake, "", "namespace name", kRefers};
constexpr Pattern kVirtioClasses[] = {
    {"", Spelling::pascal, "DriverBase", "driver base class"},
    {"", Spelling::pascal, "DeviceBase", "device base class"},
    {"", Spelling::pascal, "Driver", "driver class"},
    {"", Spelling::pascal, "Device", "device class"},
};
constexpr Pattern kVirtioConfig{"", Spelling::pascal, "Config", "configuration struct"};
constexpr Pattern kRpmsgClasses[] = {
    {"", Spelling::pascal, "DriverBase", "driver base class"},
    {"", Spelling::pascal, "DeviceBase", "device base class"},
    {"", Spelling::pascal, "Driver", "driver class"},
    {"", Spelling::pascal, "Device", "device class"},
};
constexpr Pattern kSplitClasses[] = {
    {"", Spelling::pascal, "FrontendBase", "frontend base class"},
    {"", Spelling::pascal, "BackendBase", "backend base class"},
    {"", Spelling::pascal, "Frontend", "frontend class"},
    {"", Spelling::pascal, "Backend", "backend class"},
};

constexpr Pattern kStructNames[] = {{"", Spelling::pascal, "", "struct name"},
                                    {"", Spelling::snake, "", "snake_case name", kShadows}};
constexpr Pattern kEnumNames[] = {{"", Spelling::pascal, "", "enum name"},
                                  {"", Spelling::snake, "", "snake_case name", kShadows}};
constexpr Pattern kFlagsNames[] = {{"", Spelling::snake, "", "namespace of masks"}};

constexpr Pattern kFeatureConstants[] = {{"kFeature", Spelling::pascal, "", "bit constant"}};
constexpr Pattern kQueueConstants[] = {{"kQueue", Spelling::pascal, "", "index constant"},
                                       {"kQueue", Spelling::pascal, "Size", "size constant"}};
constexpr Pattern kEndpointConstants[] = {{"kEndpoint", Spelling::pascal, "", "address constant"},
                                          {"kEndpoint", Spelling::pascal, "Index", "index constant"}};

constexpr QueuePattern kQueueHandlers[] = {
    {Half::driver, kAny, {"has_", Spelling::as_written, "", "set-up query"}},
    {Half::driver, kToDevice, {"send_", Spelling::as_written, "", "sender"}},
    {Half::driver, kToDriver, {"post_", Spelling::as_written, "", "buffer poster"}},
    {Half::driver, kToDriver, {"on_", Spelling::as_written, "", "handler"}},
    {Half::driver, kBothWays, {"request_", Spelling::as_written, "", "request sender"}},
    {Half::driver, kBothWays, {"on_", Spelling::as_written, "_reply", "reply handler"}},
    {Half::device, kToDevice | kBothWays, {"on_", Spelling::as_written, "", "handler"}},
    {Half::device, kToDriver, {"produce_", Spelling::as_written, "", "producer"}},
    {Half::device, kToDriver, {"send_", Spelling::as_written, "", "sender"}},
};

constexpr EndpointPattern kEndpointHandlers[] = {
    {Half::driver, {"send_", Spelling::as_written, "", "sender"}},
    {Half::driver, {"on_", Spelling::as_written, "", "handler"}},
    {Half::device, {"on_", Spelling::as_written, "", "handler"}},
    {Half::device, {"send_", Spelling::as_written, "", "sender"}},
};

constexpr Pattern kFieldMembers[] = {{"", Spelling::as_written, "_", "member"},
                                     {"", Spelling::as_written, "", "accessor"}};
constexpr Pattern kFieldSetter{"set_", Spelling::as_written, "", "setter"};  // not for struct fields
constexpr Pattern kFieldType{"", Spelling::pascal, "", "type", kRefers};
constexpr Pattern kStructSelf{"", Spelling::pascal, "", "own name (its constructors')", kRefers};
constexpr Pattern kStoreNodeMember{"", Spelling::snake, "", "member"};

// --- Fixed names: vgen's own, by scope ----------------------------------------------------

constexpr FixedName kGlobalNames[] = {
    {"std", "the C++ standard library", kRefers},
    {"vgen", "vgen's runtime", kRefers},
    {"main", "the demo's main()"},
    {"run_threads", "a function of the demo"},
    {"run_processes", "a function of the demo"},
    {"run_mode", "a function of the demo"},
    {"run_driver", "a function of the demo"},
    {"run_remote", "a function of the demo"},
    {"run_host", "a function of the demo"},
    {"run_backend", "a function of the demo"},
    {"run_frontend", "a function of the demo"},
    {"run_until", "a function of the demo"},
    {"bus_options", "a function of the demo"},
    {"wait_any", "a function of the demo"},
    {"create", "a function of the demo"},
    {"report", "a function of the demo"},
};

constexpr FixedName kNamespaceNames[] = {
    {"std", "the C++ standard library", kRefers},
    {"vgen", "vgen's runtime", kRefers},
    {"wire", "the byte-order helpers of the message types", kRefers},
    {"describe", "the describe() functions of the message types"},
    {"log", "the log() of the user files"},
    {"pattern", "the demo messages' pattern()"},
    {"hex", "the user files' hex()"},
    {"kDemoMessages", "the number of demo messages"},
};

constexpr FixedName kVirtioNamespaceNames[] = {
    {"kDeviceId", "the device ID"},
    {"kVendorId", "the vendor ID"},
    {"kSpecFeatures", "the spec's feature bits"},
    {"kOfferedFeatures", "the offered feature bits"},
    {"kQueueCount", "the number of queues"},
    {"kRawBufferBytes", "the size of raw buffers"},
    {"kConfigBytes", "the size of the configuration space"},
    {"feature_rules", "the feature dependencies"},
    {"DriverOptions", "the driver's settings"},
    {"slot_count", "a helper of the driver base"},
    {"allocate_rings", "a helper of the driver base"},
};

constexpr FixedName kRpmsgNamespaceNames[] = {
    {"kServiceName", "the service name"},
    {"kBufferSize", "the buffer size"},
    {"kMaxPayload", "the largest payload"},
    {"kEndpointCount", "the number of endpoints"},
};

constexpr FixedName kSplitNamespaceNames[] = {
    {"kDeviceType", "the device type"},
    {"kFrontendCompatible", "the frontend's compatible string"},
    {"kBackendCompatible", "the backend's compatible string"},
    {"kRingPages", "the ring's pages"},
    {"kRingBytes", "the ring's size"},
    {"kRingEntries", "the ring's slots"},
    {"kRingEntrySize", "the ring's slot size"},
    {"FrontendNodes", "the frontend's store nodes"},
    {"BackendNodes", "the backend's store nodes"},
    {"FrontRing", "the frontend's ring type"},
    {"BackRing", "the backend's ring type"},
    {"pattern_byte", "a helper of the user files"},
    {"kSectorBytes", "a constant of the user files"},
    {"kSectorsPerPage", "a constant of the user files"},
    {"kOkay", "a constant of the user files"},
    {"kError", "a constant of the user files"},
    {"kUnsupported", "a constant of the user files"},
    {"kBeyondAnyDisk", "a constant of the user files"},
};

constexpr FixedName kVirtioDriverNames[] = {
    {"start", "a member of the generated classes"},
    {"poll", "a member of the generated classes"},
    {"run_until", "a member of the generated classes"},
    {"stop", "a member of the generated classes"},
    {"core", "a member of the generated classes"},
    {"has_feature", "a member of the generated classes"},
    {"read_config", "a member of the generated classes"},
    {"on_started", "the handler called once the device is live"},
    {"QueueArea", "a member type of the generated classes"},
    {"send", "a member of the generated classes"},
    {"post", "a member of the generated classes"},
    {"submit_request", "a member of the generated classes"},
    {"dispatch", "a member of the generated classes"},
    {"reply", "a member of the generated classes"},
    {"slot", "a member of the generated classes"},
    {"flush", "a member of the generated classes"},
    {"arm_interrupts", "a member of the generated classes"},
    {"memory_", "a member of the generated classes"},
    {"options_", "a member of the generated classes"},
    {"core_", "a member of the generated classes"},
    {"queues_", "a member of the generated classes"},
    {"pending_kick_", "a member of the generated classes"},
    {"run_demo", "a member of the generated classes"},
    {"expected_", "a member of the generated classes"},
    {"received_", "a member of the generated classes"},
};

constexpr FixedName kVirtioDeviceNames[] = {
    {"kMaxPendingBytes", "a member of the generated classes"},
    {"kMaxMessageBytes", "a member of the generated classes"},
    {"identity", "a member of the generated classes"},
    {"offered_features", "a member of the generated classes"},
    {"feature_rules", "a member of the generated classes"},
    {"queue_max_sizes", "a member of the generated classes"},
    {"initial_config", "a member of the generated classes"},
    {"check_features", "a member of the generated classes"},
    {"config_written", "a member of the generated classes"},
    {"activate", "a member of the generated classes"},
    {"queue_notified", "a member of the generated classes"},
    {"queue_enabled", "a member of the generated classes"},
    {"queue_stopped", "a member of the generated classes"},
    {"reset", "a member of the generated classes"},
    {"malformed", "a member of the generated classes"},
    {"on_reset", "the reset handler"},
    {"has_feature", "a member of the generated classes"},
    {"core", "a member of the generated classes"},
    {"config_defaults", "a member of the generated classes"},
    {"on_config_written", "the configuration-write handler"},
    {"config", "a member of the generated classes"},
    {"update_config", "a member of the generated classes"},
    {"send", "a member of the generated classes"},
    {"serve", "a member of the generated classes"},
    {"serve_once", "a member of the generated classes"},
    {"deliver", "a member of the generated classes"},
    {"produce", "a member of the generated classes"},
    {"consume", "a member of the generated classes"},
    {"readable", "a member of the generated classes"},
    {"answer", "a member of the generated classes"},
    {"core_", "a member of the generated classes"},
    {"held_", "a member of the generated classes"},
    {"pending_", "a member of the generated classes"},
    {"pending_bytes_", "a member of the generated classes"},
    {"malformed_", "a member of the generated classes"},
    {"random_", "a member of the generated classes"},
    {"produced_", "a member of the generated classes"},
};

constexpr FixedName kRpmsgDriverNames[] = {
    {"bus", "a member of the generated classes"},
    {"bound", "a member of the generated classes"},
    {"malformed", "a member of the generated classes"},
    {"probe", "a member of the generated classes"},
    {"remove", "a member of the generated classes"},
    {"receive", "a member of the generated classes"},
    {"on_bound", "the handler called when the channel binds"},
    {"send", "a member of the generated classes"},
    {"address", "a member of the generated classes"},
    {"bus_", "a member of the generated classes"},
    {"channel_", "a member of the generated classes"},
    {"malformed_", "a member of the generated classes"},
    {"run_demo", "a member of the generated classes"},
    {"received_", "a member of the generated classes"},
    {"names", "a member of the generated classes"},
    {"matches", "a member of the generated classes"},
};

constexpr FixedName kRpmsgDeviceNames[] = {
    {"start", "a member of the generated classes"},      {"malformed", "a member of the generated classes"},
    {"channel", "a member of the generated classes"},    {"bus", "a member of the generated classes"},
    {"send", "a member of the generated classes"},       {"receive", "a member of the generated classes"},
    {"bus_", "a member of the generated classes"},       {"channel_", "a member of the generated classes"},
    {"endpoints_", "a member of the generated classes"}, {"malformed_", "a member of the generated classes"},
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

  template <std::size_t N>
  void fixed(const FixedName (&names)[N]) {
    for (const FixedName& name : names) {
      scope_.identifiers.push_back(
          GeneratedIdentifier{std::string(name.name), std::string(name.what), "", Location{}, name.use});
    }
  }

  void add(const Pattern& pattern, std::string_view name, const Origin& origin) {
    derived_.push_back(
        GeneratedIdentifier{std::string(pattern.prefix) + spelled(name, pattern.spelling) + std::string(pattern.suffix),
                            std::string(pattern.role), origin.text, origin.location, pattern.use});
  }

  template <std::size_t N>
  void add(const Pattern (&patterns)[N], std::string_view name, const Origin& origin) {
    for (const Pattern& pattern : patterns) add(pattern, name, origin);
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

std::uint8_t direction_bit(Direction direction) {
  switch (direction) {
    case Direction::driver_to_device:
      return kToDevice;
    case Direction::device_to_driver:
      return kToDriver;
    case Direction::bidirectional:
      break;
  }
  return kBothWays;
}

void add_types(ScopeBuilder& scope, const TypeTable& types) {
  for (const TypeDefinition& type : types.types) {
    const Origin origin{"type '" + type.name + "'", type.location.at(type.name_position)};
    if (type.as_struct() != nullptr) scope.add(kStructNames, type.name, origin);
    if (type.as_enum() != nullptr) scope.add(kEnumNames, type.name, origin);
    if (type.as_flags() != nullptr) scope.add(kFlagsNames, type.name, origin);
  }
}

void add_virtio_names(ScopeBuilder& scope, const VirtioDevice& device) {
  for (const Feature& feature : device.features) {
    scope.add(kFeatureConstants, feature.name,
              Origin{"feature '" + feature.name + "'", feature.location.at(feature.name_position)});
  }
  for (const Queue& queue : device.queues) {
    scope.add(kQueueConstants, queue.name,
              Origin{"queue '" + queue.name + "'", queue.location.at(queue.name_position)});
  }
}

void add_rpmsg_names(ScopeBuilder& scope, const RpmsgService& service) {
  for (const Endpoint& endpoint : service.endpoints) {
    scope.add(kEndpointConstants, endpoint.name,
              Origin{"endpoint '" + endpoint.name + "'", endpoint.location.at(endpoint.name_position)});
  }
}

GeneratedScope namespace_scope(const Spec& spec) {
  ScopeBuilder scope("namespace " + to_snake_case(spec.name));
  scope.fixed(kNamespaceNames);
  const Origin origin = spec_origin(spec);
  scope.add(kSpecNamespaceSelf, spec.name, origin);
  if (const VirtioDevice* device = spec.virtio()) {
    scope.fixed(kVirtioNamespaceNames);
    scope.add(kVirtioClasses, spec.name, origin);
    if (device->config) scope.add(kVirtioConfig, spec.name, origin);
    add_virtio_names(scope, *device);
  } else if (const RpmsgService* service = spec.rpmsg()) {
    scope.fixed(kRpmsgNamespaceNames);
    scope.add(kRpmsgClasses, spec.name, origin);
    add_rpmsg_names(scope, *service);
  } else {
    scope.fixed(kSplitNamespaceNames);
    scope.add(kSplitClasses, spec.name, origin);
  }
  add_types(scope, spec.types);
  return scope.finish();
}

template <std::size_t N>
GeneratedScope virtio_half(const Spec& spec, const VirtioDevice& device, Half half, const FixedName (&fixed)[N]) {
  ScopeBuilder scope("class " + to_pascal_case(spec.name) + (half == Half::driver ? "Driver" : "Device"));
  scope.fixed(fixed);
  for (const Queue& queue : device.queues) {
    const Origin origin{"queue '" + queue.name + "'", queue.location.at(queue.name_position)};
    for (const QueuePattern& handler : kQueueHandlers) {
      if (handler.half == half && (handler.directions & direction_bit(queue.direction)) != 0) {
        scope.add(handler.pattern, queue.name, origin);
      }
    }
  }
  return scope.finish();
}

template <std::size_t N>
GeneratedScope rpmsg_half(const Spec& spec, const RpmsgService& service, Half half, const FixedName (&fixed)[N]) {
  ScopeBuilder scope("class " + to_pascal_case(spec.name) + (half == Half::driver ? "Driver" : "Device"));
  scope.fixed(fixed);
  for (const Endpoint& endpoint : service.endpoints) {
    const Origin origin{"endpoint '" + endpoint.name + "'", endpoint.location.at(endpoint.name_position)};
    for (const EndpointPattern& handler : kEndpointHandlers) {
      if (handler.half == half) scope.add(handler.pattern, endpoint.name, origin);
    }
  }
  return scope.finish();
}

// One struct's members: its own name, each field's member, accessor and setter, and the
// types its fields refer to.
GeneratedScope struct_scope(const std::string& struct_name, const Origin& self, const StructType& structure,
                            const TypeTable& types, const std::string& owner) {
  ScopeBuilder scope("struct " + to_pascal_case(struct_name));
  scope.add(kStructSelf, struct_name, self);
  for (const Member& member : structure.members) {
    if (member.is_padding()) continue;
    const Origin origin{"field '" + member.name + "' of " + owner, member.location.at(member.name_position)};
    scope.add(kFieldMembers, member.name, origin);
    const bool struct_field = member.type.named && types.types[*member.type.named].as_struct() != nullptr;
    if (!struct_field) scope.add(kFieldSetter, member.name, origin);
    if (member.type.named) scope.add(kFieldType, types.types[*member.type.named].name, origin);
  }
  return scope.finish();
}

GeneratedScope store_scope(const SplitDevice& device, Side side) {
  ScopeBuilder scope(side == Side::frontend ? "struct FrontendNodes" : "struct BackendNodes");
  for (const StoreNode& node : device.store) {
    if (node.side != side) continue;
    scope.add(
        kStoreNodeMember, node.name,
        Origin{std::string(side_name(side)) + " store node '" + node.name + "'", node.location.at(node.name_position)});
  }
  return scope.finish();
}

GeneratedScope global_scope(const Spec& spec) {
  ScopeBuilder scope("the global namespace", true);
  scope.fixed(kGlobalNames);
  scope.add(kSpecNamespace, spec.name, spec_origin(spec));
  return scope.finish();
}

void visit_struct_scopes(const Spec& spec, const std::function<void(const GeneratedScope&)>& visit) {
  for (const TypeDefinition& type : spec.types.types) {
    if (const StructType* structure = type.as_struct()) {
      const Origin self{"type '" + type.name + "'", type.location.at(type.name_position)};
      visit(struct_scope(type.name, self, *structure, spec.types, "struct '" + type.name + "'"));
    }
  }
}

}  // namespace

void visit_generated_scopes(const Spec& spec, const std::function<void(const GeneratedScope&)>& visit) {
  visit(global_scope(spec));
  visit(namespace_scope(spec));
  visit_struct_scopes(spec, visit);
  if (const VirtioDevice* device = spec.virtio()) {
    visit(virtio_half(spec, *device, Half::driver, kVirtioDriverNames));
    visit(virtio_half(spec, *device, Half::device, kVirtioDeviceNames));
    if (device->config) {
      visit(struct_scope(spec.name + "_config", spec_origin(spec), *device->config, spec.types, "config"));
    }
  }
  if (const RpmsgService* service = spec.rpmsg()) {
    visit(rpmsg_half(spec, *service, Half::driver, kRpmsgDriverNames));
    visit(rpmsg_half(spec, *service, Half::device, kRpmsgDeviceNames));
  }
  if (const SplitDevice* device = spec.split()) {
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
