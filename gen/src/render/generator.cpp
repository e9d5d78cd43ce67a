#include "vgen/gen/render/generator.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>

#include "vgen/gen/diagnostics/diagnostics.hpp"
#include "vgen/gen/render/formatter.hpp"
#include "vgen/gen/render/generation_data.hpp"
#include "vgen/gen/render/template_data.hpp"

namespace vgen::gen {
namespace {

namespace fs = std::filesystem;
using kainjow::mustache::data;
using kainjow::mustache::mustache;
using kainjow::mustache::partial;

// The files of one pair, by kind. Virtio and rpmsg name their halves driver and device (for
// rpmsg the driver is the host, virtio driver side, and the device the remote); split pairs
// name them frontend and backend.
std::vector<TemplateFile> pair_files(const std::string& kind, const std::string& first, const std::string& second) {
  const std::string n = "{{name_snake}}";
  std::vector<TemplateFile> files = {
      {"common/messages.hpp.mustache", n + "_messages.hpp", FileRole::generated},
      {kind + "/" + first + "_base.hpp.mustache", n + "_" + first + "_base.hpp", FileRole::generated},
      {kind + "/" + second + "_base.hpp.mustache", n + "_" + second + "_base.hpp", FileRole::generated},
      {kind + "/demo.cpp.mustache", n + "_demo.cpp", FileRole::generated},
      {kind + "/" + first + ".hpp.mustache", n + "_" + first + ".hpp", FileRole::user},
      {kind + "/" + first + ".cpp.mustache", n + "_" + first + ".cpp", FileRole::user},
      {kind + "/" + second + ".hpp.mustache", n + "_" + second + ".hpp", FileRole::user},
      {kind + "/" + second + ".cpp.mustache", n + "_" + second + ".cpp", FileRole::user},
      {"project/CMakeLists.txt.mustache", "CMakeLists.txt", FileRole::project},
      {"project/clang-format.mustache", ".clang-format", FileRole::project},
      {"project/lit.cfg.py.mustache", "tests/lit.cfg.py", FileRole::project},
      {"project/lit.site.cfg.py.in.mustache", "tests/lit.site.cfg.py.in", FileRole::project},
      {kind + "/demo.test.mustache", "tests/demo.test", FileRole::project},
      {kind + "/test.cpp.mustache", "tests/" + n + "_test.cpp", FileRole::project},
  };
  // A virtio pair's tests of each queue, generated (vgen_generate's TESTS executable builds
  // them), so that they follow the spec's queues; the project's own test file stays the user's.
  if (kind == "virtio") {
    files.insert(files.begin() + 4,
                 TemplateFile{kind + "/queues_test.cpp.mustache", n + "_queues_test.cpp", FileRole::generated});
  }
  return files;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(Location{path.string(), 0, 0}, "cannot read template");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr const char* kBlankMarker = "\x01";

// Mustache's standalone rule, applied to the template text: a line holding only a section,
// inverted section, closing, comment, partial or delimiter tag produces no output of its own
// (neither its indentation nor its line break), whether or not the section renders.
std::string strip_standalone(const std::string& text) {
  std::string open = "{{";
  std::string close = "}}";
  std::string result;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool has_break = end != std::string::npos;
    if (!has_break) end = text.size();
    const std::string line = text.substr(start, end - start);
    const std::size_t first = line.find_first_not_of(" \t");
    const std::size_t last = line.find_last_not_of(" \t\r");
    bool standalone = false;
    if (first != std::string::npos && line.compare(first, open.size(), open) == 0 && last + 1 >= close.size() &&
        line.compare(last + 1 - close.size(), close.size(), close) == 0 && first + open.size() < line.size()) {
      const std::string tag = line.substr(first, last + 1 - first);
      const char sigil = line[first + open.size()];
      const bool single = tag.find(open, open.size()) == std::string::npos;
      standalone = single && std::string("#^/!>=").find(sigil) != std::string::npos;
      if (standalone && sigil == '=') {
        // {{=<% %>=}}: the new delimiters, separated by a space.
        const std::string inner = tag.substr(open.size() + 1, tag.size() - open.size() - close.size() - 2);
        const std::size_t space = inner.find(' ');
        open = inner.substr(0, space);
        close = inner.substr(inner.find_first_not_of(' ', space));
      }
      if (standalone) result += tag;
    }
    // A blank line gets a marker (removed after rendering) so that the mustache engine never
    // mistakes a tag joined to it for a standalone one.
    if (!standalone) result += (first == std::string::npos ? kBlankMarker : "") + line + (has_break ? "\n" : "");
    start = end + 1;
  }
  return result;
}

// Every templates/partials/NAME.mustache, as the partial {{>NAME}}.
void add_partials(data& root, const fs::path& templates) {
  const fs::path folder = templates / "partials";
  if (!fs::is_directory(folder)) return;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".mustache") continue;
    auto text = std::make_shared<std::string>(strip_standalone(read_text(entry.path())));
    root.set(entry.path().stem().string(), partial([text] { return *text; }));
  }
}

