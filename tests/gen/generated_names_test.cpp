// The table of generated identifiers: what it derives from each kind of spec name, and that
// every identifier it says a spec name makes is one the templates really write.
#include "vgen/gen/names/generated_names.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>

#include "spec_text.hpp"
#include "vgen/gen/render/generator.hpp"

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

const char* const kThingSpec = R"(kind: virtio
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
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kThingSpec));
  const GeneratedScope& space = scope_named(scopes, "namespace virtio_thing");
  for (const char* identifier :
       {"kFeatureThingFFast", "kQueueTx", "kQueueTxSize", "ThingRequest", "ThingKind", "thing_flags",
        "VirtioThingDriverBase", "VirtioThingDevice", "VirtioThingConfig", "kQueueCount", "kSpec"}) {
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
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kThingSpec));
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
  const std::vector<GeneratedScope> scopes = generated_identifiers(testing::valid_spec(kThingSpec));
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
    for (const RenderedFile& file : render(spec, VGEN_TEMPLATES_DIR, {FileRole::generated, FileRole::user, FileRole::project})) {
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


// --- The fixed names against the runtime classes the generated classes derive from -------

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The last identifier of `text`, or "".
std::string last_identifier(const std::string& text) {
  std::size_t end = text.size();
  while (end > 0 && !identifier_char(text[end - 1])) --end;
  std::size_t begin = end;
  while (begin > 0 && identifier_char(text[begin - 1])) --begin;
  return text.substr(begin, end - begin);
}

// The name one member declaration declares, or "" (constructors, destructors, operators,
// friends, inherited constructors).
std::string declared_name(std::string statement, const std::string& class_name) {
  statement = std::regex_replace(statement, std::regex("\\[\\[[^\\]]*\\]\\]"), " ");
  statement = std::regex_replace(statement, std::regex("^\\s+|\\s+$"), "");
  if (statement.empty() || statement.rfind("friend", 0) == 0 || statement.rfind("static_assert", 0) == 0 ||
      statement.find('~') != std::string::npos) {
    return "";
  }
  std::smatch match;
  if (std::regex_search(statement, match, std::regex("^using\\s+(\\w+)\\s*="))) return match[1];
  if (statement.rfind("using", 0) == 0) return "";
  if (std::regex_search(statement, match, std::regex("^(struct|class|enum class|enum)\\s+(\\w+)"))) return match[2];
  // The first '(', '=' or '{' outside template arguments ends the declarator's name.
  int angle = 0;
  for (std::size_t index = 0; index < statement.size(); ++index) {
    const char c = statement[index];
    if (c == '<') ++angle;
    if (c == '>' && angle > 0) --angle;
    if (angle == 0 && (c == '(' || c == '=' || c == '{')) {
      const std::string name = last_identifier(statement.substr(0, index));
      return name == class_name || name == "operator" ? "" : name;
    }
  }
  const std::string name = last_identifier(statement);
  return name == class_name ? "" : name;
}

// The member names `class_name` declares in `header` (the text of a runtime header), private
// ones too: C++ finds a name before it checks access, so a private member of a base class hides
// a spec's type or constant of the same name inside the derived class. Enough C++ for the
// runtime's own headers, which keep one declaration per statement.
std::set<std::string> members_of(const std::string& header, const std::string& class_name) {
  std::string text = std::regex_replace(header, std::regex("//[^\\n]*"), "");
  std::smatch match;
  EXPECT_TRUE(std::regex_search(text, match, std::regex("\\bclass " + class_name + "\\b[^;{]*\\{"))) << class_name;
  std::size_t index = static_cast<std::size_t>(match.position(0) + match.length(0));
  std::set<std::string> names;
  std::string statement;
  std::string access = "private";
  int depth = 0;
  for (; index < text.size(); ++index) {
    const char c = text[index];
    if (c == '{') {
      if (depth++ == 0) statement += "{";
      continue;
    }
    if (c == '}') {
      if (depth == 0) break;  // the end of the class
      if (--depth > 0) continue;
      // A body closed: a function definition ends here, an initializer or enum body does not.
      std::size_t next = text.find_first_not_of(" \t\n", index + 1);
      if (next != std::string::npos && (text[next] == ';' || text[next] == ',')) continue;
    } else if (depth > 0) {
      continue;
    } else if (c != ';') {
      statement += c;
      const std::string trimmed = std::regex_replace(statement, std::regex("^\\s+"), "");
      for (const char* label : {"public:", "protected:", "private:"}) {
        if (trimmed == label) {
          access = std::string(label, std::string(label).size() - 1);
          statement.clear();
        }
      }
      continue;
    }
    if (std::string name = declared_name(statement, class_name); !name.empty()) names.insert(name);
    statement.clear();
  }
  return names;
}

const GeneratedScope* scope_starting(const std::vector<GeneratedScope>& scopes, const std::string& prefix) {
  for (const GeneratedScope& scope : scopes) {
    if (scope.name.rfind(prefix, 0) == 0) return &scope;
  }
  return nullptr;
}

struct RuntimeClass {
  const char* header;  // under runtime/include/vgen/
  const char* name;
};

// Every member (of any access) of the runtime classes a generated class derives from is
// a fixed name of its scope (a spec name that made it would hide it), and every fixed name of
// the scope is such a member or appears in the generated and user files (none is stale).
void expect_class_names_match(const char* device, const std::string& scope_prefix,
                              std::initializer_list<RuntimeClass> bases) {
  const Spec spec = load_spec_or_throw(std::string(VGEN_SOURCE_DIR) + "/devices/" + device + "/" + device + ".yaml");
  const std::vector<GeneratedScope> scopes = generated_identifiers(spec);
  const GeneratedScope* scope = scope_starting(scopes, scope_prefix);
  ASSERT_NE(scope, nullptr) << scope_prefix;
  std::set<std::string> fixed;
  for (const GeneratedIdentifier& entry : scope->identifiers) {
    if (entry.origin.empty()) fixed.insert(entry.identifier);
  }
  std::set<std::string> declared;
  for (const RuntimeClass& base : bases) {
    const std::string header = read_file(std::string(VGEN_SOURCE_DIR) + "/runtime/include/vgen/" + base.header);
    declared.insert(base.name);
    for (const std::string& name : members_of(header, base.name)) {
      declared.insert(name);
      EXPECT_TRUE(fixed.count(name) != 0) << base.name << "::" << name << " is missing from " << scope->name;
    }
  }
  std::string code;
  for (const RenderedFile& file : render(spec, VGEN_TEMPLATES_DIR, {FileRole::generated, FileRole::user})) {
    code += file.content;
  }
  for (const std::string& name : fixed) {
    const bool used = declared.count(name) != 0 || std::regex_search(code, std::regex("\\b" + name + "\\b"));
    EXPECT_TRUE(used) << name << " in " << scope->name << " is stale: neither a base member nor in the code";
  }
}

TEST(GeneratedNames, VirtioClassesHoldTheirBasesMembers) {
  expect_class_names_match("virtio-blk", "class VirtioBlkDriver",
                           {{"halves/virtio_driver.hpp", "VirtioDriver"},
                            {"halves/virtio_driver.hpp", "VirtioDriverQueues"}});
  expect_class_names_match("virtio-blk", "class VirtioBlkDevice",
                           {{"halves/virtio_device.hpp", "VirtioDevice"},
                            {"halves/virtio_device.hpp", "VirtioDeviceFraming"},
                            {"virtio/device_model.hpp", "DeviceModel"}});
}

TEST(GeneratedNames, RpmsgClassesHoldTheirBasesMembers) {
  expect_class_names_match("rpmsg-echo", "class RpmsgEchoDriver",
                           {{"halves/rpmsg_host.hpp", "RpmsgHost"},
                            {"halves/rpmsg_host.hpp", "RpmsgHostDriver"},
                            {"rpmsg/driver.hpp", "Driver"}});
  expect_class_names_match("rpmsg-echo", "class RpmsgEchoDevice",
                           {{"halves/rpmsg_remote.hpp", "RpmsgRemote"},
                            {"halves/rpmsg_remote.hpp", "RpmsgRemoteEndpoints"}});
}

TEST(GeneratedNames, SplitClassesHoldTheirBasesMembers) {
  expect_class_names_match("vdummy", "class VdummyFrontend",
                           {{"halves/split_frontend.hpp", "SplitFrontend"},
                            {"halves/split_frontend.hpp", "SplitFrontendNodes"},
                            {"halves/split_frontend.hpp", "SplitFrontendLink"},
                            {"xenbus/frontend.hpp", "Frontend"},
                            {"xenbus/driver.hpp", "Driver"}});
  expect_class_names_match("vdummy", "class VdummyBackend",
                           {{"halves/split_backend.hpp", "SplitBackend"},
                            {"halves/split_backend.hpp", "SplitBackendNodes"},
                            {"halves/split_backend.hpp", "SplitBackendLink"},
                            {"xenbus/backend.hpp", "Backend"},
                            {"xenbus/driver.hpp", "Driver"}});
}

// No namespace-scope name of the table is stale either.
TEST(GeneratedNames, NamespaceNamesAreInTheCode) {
  const std::string with_dependencies = std::string(kThingSpec) + "  - {name: ack, size: 8, direction: device-to-driver}\n";
  std::vector<Spec> specs{testing::valid_spec(std::regex_replace(
      with_dependencies, std::regex("THING_F_FAST, bit: 0\\}"), "THING_F_FAST, bit: 0}\n  - {name: THING_F_MORE, bit: 1, depends_on: [THING_F_FAST]}"))};
  for (const char* device : {"rpmsg-echo", "xen-blk"}) {
    specs.push_back(load_spec_or_throw(std::string(VGEN_SOURCE_DIR) + "/devices/" + device + "/" + device + ".yaml"));
  }
  for (const Spec& spec : specs) {
    const std::string& device = spec.name;
    std::string code;
    for (const RenderedFile& file : render(spec, VGEN_TEMPLATES_DIR, {FileRole::generated, FileRole::user})) {
      code += file.content;
    }
    for (const GeneratedScope& scope : generated_identifiers(spec)) {
      if (scope.name.rfind("namespace ", 0) != 0 && scope.name.rfind("the global", 0) != 0) continue;
      for (const GeneratedIdentifier& entry : scope.identifiers) {
        if (!entry.origin.empty()) continue;
        // virtio-only and rpmsg-only names are checked with a device of their kind.
        EXPECT_TRUE(std::regex_search(code, std::regex("\\b" + entry.identifier + "\\b")))
            << device << ": " << entry.identifier << " in " << scope.name << " is stale";
      }
    }
  }
}

// Templates spell no identifier from a spec name: every tag in C++ code stands alone (an
// identifier is a whole tag, never a tag glued to letters), so every derived identifier comes
// from the table. File names in #include lines and comments are text.
TEST(GeneratedNames, TemplatesGlueNoIdentifiers) {
  // Value tags only: section tags ({{#x}}, {{/x}}, {{^x}}) produce no text of their own.
  const std::regex glued("[A-Za-z0-9_]\\{\\{[a-z_.]+\\}\\}|\\{\\{[a-z_.]+\\}\\}[A-Za-z0-9_]");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(VGEN_TEMPLATES_DIR)) {
    const std::string path = entry.path().string();
    if (!std::regex_search(path, std::regex("\\.(hpp|cpp)\\.mustache$|partials/"))) continue;
    std::istringstream lines(read_file(entry.path()));
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      const std::string code = line.substr(0, line.find("//"));
      if (code.find("#include") != std::string::npos) continue;
      EXPECT_FALSE(std::regex_search(code, glued)) << path << ":" << number << ": " << line;
    }
  }
}

}  // namespace
}  // namespace vgen::gen
