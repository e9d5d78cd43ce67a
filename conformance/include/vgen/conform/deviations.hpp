// Known deviations of an implementation nobody here wrote: checks expected to FAIL against it,
// each with a note. The run still prints FAIL for them but records them instead of failing.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace vgen::conform {

/// check id -> note. The file is a YAML list of {check: ID, note: TEXT}. Throws
/// CatalogueError naming the file and line of a malformed entry.
std::map<std::string, std::string> load_deviations(const std::filesystem::path& file);

}  // namespace vgen::conform
