// Reading a known-deviations file.
#include <vgen/conform/deviations.hpp>

#include <yaml-cpp/yaml.h>

#include <vgen/conform/catalogue.hpp>

#include "yaml_file.hpp"

namespace vgen::conform {

std::map<std::string, std::string> load_deviations(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml(file);
  if (!root.IsSequence()) throw CatalogueError(file.string() + ":1:1: a deviations file is a list of {check, note}");
  std::map<std::string, std::string> deviations;
  for (const YAML::Node& entry : root) {
    if (!entry.IsMap() || !entry["check"] || !entry["note"] || !entry["check"].IsScalar() ||
        !entry["note"].IsScalar()) {
      problem(file, entry.Mark(), "each deviation needs 'check' and 'note' strings");
    }
    deviations[entry["check"].Scalar()] = entry["note"].Scalar();
  }
  return deviations;
}

}  // namespace vgen::conform
