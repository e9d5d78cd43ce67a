// The table of generated identifiers: what it derives from each kind of spec name, and that
// every identifier it says a spec name makes is one the templates really write.
#include "vgen/gen/generated_names.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "spec_text.hpp"
#include "vgen/gen/generator.hpp"

namespace vgen::gen {
namespace {

const GeneratedScope& scope_named(const std::vector<GeneratedScope>& scopes, const std::string& name) {
  for (const GeneratedScope& scope : scopes) {
    if (scope.name == name) return scope;
  }
  ADD_FAILURE() << "no scope " << name;
  static const GeneratedScope kNone;
  return kNone;
}

const GeneratedIdentifier* find(const GeneratedScope& scope, const std::string& identifier) {
  for (const GeneratedIdentifier& entry : scope.identifiers) {
    if (entry.identifier == identifier) return &entry;
  }
  return nullptr;
}

const char* const kVirtio = R"(kind: virtio
name: virtio-thing
device_id: 4
features:
  - {name: THING_F_FAST, bit: 0}
config:
  - {name: size, type: u32}
types:
  - {name: thing_request, kind: struct, fields: [{name: length, type: u32}, {name: kind, type: thing_kind}]}
  - {name: thing_kind, kind: enum, type: u8, values: [{name: A, value: 0}]}
  - {name: thing_flags, kind: flags, type: u8, flags: [{name: B, bit: 0}]}
queues:
  - {name: tx, size: 8, direction: driver-to-device, messages: [thing_request]}
  - {name: rx, size: 8, direction: device-to-driver}
  - {name: ask, size: 8, direction: bidirectional, messages: [thing_request]}
)";

TEST(GeneratedNames, NamespaceHoldsConstantsTypesAndClasses) {
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kVirtio));
  const GeneratedScope& space = scope_named(scopes, "namespace virtio_thing");
  for (const char* identifier :
       {"kFeatureThingFFast", "kQueueTx", "kQueueTxSize", "ThingRequest", "ThingKind", "thing_flags",
        "VirtioThingDriverBase", "VirtioThingDevice", "VirtioThingConfig", "kQueueCount", "wire"}) {
    EXPECT_NE(find(space, identifier), nullptr) << identifier;
  }
  const GeneratedIdentifier* queue = find(space, "kQueueRx");
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(queue->origin, "queue 'rx'");
  EXPECT_EQ(queue->role, "index constant");
  EXPECT_EQ(queue->location.to_string(), "test.yaml:14:12");
  EXPECT_EQ(find(space, "kQueueCount")->origin, "");  // vgen's own
  EXPECT_EQ(find(space, "std")->use, IdentifierUse::refers);
  EXPECT_EQ(find(scope_named(scopes, "the global namespace"), "virtio_thing")->origin, "spec name 'virtio-thing'");
}

TEST(GeneratedNames, HalvesGetOneHandlerSetPerQueueDirection) {
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kVirtio));
  const GeneratedScope& driver = scope_named(scopes, "class VirtioThingDriver");
  const GeneratedScope& device = scope_named(scopes, "class VirtioThingDevice");
  for (const char* identifier : {"has_tx", "send_tx", "post_rx", "on_rx", "request_ask", "on_ask_reply"}) {
    EXPECT_NE(find(driver, identifier), nullptr) << identifier;
  }
  for (const char* identifier : {"on_tx", "produce_rx", "send_rx", "on_ask"}) {
    EXPECT_NE(find(device, identifier), nullptr) << identifier;
  }
  EXPECT_EQ(find(driver, "send_rx"), nullptr);
  EXPECT_EQ(find(device, "send_tx"), nullptr);
}

TEST(GeneratedNames, StructsHoldMembersAccessorsSettersAndTheirTypes) {
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kVirtio));
  const GeneratedScope& request = scope_named(scopes, "struct ThingRequest");
  for (const char* identifier : {"ThingRequest", "length_", "length", "set_length", "kind_", "kind", "set_kind"}) {
    EXPECT_NE(find(request, identifier), nullptr) << identifier;
  }
  EXPECT_EQ(find(request, "ThingKind")->use, IdentifierUse::refers);
  EXPECT_NE(find(scope_named(scopes, "struct VirtioThingConfig"), "size_"), nullptr);
}

TEST(GeneratedNames, RpmsgAndSplitSpecs) {
  const std::vector<GeneratedScope> rpmsg = generated_identifiers(testing::valid_spec(R"(kind: rpmsg
name: echo
service: echo
endpoints: [{name: ping}]
)"));
  EXPECT_NE(find(scope_named(rpmsg, "namespace echo"), "kEndpointPingIndex"), nullptr);
  EXPECT_NE(find(scope_named(rpmsg, "class EchoDriver"), "send_ping"), nullptr);
  EXPECT_NE(find(scope_named(rpmsg, "class EchoDevice"), "on_ping"), nullptr);
  const std::vector<GeneratedScope> split = generated_identifiers(testing::valid_spec(R"(kind: split
name: pair
device_type: pair
flavour: xenbus
ring: {request: item, response: item}
store: [{name: feature-x, side: backend, type: u32}]
types: [{name: item, kind: struct, fields: [{name: id, type: u64}]}]
)"));
  EXPECT_NE(find(scope_named(split, "struct BackendNodes"), "feature_x"), nullptr);
  EXPECT_NE(find(scope_named(split, "namespace pair"), "PairFrontendBase"), nullptr);
}

// The other direction of the table's promise: every identifier it derives from a spec name
// for a reference device is one the templates write, so the checks never stand on names that
// generated code no longer uses. (A template that adds a derived identifier extends the table.)
TEST(GeneratedNames, EveryDerivedIdentifierIsInTheGeneratedCode) {
  for (const char* device : {"virtio-blk", "virtio-console", "virtio-rng", "rpmsg-echo", "xen-blk", "vdummy"}) {
    const Spec spec = load_spec_or_throw(std::string(VGEN_SOURCE_DIR) + "/devices/" + device + "/" + device + ".yaml");
    std::string code;
    for (const RenderedFile& file : render(spec, VGEN_TEMPLATES_DIR, {FileRole::generated, FileRole::user})) {
      code += file.content;
    }
    for (const GeneratedScope& scope : generated_identifiers(spec)) {
      for (const GeneratedIdentifier& entry : scope.identifiers) {
        if (entry.origin.empty() || entry.use == IdentifierUse::shadows) continue;
        if (scope.name.rfind("struct FrontendNodes", 0) == 0 || scope.name.rfind("struct BackendNodes", 0) == 0) {
          continue;  // ring-ref and event-channel are read by the base, not members
        }
        EXPECT_TRUE(std::regex_search(code, std::regex("\\b" + entry.identifier + "\\b")))
            << device << ": " << entry.origin << " -> " << entry.identifier << " (" << entry.role << ") in "
            << scope.name;
      }
    }
  }
}

}  // namespace
}  // namespace vgen::gen
