// One node of the store's tree and the interface through which operations see the tree
// (the committed tree itself, or a transaction's private view of it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <vgen/store/domain.hpp>
#include <vgen/store/permissions.hpp>

namespace vgen::store {

/// Largest value a node may hold (xs_wire.h XENSTORE_PAYLOAD_MAX); values may contain NULs.
inline constexpr std::size_t kMaxValueSize = 4096;

/// A node: its value, permissions and the names of its children.
struct Node {
  std::string value;                  ///< arbitrary bytes, at most kMaxValueSize
  Permissions permissions;            ///< entry 0 is the owner; never empty
  std::vector<std::string> children;  ///< child names in creation order (what DIRECTORY lists)
  std::uint64_t generation = 0;       ///< changes whenever the node is rewritten
};

/// Read/write access to a set of nodes keyed by absolute path. Implementations keep a count
/// of nodes per owner for the node quota.
class NodeView {
 public:
  virtual ~NodeView() = default;
  /// The node at `path`, or nullptr. The pointer is valid until the next put()/erase().
  virtual const Node* find(const std::string& path) = 0;
  /// Inserts or replaces the node at `path` (the caller keeps parents' child lists right).
  virtual void put(const std::string& path, Node node) = 0;
  /// Removes the node at `path` if present (children are the caller's business).
  virtual void erase(const std::string& path) = 0;
  /// How many nodes `domid` owns in this view.
  virtual std::size_t nodes_owned_by(DomainId domid) const = 0;
  /// Records that the view contradicts itself: a parent's child list disagrees with the
  /// presence of a child (`why` says where). Only a transaction's view can, because it copies
  /// each node when first touched, so a node and its parent may come from different moments;
  /// such a transaction can no longer commit (EAGAIN).
  virtual void mark_inconsistent(const std::string& why) = 0;
};

}  // namespace vgen::store
