// `vgen update`'s edit of a user-owned class: both the user's files and the scaffold for the
// current spec are parsed with clang against the current generated base classes; the
// differences in handlers become clang::tooling::Replacements on the user's texts.
#include "vgen/import/user_update.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Lexer.h>
#include <clang/Tooling/Core/Replacement.h>
#include <clang/Tooling/Tooling.h>

#include "source_location.hpp"

namespace vgen::import {

namespace {

// Bytes [begin, end) of one file's text.
struct Span {
  unsigned begin = 0;
  unsigned end = 0;
  bool contains(unsigned offset) const { return begin <= offset && offset < end; }
};

enum class Where { header, source, other };

// One method the class declares.
struct Method {
  std::string name;
  std::string position;  // file:line:col of its name
  bool marked_override = false;
  bool overrides = false;  // overrides a base method (a valid declaration)
  bool pure_base = false;  // ... a pure virtual one
  bool invalid = false;
  Span declaration;                       // whole lines of the header, with the comment lines above
  std::optional<Span> definition;         // whole lines of the source (out-of-line definition)
  std::optional<Span> header_definition;  // ... or of the header, after the class
  const clang::CXXMethodDecl* decl = nullptr;
};

// An error clang reported, where it is.
struct Problem {
  Where where = Where::other;
  unsigned offset = 0;
  std::string text;  // file:line:col: error: message
  bool fatal = false;
};

// What one parse of a header and its source says about the user's class.
struct ClassView {
  bool found = false;
  bool in_header = true;
  std::string name;  // qualified
  std::vector<Method> methods;
  std::set<std::string> base_virtuals;  // names of the virtual methods of its bases
  std::vector<Span> header_bodies;      // function bodies in the header
  std::vector<Span> source_bodies;      // and in the source
  std::vector<Span> source_members;     // out-of-line member definitions of the class
  std::vector<Problem> problems;
};

// Collects clang's errors instead of printing them.
class Collector : public clang::DiagnosticConsumer {
 public:
  struct Entry {
    clang::SourceLocation location;
    std::string message;
    bool fatal = false;  // clang stopped parsing there
  };
  std::vector<Entry> errors;

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error) return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    errors.push_back({info.getLocation(), std::string(text.str()), level == clang::DiagnosticsEngine::Fatal});
  }
};

// Start of the line holding `offset`.
unsigned line_start(const std::string& text, unsigned offset) {
  const std::size_t newline = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  return newline == std::string::npos ? 0 : static_cast<unsigned>(newline + 1);
}

// Just past the line break of the line holding `offset` (or the text's end).
unsigned line_end(const std::string& text, unsigned offset) {
  const std::size_t newline = text.find('\n', offset);
  return newline == std::string::npos ? static_cast<unsigned>(text.size()) : static_cast<unsigned>(newline + 1);
}

bool blank(const std::string& text, unsigned begin, unsigned end) {
  for (unsigned i = begin; i < end && i < text.size(); ++i) {
    if (!std::isspace(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

bool comment_line(const std::string& text, unsigned begin, unsigned end) {
  const std::size_t first = text.find_first_not_of(" \t", begin);
  return first != std::string::npos && first + 1 < end && text.compare(first, 2, "//") == 0;
}

// [begin, end) widened to whole lines when nothing else shares them (a trailing // comment
// goes along), with the // comment lines directly above.
Span whole_lines(const std::string& text, unsigned begin, unsigned end) {
  Span span{begin, end};
  const unsigned first = line_start(text, begin);
  if (blank(text, first, begin)) {
    span.begin = first;
    while (span.begin > 0) {
      const unsigned above = line_start(text, span.begin - 1);
      if (!comment_line(text, above, span.begin)) break;
      span.begin = above;
    }
  }
  const unsigned last = line_end(text, end);
  const std::size_t rest = text.find_first_not_of(" \t", end);
  if (rest == std::string::npos || rest >= last || text[rest] == '\n' || text.compare(rest, 2, "//") == 0) {
    span.end = last;
  }
  return span;
}

// The identifiers of a declaration's text before its body, comments and literals skipped.
std::vector<std::string> head_words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  int depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::size_t start = i;
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
      words.push_back(text.substr(start, i - start));
    } else {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == '{' && depth == 0) break;
      ++i;
    }
  }
  return words;
}

