// `vgen update`: render, edit the user's halves through the clang module, then write.
#include "vgen/import/project_update.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/render/generator.hpp"
#include "vgen/gen/render/templates_location.hpp"
#include "vgen/import/clang_tools.hpp"

namespace vgen::import {

namespace {

namespace fs = std::filesystem;
using vgen::gen::FileRole;
using vgen::gen::RenderedFile;

std::optional<std::string> read_file(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw vgen::gen::FileError({path.string(), 0, 0}, "cannot read file");
  return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Texts from the module name files by absolute path; shown as the folder was given.
std::string shown(std::string text, const std::string& absolute, const std::string& given) {
  const std::string from = absolute + "/";
  const std::string to = given + "/";
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A project whose build generates the generated files (vgen new-device's CMakeLists.txt).
bool generated_at_build_time(const fs::path& directory) {
  const std::optional<std::string> cmake = read_file(directory / "CMakeLists.txt");
  return cmake && cmake->find("vgen_generate(") != std::string::npos;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// `vgen stubs`' text for one half: where the overrides go, then them.
std::string stub_text(const UserHalfUpdate& updated, const std::string& header, const std::string& source) {
  const std::size_t colons = updated.class_name.rfind("::");
  const std::string shown_class =
      colons == std::string::npos ? updated.class_name : updated.class_name.substr(colons + 2);
  if (updated.added.empty()) return "// " + header + ": class " + shown_class + " overrides every handler\n";
  std::string text = "// " + header + ": in class " + shown_class + " (protected), " +
                     std::to_string(updated.added.size()) + " handler" + (updated.added.size() == 1 ? "" : "s") + ": " +
                     joined(updated.added) + "\n" + updated.added_declarations;
  if (!updated.added_definitions.empty()) text += "\n// " + source + "\n" + updated.added_definitions;
  return text;
}

}  // namespace

std::string runtime_include_dir() {
  const fs::path installed = vgen::gen::executable_dir().parent_path() / "include";
  std::error_code error;
  if (fs::is_directory(installed / "vgen", error)) return installed.string();
  return VGEN_RUNTIME_INCLUDE_DIR;
}

UpdateReport update_project(const vgen::gen::Spec& spec, const UpdateRequest& request) {
  UpdateReport report;
  const std::string given = request.directory.empty() ? "." : request.directory.string();
  const fs::path absolute = fs::absolute(given).lexically_normal();
  std::string absolute_text = absolute.string();
  while (absolute_text.size() > 1 && absolute_text.back() == '/') absolute_text.pop_back();
  const std::vector<RenderedFile> files =
      vgen::gen::render(spec, request.templates, {FileRole::generated, FileRole::user}, request.clang_format);

  ParseContext context;
  for (const RenderedFile& file : files) {
    if (file.role == FileRole::generated) context.files.emplace_back(absolute_text + "/" + file.path, file.content);
  }
  context.include_dirs.push_back(runtime_include_dir());
  context.include_dirs.insert(context.include_dirs.end(), request.include_dirs.begin(), request.include_dirs.end());

  // The user files, a header and a source per half, in template order.
  std::vector<const RenderedFile*> user;
  for (const RenderedFile& file : files) {
    if (file.role == FileRole::user) user.push_back(&file);
  }
  std::vector<RenderedFile> writes;
  std::map<std::string, std::string> notes;  // path -> what changed
  // A virtio device's producers are optional (the base keeps the buffer), and one the user
  // deleted stays deleted; but a device-to-driver queue new in the spec, known by the driver
  // handler just added for it, gets the scaffold's producer, or the demo would wait in vain.
  std::vector<std::string> new_producers;
  for (std::size_t i = 0; i + 1 < user.size(); i += 2) {
    const RenderedFile& header_file = *user[i];
    const RenderedFile& source_file = *user[i + 1];
    const fs::path header_path = absolute / header_file.path;
    const fs::path source_path = absolute / source_file.path;
    std::optional<std::string> header = read_file(header_path);
    std::optional<std::string> source = read_file(source_path);
    const bool every_handler = request.stubs_only && (request.every_handler || (!header && !source));
    if (every_handler) {  // the stubs of every handler: the scaffold's class, all of it missing
      header = header_file.content;
      source = source_file.content;
    }
    if (!header && !source) {
      writes.push_back({header_file.path, FileRole::generated, header_file.content});
      writes.push_back({source_file.path, FileRole::generated, source_file.content});
      notes[header_file.path] = notes[source_file.path] = "new half";
      continue;
    }
    if (!header || !source) {
      report.errors.push_back(given + "/" + (header ? source_file.path : header_file.path) + ": error: missing, but " +
                              given + "/" + (header ? header_file.path : source_file.path) +
                              " exists: vgen update edits a half's header and source together");
      continue;
    }
    UserHalf half{header_path.string(),
                  source_path.string(),
                  *header,
                  *source,
                  header_file.content,
                  source_file.content,
                  i > 0 ? new_producers : std::vector<std::string>{},
                  every_handler};
    UserHalfUpdate updated = clang_tools().update_user_half(half, context);
    if (i == 0 && spec.virtio() != nullptr) {
      using vgen::gen::NamedEntity;
      for (const vgen::gen::Queue& queue : spec.virtio()->queues) {
        if (queue.direction != vgen::gen::Direction::device_to_driver) continue;
        const std::string handler = vgen::gen::derived_identifier(NamedEntity::queue, queue.name, "handler");
        if (std::find(updated.added.begin(), updated.added.end(), handler) != updated.added.end()) {
          new_producers.push_back(vgen::gen::derived_identifier(NamedEntity::queue, queue.name, "producer"));
        }
      }
    }
    for (const std::string& warning : updated.warnings) report.warnings.push_back(shown(warning, absolute_text, given));
    for (const std::string& error : updated.errors) report.errors.push_back(shown(error, absolute_text, given));
    if (!updated.ok()) continue;
    if (request.stubs_only) {
      report.stubs.push_back(stub_text(updated, given + "/" + header_file.path, given + "/" + source_file.path));
      continue;
    }
    std::string note;
    if (!updated.added.empty()) note += "added " + joined(updated.added);
    if (!updated.moved.empty()) note += (note.empty() ? "" : "; ") + std::string("moved ") + joined(updated.moved);
    if (updated.header != *header) {
      writes.push_back({header_file.path, FileRole::generated, updated.header});
      notes[header_file.path] = note;
    }
    if (updated.source != *source) {
      writes.push_back({source_file.path, FileRole::generated, updated.source});
      notes[source_file.path] = note;
    }
    if (updated.header == *header && updated.source == *source) {
      report.lines.push_back("unchanged " + given + "/" + header_file.path);
      report.lines.push_back("unchanged " + given + "/" + source_file.path);
    }
  }
  if (!report.ok() || request.stubs_only) {
    // Nothing is written, so nothing was moved either.
    report.lines.clear();
    report.warnings.clear();
    return report;
  }
  // Everything is known to work: the generated files first, then the user's.
  if (generated_at_build_time(absolute)) {
    report.lines.push_back("generated files: made by the build (CMakeLists.txt calls vgen_generate)");
  } else {
    for (const RenderedFile& file : files) {
      if (file.role != FileRole::generated) continue;
      const vgen::gen::WriteOutcome outcome = vgen::gen::write_file(absolute, file);
      report.lines.push_back(std::string(vgen::gen::write_outcome_name(outcome)) + " " + given + "/" + file.path);
    }
  }
  for (const RenderedFile& file : writes) {
    const vgen::gen::WriteOutcome outcome = vgen::gen::write_file(absolute, file);
    const std::string& note = notes[file.path];
    report.lines.push_back(std::string(vgen::gen::write_outcome_name(outcome)) + " " + given + "/" + file.path +
                           (note.empty() ? "" : " (" + note + ")"));
  }
  return report;
}

}  // namespace vgen::import
