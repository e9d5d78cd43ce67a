// The node operations (READ, DIRECTORY, GET_PERMS, WRITE, MKDIR, RM, SET_PERMS) with their
// permission and quota rules, over any NodeView: the committed tree or a transaction's view.
// Paths given here are already resolved (absolute, validated).
//
// Rules (those of the C XenStore daemon):
//   - reading, listing or getting permissions needs read access to the node;
//   - writing an existing node needs write access to it; creating one needs write access to
//     its nearest existing ancestor; missing ancestors are created with empty values; new
//     nodes inherit the ancestor's permissions, except that a node an unprivileged domain
//     creates is owned by that domain;
//   - a missing node reports ENOENT only if the caller could have accessed its nearest
//     existing ancestor the same way, else EACCES (no probing for hidden nodes); a denied
//     access to an existing node also consults that ancestor, so that in a transaction both
//     join the conflict set exactly as in the C daemon;
//   - MKDIR of an existing node changes nothing (and fires no watch);
//   - RM removes the whole subtree and needs write access to the node; a missing node whose
//     parent exists is fine; a missing parent is ENOENT; "/" is EINVAL;
//   - SET_PERMS needs ownership (or domain 0); an unprivileged owner may not give the node
//     away (EPERM).
//
// A transaction's view may contradict itself (transaction.hpp: nodes copied at different
// moments). The operations never assume a parent and its children agree; where they find a
// contradiction they mark the view inconsistent (commit then fails with EAGAIN) and answer
// as the C daemon does:
//   - RM whose parent is absent from the view: EINVAL, nothing removed;
//   - RM of a subtree in which a listed child is absent: EIO; the children handled before
//     the absent one are already removed from the view, as the C daemon's walk leaves them;
//   - RM of a node its parent does not list: the subtree is removed, then EIO;
//   - creating a node its parent already lists: it is created and listed once more (OK).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <vgen/store/change.hpp>
#include <vgen/store/error.hpp>
#include <vgen/store/node.hpp>
#include <vgen/store/permissions.hpp>
#include <vgen/store/quota.hpp>

namespace vgen::store {

/// A directory listing: child names in creation order and the node's generation (the
/// "gencount" DIRECTORY_PART reports so a client can notice a change between parts).
struct Listing {
  std::vector<std::string> children;  ///< names, not paths
  std::uint64_t generation = 0;       ///< generation of the listed node
};

/// Applies operations of one requester to one view; modifications are appended to `changes`.
class Editor {
 public:
  Editor(NodeView& view, const Requester& who, const Quotas& quotas, std::vector<Change>& changes)
      : view_(view), who_(who), quotas_(quotas), changes_(changes) {}

  /// The node's value.
  std::string read(const std::string& path);
  /// The node's children.
  Listing directory(const std::string& path);
  /// The node's permission list.
  Permissions get_permissions(const std::string& path);
  /// Sets the value, creating the node and missing ancestors as needed.
  void write(const std::string& path, std::string_view value);
  /// Creates the node (empty value) unless it exists.
  void mkdir(const std::string& path);
  /// Removes the node and its subtree.
  void remove(const std::string& path);
  /// Replaces the node's permission list.
  void set_permissions(const std::string& path, const Permissions& permissions);

 private:
  const Node& require(const std::string& path, Access wanted);
  std::pair<std::string, const Node*> nearest_ancestor(const std::string& path);
  [[noreturn]] void missing(const std::string& path, Access wanted);
  [[noreturn]] void denied(const std::string& path, const std::string& why);
  void create(const std::string& path, std::string_view value);
  void check_entry_size(const std::string& path, const Node& node) const;
  std::string existing_ancestor(const std::string& path, std::vector<std::string>& missing);
  bool remove_missing(const std::string& path);
  std::optional<std::string> remove_below(const std::string& path, std::vector<RemovedNode>& removed);
  [[noreturn]] void inconsistent(ErrorCode code, const std::string& why);

  NodeView& view_;
  const Requester& who_;
  const Quotas& quotas_;
  std::vector<Change>& changes_;
};

}  // namespace vgen::store