class Analysis {
 public:
  Analysis(clang::ASTContext& context, const std::string& header_path, const std::string& header,
           const std::string& source, const std::string& class_name, const Collector& collector, ClassView& view)
      : context_(context),
        sources_(context.getSourceManager()),
        header_(header),
        source_(source),
        class_name_(class_name),
        view_(view) {
    if (auto entry = sources_.getFileManager().getFile(header_path)) header_entry_ = *entry;
    walk(context.getTranslationUnitDecl());
    if (record_ != nullptr) describe_class();
    for (const Collector::Entry& error : collector.errors) {
      Problem problem;
      problem.where = where(error.location, problem.offset);
      problem.text = located(sources_, error.location, error.fatal ? "fatal error" : "error", error.message);
      problem.fatal = error.fatal;
      view_.problems.push_back(std::move(problem));
    }
  }

 private:
  Where where(clang::SourceLocation location, unsigned& offset) const {
    if (location.isInvalid()) return Where::other;
    const auto [file, at] = sources_.getDecomposedLoc(sources_.getExpansionLoc(location));
    offset = at;
    if (file == sources_.getMainFileID()) return Where::source;
    const clang::FileEntry* entry = sources_.getFileEntryForID(file);
    return entry != nullptr && entry == header_entry_ ? Where::header : Where::other;
  }

  const std::string& text_of(Where place) const { return place == Where::header ? header_ : source_; }

  // Just past the token at `location`.
  unsigned token_end(clang::SourceLocation location, unsigned offset) const {
    return offset +
           clang::Lexer::MeasureTokenLength(sources_.getExpansionLoc(location), sources_, context_.getLangOpts());
  }

  void function(const clang::FunctionDecl* function) {
    unsigned offset = 0;
    const Where place = where(function->getLocation(), offset);
    if (place == Where::other) return;
    if (function->doesThisDeclarationHaveABody() && function->getBody() != nullptr) {
      unsigned begin = 0;
      unsigned end = 0;
      const clang::Stmt* body = function->getBody();
      if (where(body->getBeginLoc(), begin) == place && where(body->getEndLoc(), end) == place) {
        (place == Where::header ? view_.header_bodies : view_.source_bodies).push_back({begin, end + 1});
      }
    }
    const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
    if (method != nullptr && record_ != nullptr && method->isOutOfLine() &&
        method->getParent()->getCanonicalDecl() == record_->getCanonicalDecl()) {
      (place == Where::source ? out_of_line_ : header_out_of_line_).push_back(method);
    }
  }

  void walk(const clang::DeclContext* context) {
    for (const clang::Decl* declaration : context->decls()) {
      if (const auto* function = llvm::dyn_cast<clang::FunctionDecl>(declaration)) {
        this->function(function);
      } else if (const auto* generic = llvm::dyn_cast<clang::FunctionTemplateDecl>(declaration)) {
        this->function(generic->getTemplatedDecl());
      } else if (const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(declaration)) {
        consider(record);
        walk(record);
      } else if (llvm::isa<clang::NamespaceDecl, clang::LinkageSpecDecl>(declaration)) {
        walk(llvm::cast<clang::DeclContext>(declaration));
      }
    }
  }

