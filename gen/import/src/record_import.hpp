// Turns a C struct into spec struct types: every field at the offset clang's record layout
// gives it, holes as explicit pads, nested structs imported as types of their own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>

#include "vgen/import/types.hpp"

namespace vgen::import {

/// Imports structs into `types`, each after the structs it contains and each once, and adds
/// an error (at the construct, naming the struct and field) for what the spec cannot express.
class RecordImporter {
 public:
  RecordImporter(const clang::ASTContext& context, ImportedTypes& types, std::vector<std::string>& errors);

  /// Imports `record` as the spec type `name`; false when it (or a struct in it) was refused.
  bool import(const clang::RecordDecl* record, const std::string& name);

 private:
  struct Imported {
    std::string name;
    std::uint64_t align = 1;
    bool ok = false;
  };

  void error(const clang::SourceLocation location, const std::string& message);
  // The spec name of a struct met as a field's type: its tag, its typedef, or <outer>_<field>.
  static std::string nested_name(const clang::RecordDecl* record, const std::string& outer, const std::string& field);

  const clang::ASTContext& context_;
  ImportedTypes& types_;
  std::vector<std::string>& errors_;
  std::map<const clang::RecordDecl*, Imported> imported_;
  std::map<std::string, const clang::RecordDecl*> names_;
};

}  // namespace vgen::import
