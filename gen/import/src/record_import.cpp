// Turns a C struct or union into spec struct and union types.
#include "record_import.hpp"

#include <algorithm>

#include <clang/AST/DeclCXX.h>
#include <clang/AST/RecordLayout.h>

#include "source_location.hpp"
#include "type_mapping.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::import {

namespace {

std::uint64_t round_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

// The padding from `offset` up to `end`.
ImportedMember padding(std::uint64_t offset, std::uint64_t end) {
  ImportedMember pad;
  pad.is_pad = true;
  pad.offset = offset;
  pad.bytes = end - offset;
  return pad;
}

}  // namespace

RecordImporter::RecordImporter(const clang::ASTContext& context, ImportedTypes& types, std::vector<std::string>& errors)
    : context_(context), types_(types), errors_(errors) {}

void RecordImporter::error(const clang::SourceLocation location, const std::string& message) {
  errors_.push_back(located(context_.getSourceManager(), location, "error", message));
}

std::string RecordImporter::nested_name(const clang::RecordDecl* record, const std::string& outer,
                                        const std::string& field) {
  if (!record->getName().empty()) return record->getName().str();
  if (const clang::TypedefNameDecl* typedef_name = record->getTypedefNameForAnonDecl()) {
    return typedef_name->getName().str();
  }
  return outer + "_" + field;
}

bool RecordImporter::import(const clang::RecordDecl* record, const std::string& name) {
  record = record->getDefinition();
  if (auto found = imported_.find(record); found != imported_.end()) return found->second.ok;
  imported_[record] = Imported{name, 1, false};
  const clang::SourceLocation where = record->getLocation();
  const bool is_union = record->isUnion();
  const std::string what = std::string(is_union ? "union '" : "struct '") + name + "'";
  if (auto taken = names_.find(name); taken != names_.end() && taken->second != record) {
    error(where, what + " has the name of another struct already imported (at " +
                     origin(context_.getSourceManager(), taken->second->getLocation()) + ")");
    return false;
  }
  names_[name] = record;
  bool ok = true;
  if (std::optional<std::string> problem = vgen::gen::identifier_problem(name)) {
    error(where, what + ": the name cannot name a spec type: " + *problem);
    ok = false;
  }
  if (const auto* cxx = llvm::dyn_cast<clang::CXXRecordDecl>(record)) {
    if (cxx->getNumBases() > 0 || cxx->isPolymorphic()) {
      error(where, what + " has base classes or virtual functions, which the spec cannot express");
      return false;
    }
  }

  const clang::ASTRecordLayout& layout = context_.getASTRecordLayout(record);
  ImportedStruct result;
  result.name = name;
  result.is_union = is_union;
  result.origin = origin(context_.getSourceManager(), where);
  result.size = static_cast<std::uint64_t>(layout.getSize().getQuantity());
  std::uint64_t position = 0;
  std::uint64_t align = 1;
  for (const clang::FieldDecl* field : record->fields()) {
    const std::string field_name = field->getName().str();
    const clang::SourceLocation at = field->getLocation();
    if (field_name.empty()) {
      error(at, what + " has an unnamed struct or union member; the spec needs a name for every field");
      ok = false;
      continue;
    }
    const std::string in = "field '" + field_name + "' of " + what;
    if (field->isBitField()) {
      error(at, in + " is a bit-field, which the spec cannot express (bit placement is the compiler's choice)");
      ok = false;
      continue;
    }
    clang::QualType element = field->getType();
    std::uint64_t count = 0;
    if (const clang::ConstantArrayType* array = context_.getAsConstantArrayType(element)) {
      count = array->getSize().getZExtValue();
      element = array->getElementType();
      if (count == 0) {
        error(at, in + " is a zero-length (flexible) array, which the spec cannot express: a message has a fixed size");
        ok = false;
        continue;
      }
    } else if (context_.getAsIncompleteArrayType(element) != nullptr) {
      error(at, in + " is a flexible array member, which the spec cannot express: a message has a fixed size");
      ok = false;
      continue;
    } else if (element->isArrayType()) {
      error(at, in + " is an array of variable length, which the spec cannot express");
      ok = false;
      continue;
    }
    const MappedType mapped = map_type(element, context_);
    ImportedMember member;
    member.name = field_name;
    member.location = vgen::import::position(context_.getSourceManager(), at);
    member.offset =
        context_.toCharUnitsFromBits(static_cast<std::int64_t>(layout.getFieldOffset(field->getFieldIndex())))
            .getQuantity();
    member.bytes = context_.getTypeSizeInChars(field->getType()).getQuantity();
    std::uint64_t member_align = 1;
    switch (mapped.kind) {
      case MappedType::Kind::refused:
        error(at, in + ": " + mapped.problem);
        ok = false;
        continue;
      case MappedType::Kind::integer:
        member.type = mapped.integer.type;
        member.big_endian = mapped.integer.big_endian;
        member.plain_char = mapped.integer.plain_char;
        member_align = mapped.integer.bytes;
        break;
      case MappedType::Kind::record: {
        const std::string inner = nested_name(mapped.record, name, field_name);
        if (!import(mapped.record, inner)) {
          ok = false;
          continue;
        }
        const Imported& done = imported_.at(mapped.record->getDefinition());
        member.type = done.name;
        member_align = done.align;
        break;
      }
    }
    if (count > 0) member.type += "[" + std::to_string(count) + "]";
    if (std::optional<std::string> problem = vgen::gen::identifier_problem(field_name)) {
      error(at, in + ": the name cannot name a spec field: " + *problem);
      ok = false;
      continue;
    }
    if (member.offset % member_align != 0) {
      error(at, in + " is at offset " + std::to_string(member.offset) + ", not a multiple of its alignment " +
                    std::to_string(member_align) + " (a packed layout); the spec aligns every field naturally");
      ok = false;
      continue;
    }
    if (is_union) {  // every member at offset 0; the union as large as the largest
      position = std::max(position, member.bytes);
      align = std::max(align, member_align);
      result.members.push_back(member);
      continue;
    }
    if (member.offset < position) {
      error(at, in + " overlaps the field before it");
      ok = false;
      continue;
    }
    if (member.offset > position) result.members.push_back(padding(position, member.offset));
    position = member.offset + member.bytes;
    align = std::max(align, member_align);
    result.members.push_back(member);
  }
  if (!ok) return false;
  if (result.members.empty()) {
    error(where, what + " has no fields; a spec " + (is_union ? "union" : "struct") + " needs at least one");
    return false;
  }
  if (result.size < round_up(position, align) || result.size % align != 0) {
    error(where, what + " is " + std::to_string(result.size) + " bytes, but aligning it to its most aligned field (" +
                     std::to_string(align) + " bytes) makes " + std::to_string(round_up(position, align)) +
                     " (a packed layout); the spec pads structs to their natural alignment");
    return false;
  }
  if (result.size > position && !is_union) result.members.push_back(padding(position, result.size));
  imported_[record] = Imported{name, align, true};
  types_.structs.push_back(std::move(result));
  return true;
}

}  // namespace vgen::import