  // The user's class: the one named, or (for the scaffold) the first class of the header that
  // has a base.
  void consider(const clang::CXXRecordDecl* record) {
    if (record_ != nullptr || !record->isThisDeclarationADefinition()) return;
    unsigned offset = 0;
    const Where place = where(record->getLocation(), offset);
    if (place == Where::other) return;
    const bool wanted = class_name_.empty() ? place == Where::header && record->getNumBases() > 0
                                            : record->getQualifiedNameAsString() == class_name_;
    if (!wanted) return;
    record_ = record;
    view_.found = true;
    view_.in_header = place == Where::header;
    view_.name = record->getQualifiedNameAsString();
  }

  // (forallBases, out of line in libclang: the inlined bases() trips g++'s -Wnonnull.)
  void base_virtuals(const clang::CXXRecordDecl* record) {
    record->forallBases([this](const clang::CXXRecordDecl* base) {
      if (const clang::CXXRecordDecl* definition = base->getDefinition()) {
        for (const clang::CXXMethodDecl* method : definition->methods()) {
          if (method->isVirtual() && method->getDeclName().isIdentifier()) {
            view_.base_virtuals.insert(method->getNameAsString());
          }
        }
      }
      return true;
    });
  }

  void describe_class() {
    base_virtuals(record_);
    for (const clang::Decl* declaration : record_->decls()) {
      const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(declaration);
      if (const auto* generic = llvm::dyn_cast<clang::FunctionTemplateDecl>(declaration)) {
        method = llvm::dyn_cast<clang::CXXMethodDecl>(generic->getTemplatedDecl());
      }
      if (method == nullptr || method->isImplicit() || !method->getDeclName().isIdentifier()) continue;
      unsigned begin = 0;
      if (where(method->getOuterLocStart(), begin) != Where::header) continue;
      Method entry;
      entry.decl = method;
      entry.name = method->getNameAsString();
      entry.position = position(sources_, method->getLocation());
      entry.invalid = method->isInvalidDecl();
      entry.overrides = !entry.invalid && method->size_overridden_methods() > 0;
      for (const clang::CXXMethodDecl* base : method->overridden_methods()) entry.pure_base |= base->isPure();
      unsigned last = 0;
      where(method->getEndLoc(), last);
      unsigned end = token_end(method->getEndLoc(), last);
      if (!method->doesThisDeclarationHaveABody()) {
        const std::size_t semicolon = header_.find_first_not_of(" \t\r\n", end);
        if (semicolon != std::string::npos && header_[semicolon] == ';') end = static_cast<unsigned>(semicolon + 1);
      }
      const std::vector<std::string> words = head_words(header_.substr(begin, end - begin));
      entry.marked_override = method->hasAttr<clang::OverrideAttr>() || method->hasAttr<clang::FinalAttr>() ||
                              std::find(words.begin(), words.end(), "override") != words.end() ||
                              std::find(words.begin(), words.end(), "final") != words.end();
      entry.declaration = whole_lines(header_, begin, end);
      view_.methods.push_back(std::move(entry));
    }
    for (const clang::CXXMethodDecl* definition : out_of_line_) {
      unsigned begin = 0;
      unsigned last = 0;
      where(definition->getOuterLocStart(), begin);
      where(definition->getEndLoc(), last);
      const Span span = whole_lines(source_, begin, token_end(definition->getEndLoc(), last));
      view_.source_members.push_back(span);
      // Its declaration: the one it redeclares, or (when clang could not tell, an invalid
      // declaration) the one of the same name.
      Method* owner = nullptr;
      for (Method& method : view_.methods) {
        if (method.decl->getCanonicalDecl() == definition->getCanonicalDecl()) owner = &method;
      }
      if (owner == nullptr && (definition->isInvalidDecl() || definition->getPreviousDecl() == nullptr)) {
        for (Method& method : view_.methods) {
          if (method.name == definition->getNameAsString() && !method.definition) owner = &method;
        }
      }
      if (owner == nullptr || owner->definition) continue;
      owner->definition = span;
    }
    // Definitions after the class in the header (inline ones): they go with their handler.
    for (const clang::CXXMethodDecl* definition : header_out_of_line_) {
      unsigned begin = 0;
      unsigned last = 0;
      where(definition->getOuterLocStart(), begin);
      where(definition->getEndLoc(), last);
      const Span span = whole_lines(header_, begin, token_end(definition->getEndLoc(), last));
      for (Method& method : view_.methods) {
        const bool same = method.decl->getCanonicalDecl() == definition->getCanonicalDecl() ||
                          ((definition->isInvalidDecl() || definition->getPreviousDecl() == nullptr) &&
                           method.name == definition->getNameAsString());
        if (same && !method.header_definition) {
          method.header_definition = span;
          break;
        }
      }
    }
  }

