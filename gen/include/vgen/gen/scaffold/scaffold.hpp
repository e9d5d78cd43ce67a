// `vgen new-device`: a new project folder holding a default spec of the chosen kind, the
// generated pair, a user-owned source file per half, its CMakeLists.txt, demo and lit suite.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vgen/gen/render/generator.hpp"

namespace vgen::gen {

/// What new-device wrote.
struct ScaffoldResult {
  std::filesystem::path directory;  ///< the project folder
  std::filesystem::path spec;       ///< the spec inside it
  std::vector<RenderedFile> files;  ///< every file written besides the spec
};

/// Creates the project for device `name` of `kind` ("virtio", "split" or "rpmsg") in
/// `directory`, with templates from `templates`, C++ formatted by `clang_format` when given
/// (see formatter.hpp). Refuses (GenerateError, nothing written)
/// a bad name, an unknown or unsupported kind, or a folder that exists and is not empty.
ScaffoldResult scaffold(const std::string& name, const std::string& kind, const std::filesystem::path& directory,
                        const std::filesystem::path& templates, const std::optional<std::string>& clang_format);

}  // namespace vgen::gen
