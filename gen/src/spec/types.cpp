#include "vgen/gen/spec/types.hpp"

namespace vgen::gen {

std::string_view type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::structure:
      return "struct";
    case TypeKind::enumeration:
      return "enum";
    case TypeKind::flags:
      return "flags";
  }
  return "struct";
}

std::optional<TypeKind> TypeDefinition::kind() const {
  switch (body.index()) {
    case 1:
      return TypeKind::structure;
    case 2:
      return TypeKind::enumeration;
    case 3:
      return TypeKind::flags;
    default:
      return std::nullopt;
  }
}

std::string_view TypeDefinition::kind_name() const {
  return is_union() ? "union" : type_kind_name(kind().value_or(TypeKind::structure));
}

std::optional<std::size_t> TypeTable::find(std::string_view name) const {
  for (std::size_t index = 0; index < types.size(); ++index) {
    if (types[index].name == name) {
      return index;
    }
  }
  return std::nullopt;
}

std::vector<std::string> TypeTable::names() const {
  std::vector<std::string> result;
  for (const TypeDefinition& type : types) {
    result.push_back(type.name);
  }
  return result;
}

}  // namespace vgen::gen