  clang::ASTContext& context_;
  const clang::SourceManager& sources_;
  const std::string& header_;
  const std::string& source_;
  const std::string& class_name_;
  ClassView& view_;
  const clang::FileEntry* header_entry_ = nullptr;
  const clang::CXXRecordDecl* record_ = nullptr;
  std::vector<const clang::CXXMethodDecl*> out_of_line_;
  std::vector<const clang::CXXMethodDecl*> header_out_of_line_;
};

class ViewConsumer : public clang::ASTConsumer {
 public:
  ViewConsumer(const UserHalf& half, bool fresh, const std::string& class_name, Collector& collector, ClassView& view)
      : half_(half), fresh_(fresh), class_name_(class_name), collector_(collector), view_(view) {}

  void HandleTranslationUnit(clang::ASTContext& context) override {
    // The header comes first in the translation unit, so the class is known before its
    // out-of-line members are met.
    Analysis(context, half_.header_path, fresh_ ? half_.fresh_header : half_.header,
             fresh_ ? half_.fresh_source : half_.source, class_name_, collector_, view_);
  }

 private:
  const UserHalf& half_;
  bool fresh_;
  const std::string& class_name_;
  Collector& collector_;
  ClassView& view_;
};

class ViewAction : public clang::ASTFrontendAction {
 public:
  ViewAction(const UserHalf& half, bool fresh, const std::string& class_name, ClassView& view)
      : half_(half), fresh_(fresh), class_name_(class_name), view_(view) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler, llvm::StringRef) override {
    compiler.getDiagnostics().setClient(&collector_, false);
    return std::make_unique<ViewConsumer>(half_, fresh_, class_name_, collector_, view_);
  }

 private:
  const UserHalf& half_;
  bool fresh_;
  const std::string& class_name_;
  ClassView& view_;
  Collector collector_;
};

// Parses one half: the user's texts, or (fresh) the scaffold's, seen at the user's paths.
ClassView parse(const UserHalf& half, const ParseContext& context, bool fresh, const std::string& class_name) {
  ClassView view;
  std::vector<std::string> arguments{"-x",
                                     "c++",
                                     "-std=c++20",
                                     "-resource-dir",
                                     VGEN_CLANG_RESOURCE_DIR,
                                     "-w",
                                     "-ferror-limit=0",
                                     "-fno-caret-diagnostics"};
  const std::string folder = half.header_path.substr(0, half.header_path.rfind('/'));
  arguments.push_back("-I" + (folder.empty() ? std::string("/") : folder));
  for (const std::string& directory : context.include_dirs) arguments.push_back("-I" + directory);
  clang::tooling::FileContentMappings files(context.files.begin(), context.files.end());
  files.emplace_back(half.header_path, fresh ? half.fresh_header : half.header);
  clang::tooling::runToolOnCodeWithArgs(std::make_unique<ViewAction>(half, fresh, class_name, view),
                                        fresh ? half.fresh_source : half.source, arguments, half.source_path,
                                        VGEN_CLANG_DRIVER, std::make_shared<clang::PCHContainerOperations>(), files);
  return view;
}

bool inside(const std::vector<Span>& spans, unsigned offset) {
  return std::any_of(spans.begin(), spans.end(), [&](const Span& span) { return span.contains(offset); });
}

