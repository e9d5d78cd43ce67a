// The identifiers generated code derives from a spec's names, scope by scope, beside the
// names vgen's own code puts in the same scopes: one table that name checks read, so that
// what vgen check accepts is what generated code can declare. A template that adds an
// identifier derived from a spec name extends this table (gen/src/names/generated_names.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vgen/gen/diagnostics/diagnostics.hpp"
#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

/// How generated code uses an identifier in a scope.
enum class IdentifierUse : std::uint8_t {
  declares,  ///< declares it there: a constant, a member, a handler, a class, a namespace
  refers,    ///< refers to it by name from there (a namespace, a member's type): a declaration would hide it
  shadows,   ///< a spelling templates receive, which must not be a name generated code refers to
};

/// One identifier of generated code and where it comes from.
struct GeneratedIdentifier {
  std::string identifier;  ///< "kQueueRx"
  std::string role;        ///< what it is, for messages: "index constant", "accessor", "member"
  std::string origin;      ///< the spec entity it derives from ("queue 'rx'"); empty for vgen's own names
  Location location;       ///< where that entity's name is written; unset for vgen's own names
  IdentifierUse use = IdentifierUse::declares;
};

/// A C++ scope of generated code and the identifiers in it.
struct GeneratedScope {
  std::string name;                              ///< "namespace virtio_blk", "struct BlkRequest"
  std::vector<GeneratedIdentifier> identifiers;  ///< vgen's own names first, then the spec's in file order
  bool global = false;                           ///< the global namespace, where the C library declares names too
};

/// The entities of a spec whose names generated code derives identifiers from.
enum class NamedEntity : std::uint8_t {
  spec,         ///< the spec's name: its namespace and classes
  struct_type,  ///< a struct (and the configuration space, as `<spec>_config`)
  enum_type,    ///< an enum
  flags_type,   ///< a flags type (a namespace of masks)
  feature,      ///< a VirtIO feature
  queue,        ///< a virtqueue
  endpoint,     ///< an rpmsg endpoint
  field,        ///< a field of a struct or of the configuration space
  store_node,   ///< a split store node
  ring,         ///< a split ring of `rings:`
};

/// One identifier derived from an entity's name, under the key templates read it by.
struct DerivedIdentifier {
  std::string_view key;    ///< "index_constant"
  std::string identifier;  ///< "kQueueRx"
};

/// Every identifier generated code may derive from `name` as `entity`, one per key: all of
/// them, whatever the entity's direction or kind (templates use those that apply; the checks
/// below see those generated code declares). The only source of derived spellings: templates
/// receive these keys in their data and spell none themselves.
std::vector<DerivedIdentifier> derived_identifiers(NamedEntity entity, std::string_view name);

/// The identifier derived_identifiers() gives under `key` ("type_name"), a key `entity` has.
std::string derived_identifier(NamedEntity entity, std::string_view name, std::string_view key);

/// The entity a type's name is, by the type's kind (struct, enum, else flags).
NamedEntity type_entity(const TypeDefinition& type);

/// Every identifier generated code puts in each scope for `spec`: vgen's own names, and
/// the ones derived from the spec's names (types, features, queues, endpoints, fields, store
/// nodes and the spec name itself).
std::vector<GeneratedScope> generated_identifiers(const Spec& spec);

/// The same scopes handed to `visit` one at a time, so that a large spec's table is never
/// held whole.
void visit_generated_scopes(const Spec& spec, const std::function<void(const GeneratedScope&)>& visit);

/// Reports the problems of the identifiers of `spec`, each once at the later spec name
/// involved: an identifier a spec entity makes that C++ cannot declare (a keyword, a C
/// library macro, a reserved name, not an identifier at all), and two identifiers of one
/// scope that are the same (unless neither declares it).
void check_generated_identifiers(const Spec& spec, Diagnostics& diagnostics);

}  // namespace vgen::gen
