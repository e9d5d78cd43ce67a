// Where the templates are: next to the vgen executable, in the build tree and in the install
// tree alike (<prefix>/bin/vgen reads <prefix>/share/vgen/templates), unless --templates says.
#pragma once

#include <filesystem>
#include <optional>

namespace vgen::gen {

/// The templates folder relative to `executable_dir` ("../share/vgen/templates").
std::filesystem::path default_templates_dir(const std::filesystem::path& executable_dir);

/// The folder of the running executable (from /proc/self/exe).
std::filesystem::path executable_dir();

/// `override_dir` when given, else the default. Throws GenerateError when the folder has
/// no templates (naming the folder and how to point vgen elsewhere).
std::filesystem::path find_templates(const std::optional<std::filesystem::path>& override_dir);

}  // namespace vgen::gen
