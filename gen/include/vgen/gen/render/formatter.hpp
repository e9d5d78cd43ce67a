// Formats generated C++ with clang-format, so the output is clean whatever the lengths of the
// names the spec chose. The style is the templates folder's .clang-format.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vgen::gen {

/// The clang-format executable vgen uses: clang-format-14 from PATH, else clang-format;
/// nothing when neither is installed.
std::optional<std::string> find_clang_format();

/// `source` formatted as the file `name` (its extension picks the language) with the style
/// in `style_file`. Throws vgen::Error if clang-format fails.
std::string format_source(const std::string& clang_format, const std::string& source, const std::string& name,
                          const std::filesystem::path& style_file);

}  // namespace vgen::gen
