#include <vgen/store/tree.hpp>

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

}  // namespace vgen::store
