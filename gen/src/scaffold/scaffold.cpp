#include "vgen/gen/scaffold/scaffold.hpp"

#include <fstream>
#include <iterator>
#include <kainjow/mustache.hpp>

#include "vgen/gen/diagnostics/error.hpp"
#include "vgen/gen/load/loader.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen {
namespace {

namespace fs = std::filesystem;
using kainjow::mustache::data;

void check_request(const std::string& name, const std::string& kind, const fs::path& directory) {
  if (const auto problem = spec_name_problem(name)) {
    throw GenerateError(Location{}, "device name '" + name + "' is not usable: " + *problem);
  }
  if (kind != "virtio" && kind != "split" && kind != "rpmsg") {
    throw GenerateError(Location{}, "unknown kind '" + kind + "' (kinds: virtio, split, rpmsg)");
  }
  std::error_code error;
  if (fs::exists(directory, error) && !(fs::is_directory(directory) && fs::is_empty(directory))) {
    throw FileError(Location{directory.string(), 0, 0},
                    "folder exists and is not empty; new-device never overwrites files (choose another "
                    "--dir, or remove the folder)");
  }
}

std::string default_spec(const std::string& name, const std::string& kind, const fs::path& templates) {
  const fs::path source = templates / kind / "spec.yaml.mustache";
  std::ifstream in(source, std::ios::binary);
  if (!in) throw FileError(Location{source.string(), 0, 0}, "cannot read template");
  kainjow::mustache::mustache view(std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
  view.set_custom_escape([](const std::string& value) { return value; });
  data root;
  root.set("name", name);
  root.set("name_snake", to_snake_case(name));
  root.set("name_pascal", to_pascal_case(name));
  root.set("name_upper", to_upper_case(name));
  return view.render(root);
}

}  // namespace

ScaffoldResult scaffold(const std::string& name, const std::string& kind, const fs::path& directory,
                        const fs::path& templates, const std::optional<std::string>& clang_format) {
  check_request(name, kind, directory);
  ScaffoldResult result;
  result.directory = directory;
  const RenderedFile spec_file{name + ".yaml", FileRole::project, default_spec(name, kind, templates)};
  result.spec = directory / spec_file.path;
  // The default spec is checked before anything is written: a broken template must not leave
  // a half-made project behind.
  const LoadResult loaded = load_text(spec_file.content, result.spec.string());
  if (!loaded.ok()) throw SpecError(loaded.diagnostics.sorted());
  const Spec& spec = std::get<Spec>(*loaded.document);
  result.files = render(spec, templates, {FileRole::user, FileRole::project}, clang_format);
  write_file(directory, spec_file);
  for (const RenderedFile& file : result.files) write_file(directory, file);
  return result;
}

}  // namespace vgen::gen
