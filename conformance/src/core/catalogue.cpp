// Reading the requirements catalogue with yaml-cpp; every problem names file and line.
#include <vgen/conform/catalogue.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include <yaml-cpp/yaml.h>

#include "yaml_file.hpp"

namespace vgen::conform {
namespace {

const std::set<std::string> kLevels = {"MUST", "MUST NOT", "implied"};
const std::set<std::string> kSides = {"driver", "device", "frontend", "backend", "host", "remote", "daemon", "client"};
const std::set<std::string> kRequirementKeys = {"id",   "section",    "level",  "binds",
                                                "text", "observable", "reason", "checks"};

std::string scalar(const std::filesystem::path& file, const YAML::Node& parent, const char* key, bool required = true) {
  const YAML::Node node = parent[key];
  if (!node) {
    if (required) problem(file, parent.Mark(), std::string("missing '") + key + "'");
    return {};
  }
  if (!node.IsScalar()) problem(file, node.Mark(), std::string("'") + key + "' must be a string");
  return node.Scalar();
}

std::vector<std::string> string_list(const std::filesystem::path& file, const YAML::Node& node, const char* key) {
  std::vector<std::string> out;
  if (!node) return out;
  if (!node.IsSequence()) problem(file, node.Mark(), std::string("'") + key + "' must be a list of strings");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) problem(file, item.Mark(), std::string("'") + key + "' must be a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

void check_keys(const std::filesystem::path& file, const YAML::Node& entry) {
  for (const auto& pair : entry) {
    const std::string key = pair.first.Scalar();
    if (kRequirementKeys.count(key) == 0) problem(file, pair.first.Mark(), "unknown key '" + key + "'");
  }
}

bool observable_flag(const std::filesystem::path& file, const YAML::Node& entry) {
  const YAML::Node node = entry["observable"];
  if (!node) return true;
  if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
    problem(file, node.Mark(), "'observable' must be true or false");
  }
  return node.Scalar() == "true";
}

Requirement read_requirement(const std::filesystem::path& file, const YAML::Node& entry) {
  if (!entry.IsMap()) problem(file, entry.Mark(), "a requirement must be a mapping");
  check_keys(file, entry);
  Requirement r;
  r.id = scalar(file, entry, "id");
  r.section = scalar(file, entry, "section");
  r.level = scalar(file, entry, "level");
  r.binds = scalar(file, entry, "binds");
  r.text = scalar(file, entry, "text");
  r.observable = observable_flag(file, entry);
  r.reason = scalar(file, entry, "reason", false);
  r.checks = string_list(file, entry["checks"], "checks");
  r.file = file.filename().string();
  r.line = entry.Mark().line + 1;
  if (kLevels.count(r.level) == 0)
    problem(file, entry["level"].Mark(), "level '" + r.level + "' is not MUST, MUST NOT or implied");
  if (kSides.count(r.binds) == 0) problem(file, entry["binds"].Mark(), "binds '" + r.binds + "' is not a known side");
  return r;
}

}  // namespace

Catalogue load_catalogue(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml(file);
  if (!root.IsMap()) throw CatalogueError(file.string() + ":1:1: a catalogue must be a mapping");
  Catalogue catalogue;
  catalogue.protocol = scalar(file, root, "protocol");
  catalogue.title = scalar(file, root, "title");
  catalogue.sources = string_list(file, root["sources"], "sources");
  const YAML::Node list = root["requirements"];
  if (!list || !list.IsSequence()) problem(file, root.Mark(), "'requirements' must be a list");
  for (const YAML::Node& entry : list) catalogue.requirements.push_back(read_requirement(file, entry));
  return catalogue;
}

std::vector<Catalogue> load_catalogues(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (error) throw CatalogueError(directory.string() + ": " + error.message());
  if (files.empty()) throw CatalogueError(directory.string() + ": no *.yaml catalogue");
  std::sort(files.begin(), files.end());
  std::vector<Catalogue> catalogues;
  for (const auto& file : files) catalogues.push_back(load_catalogue(file));
  return catalogues;
}

std::filesystem::path default_catalogue_directory() {
  if (const char* env = std::getenv("VGEN_CONFORM_CATALOGUE"); env != nullptr && *env != '\0') return env;
  const std::filesystem::path source = VGEN_CONFORM_SOURCE_CATALOGUE;
  if (std::filesystem::is_directory(source)) return source;
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return self.parent_path().parent_path() / "share" / "vgen" / "conformance";
}

}  // namespace vgen::conform
