// Reading a known-deviations file.
#include <vgen/conform/deviations.hpp>

#include <yaml-cpp/yaml.h>

#include <vgen/conform/catalogue.hpp>

namespace vgen::conform {
namespace {

[[noreturn]] void problem(const std::filesystem::path& file, const YAML::Mark& mark, const std::string& message) {
  throw CatalogueError(file.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                       ": " + message);
}

}  // namespace

std::map<std::string, std::string> load_deviations(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw CatalogueError(file.string() + ": cannot be read");
  } catch (const YAML::Exception& error) {
    problem(file, error.mark, error.msg);
  }
  if (!root.IsSequence()) throw CatalogueError(file.string() + ":1:1: a deviations file is a list of {check, note}");
  std::map<std::string, std::string> deviations;
  for (const YAML::Node& entry : root) {
    if (!entry.IsMap() || !entry["check"] || !entry["note"] || !entry["check"].IsScalar() || !entry["note"].IsScalar()) {
      problem(file, entry.Mark(), "each deviation needs 'check' and 'note' strings");
    }
    deviations[entry["check"].Scalar()] = entry["note"].Scalar();
  }
  return deviations;
}

}  // namespace vgen::conform