// The edits of one file, by offset: deletions and insertions, merged where they meet.
class Edits {
 public:
  void insert(unsigned offset, const std::string& text) { edits_[offset].text += text; }
  void remove(const Span& span) {
    Edit& edit = edits_[span.begin];
    edit.length = std::max(edit.length, span.end - span.begin);
  }
  bool empty() const { return edits_.empty(); }

  // The text with the edits applied, through clang::tooling::Replacements.
  std::string apply(const std::string& path, const std::string& text) const {
    clang::tooling::Replacements replacements;
    for (const auto& [offset, edit] : edits_) {
      if (llvm::Error error = replacements.add(clang::tooling::Replacement(path, offset, edit.length, edit.text))) {
        throw std::runtime_error("vgen update: overlapping edits of " + path + ": " + llvm::toString(std::move(error)));
      }
    }
    llvm::Expected<std::string> result = clang::tooling::applyAllReplacements(text, replacements);
    if (!result)
      throw std::runtime_error("vgen update: cannot edit " + path + ": " + llvm::toString(result.takeError()));
    return *result;
  }

 private:
  struct Edit {
    unsigned length = 0;
    std::string text;
  };
  std::map<unsigned, Edit> edits_;
};

// Removes `span` of `text` through `edits`, with the blank line that separated it from what is
// above; returns the span's own text, which moves under the removed-handlers section.
std::string cut_with_blank_line_above(const std::string& text, Span span, Edits& edits) {
  std::string cut = text.substr(span.begin, span.end - span.begin);
  if (span.begin > 0) {
    const unsigned above = line_start(text, span.begin - 1);
    if (blank(text, above, span.begin)) span.begin = above;
  }
  edits.remove(span);
  return cut;
}

// A declaration's text on one line, without `override` and the ';': "void on_rx(const Message& message)".
std::string signature(const std::string& text) {
  std::string line;
  bool comment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) comment = true;
    if (text[i] == '\n') comment = false;
    if (comment) continue;
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += text[i];
    }
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == ';')) line.pop_back();
  for (const std::string suffix : {" override", " final"}) {
    if (line.size() > suffix.size() && line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
      line.erase(line.size() - suffix.size());
    }
  }
  return line;
}

std::string file_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Moved texts go into the removed-handlers section at the end of the file, made when missing;
// `separator` goes between what was there and what comes.
void move_to_section(Edits& edits, const std::string& text, const std::string& moved, const std::string& separator) {
  if (moved.empty()) return;
  const std::string end_line = std::string(kRemovedEnd) + "\n";
  const std::size_t existing = text.rfind(end_line);
  if (existing != std::string::npos && (existing == 0 || text[existing - 1] == '\n')) {
    edits.insert(static_cast<unsigned>(existing), separator + moved);
    return;
  }
  std::string section = text.empty() || text.back() == '\n' ? "" : "\n";
  section +=
      "\n// vgen update moved these handlers here, out of the build: the spec no longer has what they\n"
      "// handled. Keep what you need elsewhere, then delete this section.\n";
  section += std::string(kRemovedBegin) + "\n" + moved + end_line;
  edits.insert(static_cast<unsigned>(text.size()), section);
}

}  // namespace

