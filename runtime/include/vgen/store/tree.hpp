// The committed tree: every node by absolute path, a global generation counter and the
// per-owner node counts the quota uses. It starts with the nodes a fresh XenStore daemon
// has: "/", "/tool" and "/tool/xenstored", all empty and owned by domain 0 ("n0").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <vgen/store/node.hpp>

namespace vgen::store {

/// The committed state of the store.
class Tree final : public NodeView {
 public:
  Tree();

  /// The node at `path`, or nullptr.
  const Node* find(const std::string& path) override { return lookup(path); }
  /// Stores `node` with a fresh generation number.
  void put(const std::string& path, Node node) override;
  /// Removes the node at `path` (not its children).
  void erase(const std::string& path) override;
  /// Committed nodes owned by `domid`.
  std::size_t nodes_owned_by(DomainId domid) const override;
  /// The committed tree is consistent by construction (operations check before changing
  /// it), so there is nothing to remember: the failing operation reports the problem.
  void mark_inconsistent(const std::string&) override {}

  /// Const lookup; nullptr if absent.
  const Node* lookup(const std::string& path) const;
  /// The generation of the node at `path`, or nullopt if there is none.
  std::optional<std::uint64_t> generation(const std::string& path) const;
  /// Number of nodes, the root included.
  std::size_t size() const noexcept { return nodes_.size(); }
  /// Every broken invariant, one sentence each (empty when the tree is sound): the root
  /// exists; every node but the root has a parent listing it exactly once; every listed
  /// child exists; the per-owner counts match the nodes. O(nodes); for tests and fuzzers.
  std::vector<std::string> consistency_problems() const;

 private:
  void count(const Node& node, long delta);

  std::unordered_map<std::string, Node> nodes_;
  std::unordered_map<DomainId, std::size_t> owned_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace vgen::store
