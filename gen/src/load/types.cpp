// `types:` and struct members. See docs/spec-format.md, "Types".
#include <cctype>

#include "load/loaders.hpp"
#include "vgen/gen/load/layout.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {
namespace {

const std::vector<std::string> kStructKeys{"name", "kind", "description", "byte_order", "size", "fields", "from"};
const std::vector<std::string> kFromKeys{"header", "struct"};
const std::vector<std::string> kUnionFromKeys{"header", "union"};
const std::vector<std::string> kEnumKeys{"name", "kind", "description", "type", "values"};
const std::vector<std::string> kFlagsKeys{"name", "kind", "description", "type", "flags"};
const std::vector<std::string> kAnyTypeKeys{"name",   "kind", "description", "byte_order", "size",
                                            "fields", "from", "type",        "values",     "flags"};
const std::vector<std::string> kFieldKeys{"name", "type", "byte_order", "offset", "description"};
const std::vector<std::string> kPaddingKeys{"pad", "description"};
const std::vector<std::string> kEnumValueKeys{"name", "value", "description"};
const std::vector<std::string> kFlagKeys{"name", "bit", "description"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Parses "name" or "name[N]"; on failure returns nothing and says why in `problem`.
std::optional<FieldType> parse_field_type(std::string_view spelling, std::string& problem) {
  FieldType type;
  type.spelling = std::string(trim(spelling));
  std::string_view text = type.spelling;
  std::size_t bracket = text.find('[');
  type.element = std::string(trim(text.substr(0, bracket)));
  if (std::optional<std::string> name_problem = identifier_problem(type.element)) {
    problem = "'" + type.element + "' is not a type name: " + *name_problem;
    return std::nullopt;
  }
  if (bracket == std::string_view::npos) {
    type.scalar = parse_scalar(type.element);
    return type;
  }
  std::size_t close = text.find(']', bracket);
  if (close == std::string_view::npos || !trim(text.substr(close + 1)).empty()) {
    problem = text.find('[', close) != std::string_view::npos
                  ? "arrays have one dimension; wrap the inner array in a struct"
                  : "expected 'type' or 'type[N]'";
    return std::nullopt;
  }
  std::optional<Integer> count = parse_integer(trim(text.substr(bracket + 1, close - bracket - 1)));
  if (!count || count->negative || count->magnitude == 0 || count->magnitude > kMaxTypeSize) {
    problem = "the array length must be an integer from 1 to " + std::to_string(kMaxTypeSize);
    return std::nullopt;
  }
  type.count = count->magnitude;
  type.scalar = parse_scalar(type.element);
  return type;
}

std::optional<Member> load_padding(const MapView& entry) {
  std::optional<std::uint64_t> bytes = entry.unsigned_integer("pad", Presence::required, kMaxTypeSize);
  if (!bytes) {
    return std::nullopt;
  }
  if (*bytes == 0) {
    entry.reader().error(entry.value_location("pad"), "padding of 0 bytes in " + entry.what() + "; leave it out");
    return std::nullopt;
  }
  Member member;
  member.kind = Member::Kind::padding;
  member.size = *bytes;
  member.description = entry.string("description", Presence::optional).value_or("");
  member.location = entry.location();
  member.name_position = entry.value_position("pad");
  return member;
}

std::optional<Member> load_field(const MapView& entry, ByteOrder default_order) {
  Member member;
  member.location = entry.location();
  std::optional<std::string> name = entry.identifier("name", Presence::required);
  std::optional<std::string> spelling = entry.string("type", Presence::required);
  std::optional<FieldType> type;
  if (spelling) {
    std::string problem;
    type = parse_field_type(*spelling, problem);
    if (!type) {
      entry.reader().error(entry.value_location("type"),
                           "invalid type '" + *spelling + "' in " + entry.what() + ": " + problem);
    }
  }
  std::optional<ByteOrder> order = entry.byte_order("byte_order", Presence::optional);
  bool order_ok = order || !entry.has("byte_order");
  if (entry.has("offset")) {
    member.declared_offset = entry.unsigned_integer("offset", Presence::optional, kMaxTypeSize);
  }
  bool offset_ok = member.declared_offset || !entry.has("offset");
  if (!name || !type || !order_ok || !offset_ok) {
    return std::nullopt;
  }
  member.name = *name;
  member.type = *type;
  member.byte_order = order.value_or(default_order);
  member.byte_order_declared = order.has_value();
  member.description = entry.string("description", Presence::optional).value_or("");
  member.name_position = entry.value_position("name");
  member.type_position = entry.value_position("type");
  if (entry.has("offset")) member.offset_position = entry.value_position("offset");
  if (entry.has("byte_order")) member.byte_order_position = entry.value_position("byte_order");
  return member;
}

std::optional<Member> load_member(Reader& reader, const YamlNode& node, const std::string& owner,
                                  ByteOrder default_order) {
  if (node.is_map() && peek_scalar(node, "pad")) {
    return load_padding(MapView(reader, node, "padding entry", kPaddingKeys, owner));
  }
  MapView entry(reader, node, "field", kFieldKeys, owner);
  if (!entry.ok()) {
    return std::nullopt;
  }
  return load_field(entry, default_order);
}

// A struct, or with `is_union` a union: the same keys, but `from:` names a `union:`.
std::optional<StructType> load_struct(const MapView& entry, bool is_union) {
  std::size_t errors_before = entry.reader().error_count();
  StructType structure;
  structure.is_union = is_union;
  std::optional<ByteOrder> order = entry.byte_order("byte_order", Presence::optional);
  structure.byte_order = order.value_or(ByteOrder::little);
  if (entry.has("size")) {
    structure.declared_size = entry.unsigned_integer("size", Presence::optional, kMaxTypeSize);
    structure.declared_size_location = entry.value_location("size");
  }
  if (std::optional<YamlNode> from = entry.mapping("from", Presence::optional)) {
    MapView source(entry.reader(), *from, "from", is_union ? kUnionFromKeys : kFromKeys);
    std::optional<std::string> header = source.string("header", Presence::required);
    std::optional<std::string> name = source.string(is_union ? "union" : "struct", Presence::required);
    if (header && name) structure.from = StructSource{*header, *name, entry.value_location("from")};
  }
  if (std::optional<YamlNode> fields = entry.sequence("fields", Presence::required)) {
    structure.members = load_members(entry.reader(), *fields, entry.what(), structure.byte_order);
    if (fields->size() == 0) {
      entry.reader().error(entry.value_location("fields"), entry.what() + " has no fields");
    }
  }
  if (entry.reader().error_count() != errors_before) {
    return std::nullopt;
  }
  return structure;
}

std::optional<EnumType> load_enum(const MapView& entry) {
  std::size_t errors_before = entry.reader().error_count();
  EnumType enumeration;
  std::optional<ScalarKind> underlying = entry.scalar_type("type", Presence::required);
  std::optional<YamlNode> values = entry.sequence("values", Presence::required);
  if (!underlying || !values) {
    return std::nullopt;
  }
  enumeration.underlying = *underlying;
  if (values->size() == 0) {
    entry.reader().error(entry.value_location("values"), entry.what() + " has no values");
  }
  FirstSeen names;
  FirstSeen numbers;
  for (const YamlNode& node : elements(*values)) {
    MapView item(entry.reader(), node, "value", kEnumValueKeys, entry.what());
    std::optional<std::string> name = item.identifier("name", Presence::required);
    std::optional<Integer> value = item.integer("value", Presence::required);
    if (!name || !value) {
      continue;
    }
    if (!value->fits(*underlying)) {
      entry.reader().error(item.value_location("value"),
                           "value " + value->to_string() + " of '" + *name + "' does not fit in " +
                               std::string(scalar_name(*underlying)) + " (the type of " + entry.what() + ")");
    }
    names.unique(entry.reader(), *name, item.value_location("name"), "value name '" + *name + "' in " + entry.what());
    numbers.unique(entry.reader(), value->to_string(), item.value_location("value"),
                   "value " + value->to_string() + " for '" + *name + "' in " + entry.what(), "used");
    enumeration.values.push_back(EnumValue{*name, *value, item.string("description", Presence::optional).value_or(""),
                                           item.location(), item.value_position("name")});
  }
  if (entry.reader().error_count() != errors_before) {
    return std::nullopt;
  }
  return enumeration;
}

std::optional<FlagsType> load_flags(const MapView& entry) {
  std::size_t errors_before = entry.reader().error_count();
  FlagsType flags;
  std::optional<ScalarKind> underlying = entry.scalar_type("type", Presence::required);
  std::optional<YamlNode> bits = entry.sequence("flags", Presence::required);
  if (!underlying || !bits) {
    return std::nullopt;
  }
  if (scalar_is_signed(*underlying)) {
    entry.reader().error(entry.value_location("type"), entry.what() +
                                                           " must use an unsigned type (u8, u16, u32 or u64), not " +
                                                           std::string(scalar_name(*underlying)));
  }
  flags.underlying = *underlying;
  if (bits->size() == 0) {
    entry.reader().error(entry.value_location("flags"), entry.what() + " has no flags");
  }
  FirstSeen names;
  FirstSeen numbers;
  for (const YamlNode& node : elements(*bits)) {
    MapView item(entry.reader(), node, "flag", kFlagKeys, entry.what());
    std::optional<std::string> name = item.identifier("name", Presence::required);
    std::optional<std::uint64_t> bit = item.unsigned_integer("bit", Presence::required, scalar_bits(*underlying) - 1);
    if (!name || !bit) {
      continue;
    }
    names.unique(entry.reader(), *name, item.value_location("name"), "flag name '" + *name + "' in " + entry.what());
    numbers.unique(entry.reader(), std::to_string(*bit), item.value_location("bit"),
                   "bit " + std::to_string(*bit) + " for '" + *name + "' in " + entry.what(), "used");
    flags.flags.push_back(FlagBit{*name, static_cast<unsigned>(*bit),
                                  item.string("description", Presence::optional).value_or(""), item.location(),
                                  item.value_position("name")});
  }
  if (entry.reader().error_count() != errors_before) {
    return std::nullopt;
  }
  return flags;
}

// Reads one `types:` entry; nothing when it has no usable name.
std::optional<TypeDefinition> load_type(Reader& reader, const YamlNode& node) {
  std::optional<std::string> kind_text = peek_scalar(node, "kind");
  const std::vector<std::string>* keys = &kAnyTypeKeys;
  std::string what = "type";
  if (kind_text == "struct" || kind_text == "union" || kind_text == "enum" || kind_text == "flags") {
    keys = *kind_text == "struct" || *kind_text == "union" ? &kStructKeys
           : *kind_text == "enum"                          ? &kEnumKeys
                                                           : &kFlagsKeys;
    what = *kind_text;
  }
  MapView entry(reader, node, what, *keys);
  std::optional<std::string> name = entry.identifier("name", Presence::required);
  std::optional<TypeKind> kind = entry.choice<TypeKind>("kind", Presence::required,
                                                        {{"struct", TypeKind::structure},
                                                         {"union", TypeKind::structure},
                                                         {"enum", TypeKind::enumeration},
                                                         {"flags", TypeKind::flags}});
  TypeDefinition type;
  type.name = name.value_or("");
  type.location = entry.location();
  type.name_position = entry.value_position("name");
  type.description = entry.string("description", Presence::optional).value_or("");
  if (name && parse_scalar(*name)) {
    reader.error(entry.value_location("name"), "type name '" + *name + "' is a built-in type");
  }
  // The body is read even without a usable name, to report its errors too.
  if (kind == TypeKind::structure) {
    if (std::optional<StructType> structure = load_struct(entry, kind_text == "union")) {
      type.body = std::move(*structure);
    }
  } else if (kind == TypeKind::enumeration) {
    if (std::optional<EnumType> enumeration = load_enum(entry)) type.body = std::move(*enumeration);
  } else if (kind == TypeKind::flags) {
    if (std::optional<FlagsType> flags = load_flags(entry)) type.body = std::move(*flags);
  }
  if (!name) {
    return std::nullopt;
  }
  type.valid = type.body.index() != 0;
  return type;
}

}  // namespace

std::vector<Member> load_members(Reader& reader, const YamlNode& list, const std::string& owner,
                                 ByteOrder default_order) {
  std::vector<Member> members;
  FirstSeen names;
  for (const YamlNode& node : elements(list)) {
    std::optional<Member> member = load_member(reader, node, owner, default_order);
    if (!member) {
      continue;
    }
    if (!member->is_padding()) {
      names.unique(reader, member->name, member->location.at(member->name_position),
                   "field name '" + member->name + "' in " + owner);
    }
    members.push_back(std::move(*member));
  }
  return members;
}

TypeTable load_types(Reader& reader, const YamlNode& list) {
  TypeTable table;
  FirstSeen names;
  for (const YamlNode& node : elements(list)) {
    std::optional<TypeDefinition> type = load_type(reader, node);
    if (!type) {
      continue;
    }
    if (!names.unique(reader, type->name, type->location.at(type->name_position), "type name '" + type->name + "'")) {
      continue;
    }
    table.types.push_back(std::move(*type));
  }
  return table;
}

const TypeDefinition* resolve_struct(Reader& reader, NameRef& reference, const TypeTable& types,
                                     const std::string& role) {
  reference.index = types.find(reference.name);
  if (!reference.index) {
    reader.error(reference.location,
                 "unknown type '" + reference.name + "' for " + role + suggestion(reference.name, types.names()));
    return nullptr;
  }
  const TypeDefinition& type = types.types[*reference.index];
  if (!type.valid) {
    return nullptr;  // its own errors were reported
  }
  if (type.kind() != TypeKind::structure) {
    reader.error(reference.location, "type '" + reference.name + "' for " + role + " is " +
                                         (type.kind() == TypeKind::enumeration ? "an enum" : "a flags type") +
                                         "; messages must be structs");
    return nullptr;
  }
  return &type;
}

}  // namespace vgen::gen::detail
