// `from: {header, struct}` and `from: {header, union}` verified against the header with clang.
#include "vgen/import/source_check.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "vgen/gen/spec/scalar.hpp"
#include "vgen/import/importer.hpp"

namespace vgen::import {

namespace {

using vgen::gen::Member;
using vgen::gen::StructSource;

std::string error_at(const vgen::gen::Location& location, const std::string& message) {
  return location.to_string() + ": error: " + message;
}

// The spec integer a header field travels as (`u16`, `u8[3]`), or "" for a struct field.
std::string integer_spelling(const ImportedMember& member) {
  return member.type.empty() || (member.type[0] != 'u' && member.type[0] != 'i') ||
                 member.type.find_first_not_of("ui0123456789[]") != std::string::npos
             ? ""
             : member.type;
}

// The integer a spec field travels as: its own, or its enum's or flags type's.
std::optional<vgen::gen::ScalarKind> integer_of(const Member& member, const vgen::gen::TypeTable& types) {
  if (member.type.scalar) return member.type.scalar;
  if (!member.type.named) return std::nullopt;
  const vgen::gen::TypeDefinition& named = types.types.at(*member.type.named);
  if (const vgen::gen::EnumType* enumeration = named.as_enum()) return enumeration->underlying;
  if (const vgen::gen::FlagsType* flags = named.as_flags()) return flags->underlying;
  return std::nullopt;
}

// The struct or union type of `outer`'s field `field` (not an array), or null.
const ImportedStruct* member_type(const ImportedTypes& imported, const ImportedStruct& outer,
                                  const std::string& field) {
  for (const ImportedMember& member : outer.members) {
    if (member.is_pad || member.name != field) continue;
    for (const ImportedStruct& candidate : imported.structs) {
      if (candidate.name == member.type) return &candidate;
    }
  }
  return nullptr;
}

void compare(const vgen::gen::TypeDefinition& definition, const StructSource& source, const ImportedStruct& header,
             const vgen::gen::TypeTable& types, std::vector<std::string>& errors) {
  const vgen::gen::StructType& spec = *definition.as_struct();
  const std::string what = std::string(definition.kind_name()) + " '" + definition.name + "'";
  const std::string theirs = std::string(header.is_union ? "union " : "struct ") + source.name + " of " + source.header;
  if (spec.is_union != header.is_union) {
    errors.push_back(error_at(source.location, what + " is verified against " + theirs + ", which is a" +
                                                   (header.is_union ? " union" : " struct") + " (" + header.origin +
                                                   ")"));
    return;
  }
  if (definition.layout.size != header.size) {
    errors.push_back(error_at(source.location, what + " is " + std::to_string(definition.layout.size) + " bytes; " +
                                                   theirs + " is " + std::to_string(header.size) + " (" +
                                                   header.origin + ")"));
  }
  std::vector<const Member*> fields;
  for (const Member& member : spec.members) {
    if (!member.is_padding()) fields.push_back(&member);
  }
  for (const ImportedMember& theirs_field : header.members) {
    if (theirs_field.is_pad) continue;
    auto found = std::find_if(fields.begin(), fields.end(),
                              [&](const Member* member) { return member->name == theirs_field.name; });
    if (found == fields.end()) {
      errors.push_back(error_at(source.location, what + " has no field '" + theirs_field.name + "' of " + theirs +
                                                     " (" + theirs_field.location + ")"));
      continue;
    }
    const Member& ours = **found;
    const std::string in = "field '" + ours.name + "' of " + what + ": ";
    const std::string there = " in " + theirs + " (" + theirs_field.location + ")";
    if (ours.offset != theirs_field.offset) {
      errors.push_back(error_at(ours.location, in + "offset " + std::to_string(ours.offset) + ", but " +
                                                   std::to_string(theirs_field.offset) + there));
    }
    if (ours.size != theirs_field.bytes) {
      errors.push_back(error_at(
          ours.location, in + std::to_string(ours.size) + " bytes, but " + std::to_string(theirs_field.bytes) + there));
      continue;
    }
    const std::string integer = integer_spelling(theirs_field);
    const std::optional<vgen::gen::ScalarKind> our_integer = integer_of(ours, types);
    if (!integer.empty() && our_integer) {
      std::string spelled(vgen::gen::scalar_name(*our_integer));
      if (ours.type.is_array()) spelled += "[" + std::to_string(ours.type.count) + "]";
      // C's plain `char` is signed on some targets and not on others: u8 and i8 both match it.
      const bool either_char = theirs_field.plain_char && spelled.substr(1) == integer.substr(1);
      if (spelled != integer && !either_char) {
        errors.push_back(error_at(ours.location, in + "type " + spelled + ", but " + integer + there));
      }
      const bool big = ours.byte_order == vgen::gen::ByteOrder::big;
      if (big != theirs_field.big_endian) {
        errors.push_back(error_at(ours.location, in + (big ? "big" : "little") + "-endian, but " +
                                                     (theirs_field.big_endian ? "big" : "little") + "-endian" + there));
      }
    }
  }
  for (const Member* ours : fields) {
    const bool known = std::any_of(header.members.begin(), header.members.end(), [&](const ImportedMember& member) {
      return !member.is_pad && member.name == ours->name;
    });
    if (!known) {
      errors.push_back(error_at(ours->location, "field '" + ours->name + "' of " + what + " is not in " + theirs +
                                                    " (" + header.origin + ")"));
    }
  }
}

}  // namespace

std::vector<std::string> verify_sources(const vgen::gen::TypeTable& types) {
  std::vector<std::string> errors;
  for (const vgen::gen::TypeDefinition& definition : types.types) {
    const vgen::gen::StructType* structure = definition.as_struct();
    if (structure == nullptr || !structure->from) continue;
    const StructSource& source = *structure->from;
    // Headers such as Xen's expect the fixed-width integer types to be declared before them.
    ImportRequest request;
    // A relative header path is the spec's folder's when the file is there.
    std::string header = source.header;
    const std::filesystem::path beside = std::filesystem::path(definition.location.file).parent_path() / header;
    std::error_code missing;
    if (std::filesystem::path(header).is_relative() && std::filesystem::is_regular_file(beside, missing)) {
      header = beside.string();
    }
    request.headers = {"stdint.h", header};
    // `outer.member` names the type of struct outer's field member (a union without a tag).
    const std::size_t dot = source.name.find('.');
    request.structs = {source.name.substr(0, dot)};
    const ImportResult result = import_headers(request);
    const std::string what = std::string(definition.kind_name()) + " '" + definition.name + "'";
    if (!result.ok() || result.types.structs.empty()) {
      errors.push_back(error_at(source.location, what + ": cannot read " + std::string(definition.kind_name()) + " " +
                                                     source.name + " of " + source.header + " to verify it"));
      errors.insert(errors.end(), result.errors.begin(), result.errors.end());
      continue;
    }
    const ImportedStruct* header_type = &result.types.structs.back();
    if (dot != std::string::npos) {
      header_type = member_type(result.types, *header_type, source.name.substr(dot + 1));
      if (header_type == nullptr) {
        errors.push_back(error_at(source.location, what + ": struct " + source.name.substr(0, dot) + " of " +
                                                       source.header + " has no struct or union field '" +
                                                       source.name.substr(dot + 1) + "'"));
        continue;
      }
    }
    compare(definition, source, *header_type, types, errors);
  }
  return errors;
}

}  // namespace vgen::import
