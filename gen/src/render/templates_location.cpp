#include "vgen/gen/render/templates_location.hpp"

#include "vgen/gen/render/generator.hpp"

namespace vgen::gen {

namespace fs = std::filesystem;

fs::path default_templates_dir(const fs::path& executable_dir) {
  return (executable_dir / ".." / "share" / "vgen" / "templates").lexically_normal();
}

fs::path executable_dir() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::current_path() : self.parent_path();
}

fs::path find_templates(const std::optional<fs::path>& override_dir) {
  const fs::path folder = override_dir ? *override_dir : default_templates_dir(executable_dir());
  if (!fs::is_regular_file(folder / "common" / "messages.hpp.mustache")) {
    throw FileError(Location{folder.string(), 0, 0},
                    "no vgen templates in this folder (looked for common/messages.hpp.mustache); "
                    "pass --templates DIR to use another one");
  }
  return folder;
}

}  // namespace vgen::gen
