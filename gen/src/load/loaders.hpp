// The loader's parts, one per section of a spec; each reads YAML into the model and
// reports what is wrong through the Reader.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vgen/gen/spec/spec.hpp"
#include "vgen/gen/spec/topology.hpp"
#include "yaml/reader.hpp"

namespace vgen::gen::detail {

/// Reads `types:` into a table (not laid out yet). Entries with errors are kept with
/// `valid = false` when they have a usable name, so references to them do not cascade.
TypeTable load_types(Reader& reader, const YamlNode& list);

/// Reads struct members (a struct's `fields:` or a VirtIO `config:`); `owner` names the
/// struct in messages. Member names are checked for repeats.
std::vector<Member> load_members(Reader& reader, const YamlNode& list, const std::string& owner,
                                 ByteOrder default_order);

/// Resolves `reference` to a struct type of `types`, reporting unknown names (with a
/// suggestion) and non-struct types; `role` says what uses it ("message of queue 'rx'").
/// Returns the type when it is a valid, laid-out struct.
const TypeDefinition* resolve_struct(Reader& reader, NameRef& reference, const TypeTable& types,
                                     const std::string& role);

/// The kind-specific parts of a device spec, read from the top-level mapping after `types:`
/// has been laid out.
VirtioDevice load_virtio(const MapView& top, const TypeTable& types);
SplitDevice load_split(const MapView& top, const TypeTable& types);
RpmsgService load_rpmsg(const MapView& top, const TypeTable& types);

/// Loads the spec of a topology instance: fills `resolved_path` and, when the spec is valid,
/// `spec`; `used_at` is where the instance names the file.
using SpecLoader = std::function<void(Instance& instance, const Location& used_at)>;

/// Reads a topology's components, instances and connections; `load_spec` loads instance specs.
Topology load_topology(const MapView& top, const SpecLoader& load_spec);

}  // namespace vgen::gen::detail
