#include <vgen/store/tree.hpp>

#include <algorithm>

#include <vgen/store/path.hpp>

namespace vgen::store {

Tree::Tree() {
  // The nodes a freshly started XenStore daemon holds, so tools listing "/" see the same.
  put("/", Node{"", default_permissions(), {"tool"}, 0});
  put("/tool", Node{"", default_permissions(), {"xenstored"}, 0});
  put("/tool/xenstored", Node{"", default_permissions(), {}, 0});
}

void Tree::count(const Node& node, long delta) {
  const DomainId owner = node.permissions.front().domain;
  std::size_t& owned = owned_[owner];
  owned = static_cast<std::size_t>(static_cast<long>(owned) + delta);
  if (owned == 0) owned_.erase(owner);
}

void Tree::put(const std::string& path, Node node) {
  node.generation = next_generation_++;
  count(node, +1);
  auto [at, inserted] = nodes_.try_emplace(path);
  if (!inserted) count(at->second, -1);
  at->second = std::move(node);
}

void Tree::erase(const std::string& path) {
  auto at = nodes_.find(path);
  if (at == nodes_.end()) return;
  count(at->second, -1);
  nodes_.erase(at);
}

std::size_t Tree::nodes_owned_by(DomainId domid) const {
  auto at = owned_.find(domid);
  return at == owned_.end() ? 0 : at->second;
}

const Node* Tree::lookup(const std::string& path) const {
  auto at = nodes_.find(path);
  return at == nodes_.end() ? nullptr : &at->second;
}

std::optional<std::uint64_t> Tree::generation(const std::string& path) const {
  const Node* node = lookup(path);
  if (node == nullptr) return std::nullopt;
  return node->generation;
}

std::vector<std::string> Tree::consistency_problems() const {
  std::vector<std::string> problems;
  if (nodes_.count("/") == 0) problems.push_back("the root node '/' is missing");
  std::unordered_map<DomainId, std::size_t> owners;
  for (const auto& [path, node] : nodes_) {
    ++owners[node.permissions.front().domain];
    for (const std::string& child : node.children) {
      if (nodes_.count(child_path(path, child)) == 0) {
        problems.push_back("'" + path + "' lists child '" + child + "', which does not exist");
      }
    }
    if (path == "/") continue;
    const Node* parent = lookup(parent_path(path));
    const auto listed =
        parent == nullptr ? 0 : std::count(parent->children.begin(), parent->children.end(), base_name(path));
    if (listed != 1) {
      problems.push_back("'" + path + "' is listed " + std::to_string(listed) + " times by its parent" +
                         (parent == nullptr ? " (which does not exist)" : ""));
    }
  }
  if (owners != owned_) problems.push_back("the per-owner node counts do not match the nodes");
  return problems;
}

}  // namespace vgen::store
