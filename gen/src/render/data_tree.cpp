#include "render/data_tree.hpp"

#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {

void set_name(kainjow::mustache::data& node, const std::string& key, const std::string& name) {
  node.set(key, name);
  node.set(key + "_snake", to_snake_case(name));
  node.set(key + "_pascal", to_pascal_case(name));
  node.set(key + "_upper", to_upper_case(name));
}

kainjow::mustache::data make_list(std::vector<kainjow::mustache::data> items) {
  kainjow::mustache::list result;
  for (std::size_t index = 0; index < items.size(); ++index) {
    items[index].set("first", index == 0);
    items[index].set("last", index + 1 == items.size());
    items[index].set("index", std::to_string(index));
    result.push_back(std::move(items[index]));
  }
  return kainjow::mustache::data(result);
}

}  // namespace vgen::gen::detail
