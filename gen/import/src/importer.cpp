// Parses headers with Clang LibTooling and imports the structs, enums and #define groups the
// request names.
#include "vgen/import/importer.hpp"

#include <filesystem>
#include <map>
#include <memory>

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/DeclCXX.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Tooling/Tooling.h>

#include "constant_import.hpp"
#include "record_import.hpp"
#include "source_location.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::import {

namespace {

namespace fs = std::filesystem;

// Every struct, union and enum definition of the translation unit by the names a request may
// use: tag, qualified name, and the typedef names that stand for it.
struct Declarations {
  std::map<std::string, const clang::RecordDecl*> records;
  std::map<std::string, const clang::EnumDecl*> enums;

  void add_record(const std::string& name, const clang::RecordDecl* record) {
    if (!name.empty()) records.emplace(name, record);
  }
  void add_enum(const std::string& name, const clang::EnumDecl* declaration) {
    if (!name.empty()) enums.emplace(name, declaration);
  }

  void collect(const clang::DeclContext* context) {
    for (const clang::Decl* declaration : context->decls()) {
      if (const auto* record = llvm::dyn_cast<clang::RecordDecl>(declaration)) {
        if (record->isThisDeclarationADefinition()) {
          add_record(record->getName().str(), record);
          add_record(record->getQualifiedNameAsString(), record);
        }
      } else if (const auto* enumeration = llvm::dyn_cast<clang::EnumDecl>(declaration)) {
        if (enumeration->isThisDeclarationADefinition()) {
          add_enum(enumeration->getName().str(), enumeration);
          add_enum(enumeration->getQualifiedNameAsString(), enumeration);
        }
      } else if (const auto* alias = llvm::dyn_cast<clang::TypedefNameDecl>(declaration)) {
        const clang::QualType type = alias->getUnderlyingType().getCanonicalType();
        if (const auto* record_type = type->getAs<clang::RecordType>()) {
          if (record_type->getDecl()->getDefinition() != nullptr) {
            add_record(alias->getName().str(), record_type->getDecl()->getDefinition());
            add_record(alias->getQualifiedNameAsString(), record_type->getDecl()->getDefinition());
          }
        } else if (const auto* enum_type = type->getAs<clang::EnumType>()) {
          if (enum_type->getDecl()->getDefinition() != nullptr) {
            add_enum(alias->getName().str(), enum_type->getDecl()->getDefinition());
            add_enum(alias->getQualifiedNameAsString(), enum_type->getDecl()->getDefinition());
          }
        }
      }
      // Structs declared inside structs (C makes them file-scope), namespaces, extern "C".
      if (llvm::isa<clang::RecordDecl, clang::NamespaceDecl, clang::LinkageSpecDecl>(declaration)) {
        collect(llvm::cast<clang::DeclContext>(declaration));
      }
    }
  }
};

template <typename Map>
std::vector<std::string> keys(const Map& map) {
  std::vector<std::string> names;
  for (const auto& [name, unused] : map) names.push_back(name);
  return names;
}

// The spec name for a requested C name: its last component (`ns::hdr` -> `hdr`).
std::string spec_name(const std::string& requested) {
  const std::size_t colon = requested.rfind("::");
  return colon == std::string::npos ? requested : requested.substr(colon + 2);
}

class ImportConsumer : public clang::ASTConsumer {
 public:
  ImportConsumer(const ImportRequest& request, clang::Preprocessor& preprocessor, ImportResult& result)
      : request_(request), preprocessor_(preprocessor), result_(result) {}

  void HandleTranslationUnit(clang::ASTContext& context) override {
    if (context.getDiagnostics().hasErrorOccurred()) {
      result_.parse_failed = true;
      return;
    }
    Declarations declarations;
    declarations.collect(context.getTranslationUnitDecl());
    RecordImporter records(context, result_.types, result_.errors);
    for (const std::string& name : request_.structs) {
      auto found = declarations.records.find(name);
      if (found == declarations.records.end()) {
        const std::string also = declarations.enums.count(name) > 0 ? " ('" + name + "' is an enum: use --enum)" : "";
        result_.errors.push_back("error: no struct '" + name + "' in the headers" + also +
                                 vgen::gen::suggestion(name, keys(declarations.records)));
        continue;
      }
      records.import(found->second, spec_name(name));
    }
    for (const std::string& name : request_.enums) {
      auto found = declarations.enums.find(name);
      if (found == declarations.enums.end()) {
        result_.errors.push_back("error: no enum '" + name + "' in the headers" +
                                 vgen::gen::suggestion(name, keys(declarations.enums)));
        continue;
      }
      if (std::optional<ImportedEnum> imported = import_enum(found->second, spec_name(name), context, result_.errors)) {
        result_.types.enums.push_back(std::move(*imported));
      }
    }
    for (const DefineGroup& group : request_.defines) {
      if (std::optional<ImportedEnum> imported =
              import_defines(preprocessor_, group, result_.errors, result_.warnings)) {
        result_.types.enums.push_back(std::move(*imported));
      }
    }
  }

 private:
  const ImportRequest& request_;
  clang::Preprocessor& preprocessor_;
  ImportResult& result_;
};

class ImportAction : public clang::ASTFrontendAction {
 public:
  ImportAction(const ImportRequest& request, ImportResult& result) : request_(request), result_(result) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler, llvm::StringRef) override {
    return std::make_unique<ImportConsumer>(request_, compiler.getPreprocessor(), result_);
  }

 private:
  const ImportRequest& request_;
  ImportResult& result_;
};

// The translation unit: one #include per header, by path for existing files, else <header>.
std::string translation_unit(const std::vector<std::string>& headers) {
  std::string code;
  for (const std::string& header : headers) {
    std::error_code error;
    if (fs::is_regular_file(header, error)) {
      code += "#include \"" + fs::absolute(header).lexically_normal().string() + "\"\n";
    } else {
      code += "#include <" + header + ">\n";
    }
  }
  return code;
}

bool has_cxx_extension(const std::string& header) {
  const std::string extension = fs::path(header).extension().string();
  return extension == ".hpp" || extension == ".hh" || extension == ".hxx" || extension == ".H";
}

}  // namespace

Language language_of(const ImportRequest& request) {
  if (request.language == Language::cxx) return Language::cxx;
  for (const std::string& header : request.headers) {
    if (has_cxx_extension(header)) return Language::cxx;
  }
  return Language::c;
}

ImportResult import_headers(const ImportRequest& request) {
  ImportResult result;
  const bool cxx = language_of(request) == Language::cxx;
  std::vector<std::string> arguments{"-x", cxx ? "c++" : "c", "-resource-dir", VGEN_CLANG_RESOURCE_DIR, "-w"};
  if (cxx) arguments.push_back("-std=c++20");
  for (const std::string& directory : request.include_dirs) arguments.push_back("-I" + directory);
  for (const std::string& macro : request.macros) arguments.push_back("-D" + macro);
  const bool parsed = clang::tooling::runToolOnCodeWithArgs(
      std::make_unique<ImportAction>(request, result), translation_unit(request.headers), arguments,
      cxx ? "vgen-import.cpp" : "vgen-import.c", VGEN_CLANG_DRIVER);
  if (!parsed) result.parse_failed = true;
  return result;
}

}  // namespace vgen::import
