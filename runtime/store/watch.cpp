#include <vgen/store/watch.hpp>

#include <vgen/store/path.hpp>

namespace vgen::store {

bool Watch::covers(std::string_view changed) const noexcept {
  if (is_special_path(path) || is_special_path(changed)) return path == changed;
  return is_at_or_below(changed, path);
}

WatchEvent Watch::event_for(std::string_view changed) const {
  std::string_view shown = changed;
  if (!home.empty() && changed.substr(0, home.size()) == home) shown.remove_prefix(home.size());
  return WatchEvent{std::string(shown), token};
}

}  // namespace vgen::store