UserHalfUpdate update_user_half(const UserHalf& half, const ParseContext& context) {
  UserHalfUpdate result;
  result.header = half.header;
  result.source = half.source;
  const ClassView fresh = parse(half, context, true, "");
  if (!fresh.found || !fresh.problems.empty()) {
    result.errors.push_back(half.header_path + ": error: vgen's own scaffold for this spec does not parse");
    for (const Problem& problem : fresh.problems) result.errors.push_back(problem.text);
    return result;
  }
  const ClassView user = parse(half, context, false, fresh.name);
  if (!user.found || !user.in_header) {
    for (const Problem& problem : user.problems) {
      if (problem.where == Where::header || problem.where == Where::other) result.errors.push_back(problem.text);
    }
    result.errors.push_back(half.header_path + ":1:1: error: no class '" + fresh.name +
                            "' defined here: vgen update edits the class vgen new-device wrote for this half");
    return result;
  }

  // Handlers whose base method is gone, and signatures that no longer match.
  auto fresh_signature = [&](const std::string& name) {
    for (const Method& method : fresh.methods) {
      if (method.name == name) {
        return " ('" +
               signature(half.fresh_header.substr(method.declaration.begin,
                                                  method.declaration.end - method.declaration.begin)) +
               "')";
      }
    }
    return std::string();
  };
  std::set<std::string> present;
  std::set<std::string> reported;
  std::vector<Span> reported_spans;        // header declarations already reported
  std::vector<Span> reported_definitions;  // and their source definitions
  std::vector<const Method*> removed;
  result.class_name = fresh.name;
  for (const Method& method : user.methods) {
    if (method.overrides && !half.every_handler) present.insert(method.name);
  }
  for (const Method& method : user.methods) {
    if (!method.marked_override || method.overrides) continue;
    if (user.base_virtuals.count(method.name) > 0) {
      result.errors.push_back(method.position + ": error: '" + method.name +
                              "' is marked override, but the base class's '" + method.name +
                              "' has another signature now" + fresh_signature(method.name) +
                              "; vgen update does not change your signatures: give it that one, or rename it");
      reported.insert(method.name);
      reported_spans.push_back(method.declaration);
      if (method.definition) reported_definitions.push_back(*method.definition);
      if (method.header_definition) reported_spans.push_back(*method.header_definition);
    } else {
      removed.push_back(&method);
    }
  }
  auto in_removed = [&](Where place, unsigned offset) {
    return std::any_of(removed.begin(), removed.end(), [&](const Method* method) {
      if (place == Where::header) {
        return method->declaration.contains(offset) ||
               (method->header_definition && method->header_definition->contains(offset));
      }
      return place == Where::source && method->definition && method->definition->contains(offset);
    });
  };
  // clang's errors matter where vgen edits: in the declarations of the user's files. Errors
  // inside function bodies are the build's to report (so are those they cause in templates of
  // other files: the scaffold's parse has shown that the generated files are sound), and those
  // of removed handlers go with them.
  for (const Problem& problem : user.problems) {
    if (problem.where == Where::other && !problem.fatal) continue;
    if (problem.where == Where::header &&
        (inside(user.header_bodies, problem.offset) || inside(reported_spans, problem.offset) ||
         in_removed(Where::header, problem.offset)))
      continue;
    if (problem.where == Where::source &&
        (inside(user.source_bodies, problem.offset) || inside(reported_definitions, problem.offset) ||
         in_removed(Where::source, problem.offset)))
      continue;
    result.errors.push_back(problem.text);
  }
  std::vector<const Method*> added;
  for (const Method& method : fresh.methods) {
    if (!method.overrides || present.count(method.name) > 0) continue;
    if (!method.pure_base && !half.every_handler &&
        std::find(half.new_optional.begin(), half.new_optional.end(), method.name) == half.new_optional.end())
      continue;
    if (std::find_if(added.begin(), added.end(), [&](const Method* other) { return other->name == method.name; }) !=
        added.end())
      continue;
    auto same_name = std::find_if(user.methods.begin(), user.methods.end(),
                                  [&](const Method& mine) { return mine.name == method.name; });
    if (same_name != user.methods.end() && !half.every_handler) {
      if (reported.insert(method.name).second) {
        result.errors.push_back(same_name->position + ": error: '" + method.name +
                                "' does not override the spec's handler of that name" + fresh_signature(method.name) +
                                "; vgen update does not change your signatures: give it the handler's, or rename it");
      }
      continue;
    }
    if (!method.definition && !half.every_handler) {
      result.errors.push_back(half.source_path + ": error: vgen's scaffold has no definition of '" + method.name + "'");
      continue;
    }
    added.push_back(&method);
  }
  if (!result.errors.empty()) return result;

  Edits header_edits;
  Edits source_edits;
  std::string moved_declarations;
  std::string moved_definitions;
  std::string header_definitions;  // after the declarations, each after a blank line
  for (const Method* method : removed) {
    header_edits.remove(method->declaration);
    moved_declarations +=
        half.header.substr(method->declaration.begin, method->declaration.end - method->declaration.begin);
    if (method->header_definition) {
      header_definitions += "\n" + cut_with_blank_line_above(half.header, *method->header_definition, header_edits);
    }
    if (method->definition) {
      moved_definitions += (moved_definitions.empty() ? "" : "\n") +
                           cut_with_blank_line_above(half.source, *method->definition, source_edits);
    }
    result.moved.push_back(method->name);
    result.warnings.push_back(
        method->position + ": warning: handler '" + method->name +
        "' has no message in the spec any more: moved out of the build, to the end of " + file_name(half.header_path) +
        (method->definition ? " and " + file_name(half.source_path) : "") + " under '" + kRemovedBegin + "'");
  }
  move_to_section(header_edits, half.header, moved_declarations + header_definitions, "");
  move_to_section(source_edits, half.source, moved_definitions, "\n");

  if (!added.empty()) {
    auto kept = [&](const Method& method) {
      return std::find(removed.begin(), removed.end(), &method) == removed.end();
    };
    std::optional<unsigned> declaration_anchor;
    for (const Method& method : user.methods) {
      if (method.overrides && kept(method))
        declaration_anchor = std::max(declaration_anchor.value_or(0), method.declaration.end);
    }
    std::string declarations;
    std::string definitions;
    for (const Method* method : added) {
      declarations +=
          half.fresh_header.substr(method->declaration.begin, method->declaration.end - method->declaration.begin);
      if (method->definition) {  // (--all: a handler the scaffold defines in the class has none)
        definitions += "\n" + half.fresh_source.substr(method->definition->begin,
                                                       method->definition->end - method->definition->begin);
      }
      result.added.push_back(method->name);
    }
    result.added_declarations = declarations;
    result.added_definitions = definitions.empty() ? "" : definitions.substr(1);
    if (declaration_anchor) {
      const bool at_line = *declaration_anchor == 0 || half.header[*declaration_anchor - 1] == '\n';
      header_edits.insert(*declaration_anchor, (at_line ? "" : "\n") + declarations);
    } else {
      // No handler yet: a protected section before the class's closing brace.
      const std::size_t brace = half.header.rfind("};");
      const unsigned close = brace == std::string::npos ? static_cast<unsigned>(half.header.size())
                                                        : line_start(half.header, static_cast<unsigned>(brace));
      header_edits.insert(close, "\n protected:\n" + declarations);
    }
    std::optional<unsigned> definition_anchor;
    for (const Span& span : user.source_members) {
      const bool moved = std::any_of(removed.begin(), removed.end(), [&](const Method* method) {
        return method->definition && method->definition->begin == span.begin;
      });
      if (!moved) definition_anchor = std::max(definition_anchor.value_or(0), span.end);
    }
    if (!definition_anchor) {
      const std::size_t closing = half.source.rfind("\n}  // namespace");
      definition_anchor =
          closing == std::string::npos ? static_cast<unsigned>(half.source.size()) : static_cast<unsigned>(closing + 1);
      definitions = definitions.empty() ? "" : definitions.substr(1) + "\n";
    }
    const bool at_line = *definition_anchor == 0 || half.source[*definition_anchor - 1] == '\n';
    source_edits.insert(*definition_anchor, (at_line ? "" : "\n") + definitions);
  }
  if (!header_edits.empty()) result.header = header_edits.apply(half.header_path, half.header);
  if (!source_edits.empty()) result.source = source_edits.apply(half.source_path, half.source);
  return result;
}

}  // namespace vgen::import
