#include <vgen/store/transaction.hpp>

#include <vgen/store/error.hpp>

namespace vgen::store {

TransactionView::TransactionView(Tree& tree, std::size_t max_nodes) : tree_(tree), max_nodes_(max_nodes) {}

TransactionView::Entry& TransactionView::touch(const std::string& path) {
  auto at = entries_.find(path);
  if (at != entries_.end()) return at->second;
  if (max_nodes_ != 0 && entries_.size() >= max_nodes_) {
    throw Error(ErrorCode::NoSpace, "transaction touches more than " + std::to_string(max_nodes_) +
                                        " nodes (quota nodes-per-transaction) at '" + path + "'");
  }
  Entry entry;
  if (const Node* node = tree_.lookup(path)) {
    entry.node = *node;
    entry.base = node->generation;
    entry.original = node->permissions;
  }
  order_.push_back(path);
  return entries_.emplace(path, std::move(entry)).first->second;
}

void TransactionView::count(const std::optional<Node>& node, long delta) {
  if (node) owned_delta_[node->permissions.front().domain] += delta;
}

const Node* TransactionView::find(const std::string& path) {
  Entry& entry = touch(path);
  return entry.node ? &*entry.node : nullptr;
}

void TransactionView::put(const std::string& path, Node node) {
  Entry& entry = touch(path);
  // Generations inside a transaction only need to change when the node does (DIRECTORY_PART
  // compares them); the tree assigns real ones at commit.
  node.generation = entry.node ? entry.node->generation + 1 : 1;
  count(entry.node, -1);
  entry.node = std::move(node);
  count(entry.node, +1);
  entry.dirty = true;
}

void TransactionView::erase(const std::string& path) {
  Entry& entry = touch(path);
  count(entry.node, -1);
  entry.node.reset();
  entry.dirty = true;
}

std::size_t TransactionView::nodes_owned_by(DomainId domid) const {
  long total = static_cast<long>(tree_.nodes_owned_by(domid));
  auto at = owned_delta_.find(domid);
  if (at != owned_delta_.end()) total += at->second;
  return total < 0 ? 0 : static_cast<std::size_t>(total);
}

std::optional<Permissions> TransactionView::original_permissions(const std::string& path) const {
  auto at = entries_.find(path);
  return at == entries_.end() ? std::nullopt : at->second.original;
}

void TransactionView::mark_inconsistent(const std::string& why) {
  if (inconsistency_.empty()) inconsistency_ = why;
}

void TransactionView::validate() const {
  if (inconsistent()) {
    throw Error(ErrorCode::Again, "transaction conflict: its view of the tree mixes moments (" + inconsistency_ + ")");
  }
  for (const std::string& path : order_) {
    const Entry& entry = entries_.at(path);
    if (tree_.generation(path) != entry.base) {
      throw Error(ErrorCode::Again,
                  "transaction conflict: node '" + path + "' changed since the transaction first accessed it");
    }
  }
}

void TransactionView::apply() {
  for (const std::string& path : order_) {
    Entry& entry = entries_.at(path);
    if (!entry.dirty) continue;
    if (entry.node) {
      tree_.put(path, *entry.node);
    } else {
      tree_.erase(path);
    }
  }
}

}  // namespace vgen::store
