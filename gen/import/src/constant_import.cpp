// Turns integer constants into spec enums.
#include "constant_import.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>

#include <clang/Lex/LiteralSupport.h>
#include <clang/Lex/MacroInfo.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringExtras.h>

#include "source_location.hpp"
#include "type_mapping.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::import {

namespace {

// An integer as sign and magnitude, so that the whole u64 and i64 ranges fit.
struct Value {
  bool negative = false;
  std::uint64_t magnitude = 0;

  std::string text() const { return (negative ? "-" : "") + std::to_string(magnitude); }
};

// The smallest spec integer type holding every value.
std::string smallest_type(const std::vector<Value>& values) {
  const bool is_signed = std::any_of(values.begin(), values.end(), [](const Value& v) { return v.negative; });
  for (std::uint64_t bytes : {1u, 2u, 4u, 8u}) {
    const unsigned bits = static_cast<unsigned>(bytes * 8);
    const bool fits = std::all_of(values.begin(), values.end(), [&](const Value& v) {
      if (!is_signed) return bits == 64 || v.magnitude <= (std::uint64_t{1} << bits) - 1;
      const std::uint64_t limit = std::uint64_t{1} << (bits - 1);  // |min|; max is limit - 1
      return v.negative ? v.magnitude <= limit : v.magnitude < limit;
    });
    if (fits) return integer_name(bytes, is_signed);
  }
  return "";
}

// The value of a macro body `N`, `-N`, `(N)` or `(-N)` with N an integer literal.
std::optional<Value> literal_value(clang::Preprocessor& preprocessor, const clang::MacroInfo& macro) {
  llvm::ArrayRef<clang::Token> tokens = macro.tokens();
  while (tokens.size() >= 2 && tokens.front().is(clang::tok::l_paren) && tokens.back().is(clang::tok::r_paren)) {
    tokens = tokens.drop_front().drop_back();
  }
  Value value;
  if (!tokens.empty() && tokens.front().is(clang::tok::minus)) {
    value.negative = true;
    tokens = tokens.drop_front();
  }
  if (tokens.size() != 1 || !tokens.front().is(clang::tok::numeric_constant)) return std::nullopt;
  llvm::SmallString<32> buffer;
  const llvm::StringRef spelling = preprocessor.getSpelling(tokens.front(), buffer);
  clang::NumericLiteralParser literal(spelling, tokens.front().getLocation(), preprocessor.getSourceManager(),
                                      preprocessor.getLangOpts(), preprocessor.getTargetInfo(),
                                      preprocessor.getDiagnostics());
  if (literal.hadError || !literal.isIntegerLiteral()) return std::nullopt;
  llvm::APInt number(64, 0);
  if (literal.GetIntegerValue(number)) return std::nullopt;  // more than 64 bits
  value.magnitude = number.getZExtValue();
  if (value.negative && value.magnitude > (std::uint64_t{1} << 63)) return std::nullopt;
  if (value.magnitude == 0) value.negative = false;
  return value;
}

// The default enum name of a prefix: "VIRTIO_BLK_T_" -> "virtio_blk_t".
std::string enum_name_of(const std::string& prefix) {
  std::string name = prefix;
  while (!name.empty() && name.back() == '_') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return llvm::toLower(c); });
  return name;
}

}  // namespace