std::string render_text(const std::string& text, const data& root, const std::string& origin) {
  mustache view(strip_standalone(text));
  view.set_custom_escape([](const std::string& value) { return value; });  // C++, not HTML
  if (!view.is_valid()) throw GenerateError(Location{origin, 0, 0}, "bad template: " + view.error_message());
  std::string result = view.render(root);
  if (!view.is_valid()) throw GenerateError(Location{origin, 0, 0}, "cannot render: " + view.error_message());
  std::erase(result, kBlankMarker[0]);
  return result;
}

bool is_cpp(const std::string& path) {
  const std::string extension = fs::path(path).extension().string();
  return extension == ".hpp" || extension == ".cpp";
}

bool wanted(FileRole role, const std::vector<FileRole>& roles) {
  for (FileRole candidate : roles) {
    if (candidate == role) return true;
  }
  return false;
}

}  // namespace

const char* file_role_name(FileRole role) {
  switch (role) {
    case FileRole::generated:
      return "generated";
    case FileRole::user:
      return "user";
    case FileRole::project:
      return "project";
  }
  return "generated";
}

GenerateError::GenerateError(Location location, const std::string& message)
    : vgen::Error(message), location_(std::move(location)) {}

std::string GenerateError::diagnostic() const {
  if (location_.file.empty()) return std::string("vgen: error: ") + what();
  return Diagnostic{location_, what()}.to_string();
}

std::vector<TemplateFile> template_files(const Spec& spec) {
  switch (spec.kind()) {
    case SpecKind::virtio:
      return pair_files("virtio", "driver", "device");
    case SpecKind::rpmsg:
      return pair_files("rpmsg", "driver", "device");
    case SpecKind::split:
      break;
  }
  return pair_files("split", "frontend", "backend");
}

std::vector<RenderedFile> render(const Spec& spec, const fs::path& templates, const std::vector<FileRole>& roles,
                                 const std::optional<std::string>& clang_format) {
  const std::vector<TemplateFile> files = template_files(spec);
  data root = generation_data(spec);
  add_partials(root, templates);
  std::vector<RenderedFile> rendered;
  for (const TemplateFile& file : files) {
    if (!wanted(file.role, roles)) continue;
    const fs::path source = templates / file.template_name;
    const std::string path = render_text(file.output_pattern, root, source.string());
    std::string content = render_text(read_text(source), root, source.string());
    if (clang_format && is_cpp(path))
      content = format_source(*clang_format, content, path, templates / ".clang-format");
    rendered.push_back({path, file.role, std::move(content)});
  }
  return rendered;
}

std::vector<std::string> output_paths(const Spec& spec, const std::vector<FileRole>& roles) {
  const data root = template_data(spec);
  std::vector<std::string> paths;
  for (const TemplateFile& file : template_files(spec)) {
    if (wanted(file.role, roles)) paths.push_back(render_text(file.output_pattern, root, file.template_name));
  }
  return paths;
}

const char* write_outcome_name(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::created:
      return "created";
    case WriteOutcome::updated:
      return "updated";
    case WriteOutcome::unchanged:
      return "unchanged";
    case WriteOutcome::kept:
      return "kept (user-owned)";
  }
  return "created";
}

WriteOutcome write_file(const fs::path& directory, const RenderedFile& file) {
  const fs::path path = directory / file.path;
  const bool exists = fs::exists(path);
  if (exists && file.role != FileRole::generated) return WriteOutcome::kept;
  if (exists) {
    std::ifstream in(path, std::ios::binary);
    const std::string current{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (current == file.content) return WriteOutcome::unchanged;  // keep the timestamp: no rebuild
  }
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) throw FileError(Location{path.parent_path().string(), 0, 0}, "cannot create folder: " + error.message());
  // Write beside the file and rename, so that a reader never sees half a file.
  const fs::path temporary = path.string() + ".vgen-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << file.content;
    if (!out.flush()) throw FileError(Location{temporary.string(), 0, 0}, "cannot write file");
  }
  fs::rename(temporary, path, error);
  if (error) throw FileError(Location{path.string(), 0, 0}, "cannot write file: " + error.message());
  return exists ? WriteOutcome::updated : WriteOutcome::created;
}

}  // namespace vgen::gen
