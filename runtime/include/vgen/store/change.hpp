// The record an operation leaves for the watch machinery: which path changed, who could
// read it, and for a removal which watched descendants went with it.
#pragma once

#include <string>
#include <vector>

#include <vgen/store/permissions.hpp>

namespace vgen::store {

/// A node removed as part of a subtree removal.
struct RemovedNode {
  std::string path;                ///< absolute path of the removed descendant
  Permissions permissions;         ///< its permissions before removal
  Permissions parent_permissions;  ///< its parent's then, which a watcher may also read through
};

/// One modification that fires watches. Who may see it (the C daemon's rule): a watcher
/// that can read the node through any of `readable_by`, else through the node's parent
/// (for a removed descendant, through its recorded parent). A transaction's changes fire at
/// its commit (`committed`), judged as the C daemon judges them: `readable_by` then holds
/// the node's permissions when the transaction first touched it (none if it was absent),
/// and the node as committed counts; a node absent after the commit is seen only through
/// `readable_by`, so one created and removed in the transaction is seen by nobody.
struct Change {
  std::string path;                      ///< absolute path written/removed, or a special path
  std::vector<Permissions> readable_by;  ///< a watcher may see the event if any of these lets it read
  std::vector<RemovedNode> removed;      ///< descendants removed with `path`, children first
  bool committed = false;                ///< fired at a transaction's commit
  bool exact = false;                    ///< fires only watches exactly on `path` (a removed descendant)
};

}  // namespace vgen::store
