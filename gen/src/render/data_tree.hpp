// What the two data trees templates render from (template_data.cpp and generation_data.cpp)
// are built of: names in every case, and lists whose items know their place.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <vector>

namespace vgen::gen::detail {

/// `key`, `key_snake`, `key_pascal` and `key_upper` for a name.
void set_name(kainjow::mustache::data& node, const std::string& key, const std::string& name);

/// A list whose items know whether they are the first or the last (for separators), and
/// their index.
kainjow::mustache::data make_list(std::vector<kainjow::mustache::data> items);

/// `make(item)` for each of `items` for which `keep(item)` holds, as a list (make_list).
template <class Item, class Make, class Keep>
kainjow::mustache::data list_of(const std::vector<Item>& items, Make make, Keep keep) {
  std::vector<kainjow::mustache::data> result;
  for (const Item& item : items) {
    if (keep(item)) result.push_back(make(item));
  }
  return make_list(std::move(result));
}

/// `make(item)` for each of `items`, as a list (make_list).
template <class Item, class Make>
kainjow::mustache::data list_of(const std::vector<Item>& items, Make make) {
  return list_of(items, make, [](const Item&) { return true; });
}

}  // namespace vgen::gen::detail