std::optional<ImportedEnum> import_enum(const clang::EnumDecl* declaration, const std::string& name,
                                        const clang::ASTContext& context, std::vector<std::string>& errors) {
  const clang::SourceManager& sources = context.getSourceManager();
  ImportedEnum result;
  result.name = name;
  result.origin = origin(sources, declaration->getLocation());
  const clang::QualType integer = declaration->getIntegerType().getCanonicalType();
  result.type = integer_name(context.getTypeSize(integer) / 8, integer->isSignedIntegerType());
  bool ok = true;
  if (std::optional<std::string> problem = vgen::gen::identifier_problem(name)) {
    errors.push_back(located(sources, declaration->getLocation(), "error",
                             "enum '" + name + "': the name cannot name a spec type: " + *problem));
    ok = false;
  }
  std::map<std::string, std::string> seen;  // value -> constant
  for (const clang::EnumConstantDecl* constant : declaration->enumerators()) {
    const std::string constant_name = constant->getName().str();
    const std::string value = llvm::toString(constant->getInitVal(), 10);
    const std::string in = "constant '" + constant_name + "' of enum '" + name + "'";
    if (std::optional<std::string> problem = vgen::gen::identifier_problem(constant_name)) {
      errors.push_back(
          located(sources, constant->getLocation(), "error", in + ": the name cannot name a spec value: " + *problem));
      ok = false;
    } else if (auto [earlier, fresh] = seen.emplace(value, constant_name); !fresh) {
      errors.push_back(located(
          sources, constant->getLocation(), "error",
          in + " has the value " + value + " of '" + earlier->second + "'; the values of a spec enum are unique"));
      ok = false;
    }
    result.values.push_back({constant_name, value});
  }
  if (result.values.empty()) {
    errors.push_back(located(sources, declaration->getLocation(), "error", "enum '" + name + "' has no constants"));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return result;
}

std::optional<ImportedEnum> import_defines(clang::Preprocessor& preprocessor, const DefineGroup& group,
                                           std::vector<std::string>& errors, std::vector<std::string>& warnings) {
  const clang::SourceManager& sources = preprocessor.getSourceManager();
  struct Found {
    std::string name;
    const clang::MacroInfo* macro;
  };
  std::vector<Found> found;
  for (const auto& entry : preprocessor.macros()) {
    const clang::IdentifierInfo* identifier = entry.first;
    const llvm::StringRef macro_name = identifier->getName();
    if (!macro_name.startswith(group.prefix)) continue;
    const clang::MacroInfo* macro = preprocessor.getMacroInfo(identifier);
    if (macro == nullptr || macro->isBuiltinMacro()) continue;
    const clang::SourceLocation at = macro->getDefinitionLoc();
    if (!at.isValid() || sources.isWrittenInBuiltinFile(at) || sources.isWrittenInCommandLineFile(at)) continue;
    found.push_back({macro_name.str(), macro});
  }
  std::sort(found.begin(), found.end(), [&](const Found& left, const Found& right) {
    return sources.isBeforeInTranslationUnit(left.macro->getDefinitionLoc(), right.macro->getDefinitionLoc());
  });

  ImportedEnum result;
  result.name = group.name.empty() ? enum_name_of(group.prefix) : group.name;
  bool ok = true;
  if (std::optional<std::string> problem = vgen::gen::identifier_problem(result.name)) {
    errors.push_back("error: --define " + group.prefix + ": the enum name '" + result.name +
                     "' cannot name a spec type: " + *problem);
    ok = false;
  }
  std::vector<Value> values;
  std::map<std::string, std::string> seen;  // value -> macro
  for (const Found& each : found) {
    const clang::SourceLocation at = each.macro->getDefinitionLoc();
    std::optional<Value> value = each.macro->isFunctionLike() ? std::nullopt : literal_value(preprocessor, *each.macro);
    if (!value) {
      warnings.push_back(
          located(sources, at, "warning",
                  "macro '" + each.name + "' is not an integer literal; left out of enum '" + result.name + "'"));
      continue;
    }
    std::string value_name = each.name.substr(group.prefix.size());
    if (value_name.empty() || vgen::gen::identifier_problem(value_name)) value_name = each.name;
    if (std::optional<std::string> problem = vgen::gen::identifier_problem(value_name)) {
      errors.push_back(
          located(sources, at, "error", "macro '" + each.name + "' cannot name a spec value: " + *problem));
      ok = false;
      continue;
    }
    if (auto [earlier, fresh] = seen.emplace(value->text(), each.name); !fresh) {
      errors.push_back(located(sources, at, "error",
                               "macro '" + each.name + "' has the value " + value->text() + " of '" + earlier->second +
                                   "'; the values of a spec enum are unique (choose a longer prefix)"));
      ok = false;
      continue;
    }
    if (result.origin.empty()) result.origin = origin(sources, at);
    values.push_back(*value);
    result.values.push_back({value_name, value->text()});
  }
  if (result.values.empty()) {
    errors.push_back("error: --define " + group.prefix + ": no macro of the headers whose name starts with '" +
                     group.prefix + "' is an integer literal");
    return std::nullopt;
  }
  result.type = smallest_type(values);
  if (!ok) return std::nullopt;
  return result;
}

}  // namespace vgen::import
