// Reading the harness's YAML files (the catalogues, the deviations files): loading one, and
// failing with a CatalogueError that names the file, the line and the column.
#pragma once

#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include <vgen/conform/catalogue.hpp>

namespace vgen::conform {

/// Throws CatalogueError("<file>:<line>:<column>: <message>").
[[noreturn]] inline void problem(const std::filesystem::path& file, const YAML::Mark& mark,
                                 const std::string& message) {
  throw CatalogueError(file.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                       ": " + message);
}

/// The YAML document in `file`; CatalogueError when it cannot be read or does not parse.
inline YAML::Node load_yaml(const std::filesystem::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw CatalogueError(file.string() + ": cannot be read");
  } catch (const YAML::Exception& error) {
    problem(file, error.mark, error.msg);
  }
}

}  // namespace vgen::conform
