#include "names/c_library_names.hpp"

#include <algorithm>
#include <iterator>

namespace vgen::gen::detail {
namespace {

struct CMacro {
  std::string_view name;
  std::string_view header;
};

#include "names/c_library_names.inc"

}  // namespace

std::optional<std::string_view> c_macro_header(std::string_view name) {
  const auto* found = std::lower_bound(std::begin(kCMacros), std::end(kCMacros), name,
                                       [](const CMacro& macro, std::string_view key) { return macro.name < key; });
  if (found == std::end(kCMacros) || found->name != name) return std::nullopt;
  return found->header;
}

bool is_c_global_name(std::string_view name) {
  return std::binary_search(std::begin(kCGlobals), std::end(kCGlobals), name);
}

}  // namespace vgen::gen::detail
