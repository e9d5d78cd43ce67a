// The record an operation leaves for the watch machinery: which path changed, who could
// read it, and for a removal which watched descendants went with it.
#pragma once

#include <string>
#include <vector>

#include <vgen/store/permissions.hpp>

namespace vgen::store {

/// A node removed as part of a subtree removal.
struct RemovedNode {
  std::string path;         ///< absolute path of the removed descendant
  Permissions permissions;  ///< its permissions before removal
};

/// One modification that fires watches.
struct Change {
  std::string path;                      ///< absolute path written/removed, or a special path
  std::vector<Permissions> readable_by;  ///< a watcher may see the event if any of these lets it read
  std::vector<RemovedNode> removed;      ///< descendants removed with `path`, children first
};

}  // namespace vgen::store
