// Turns integer constants into spec enums: the constants of a C enum, and the object-like
// macros of a #define group whose bodies are integer literals.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/Lex/Preprocessor.h>

#include "vgen/import/request.hpp"
#include "vgen/import/types.hpp"

namespace vgen::import {

/// The enum `name` with the constants of `declaration` under their own names, travelling as
/// the enum's integer type; nothing (and an error) when the spec cannot hold it.
std::optional<ImportedEnum> import_enum(const clang::EnumDecl* declaration, const std::string& name,
                                        const clang::ASTContext& context, std::vector<std::string>& errors);

/// The enum of the macros starting with `group.prefix`, in the order the headers define them,
/// each named without the prefix (or with it, when the rest is not a usable name); its type
/// is the smallest spec integer holding every value. Macros that are not integer literals
/// are left out with a warning.
std::optional<ImportedEnum> import_defines(clang::Preprocessor& preprocessor, const DefineGroup& group,
                                           std::vector<std::string>& errors, std::vector<std::string>& warnings);

}  // namespace vgen::import
