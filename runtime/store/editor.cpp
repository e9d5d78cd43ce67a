#include <vgen/store/editor.hpp>

#include <algorithm>

#include <vgen/store/error.hpp>
#include <vgen/store/path.hpp>

namespace vgen::store {
namespace {

const char* access_name(Access access) {
  switch (access) {
    case Access::Read:
      return "read";
    case Access::Write:
      return "write";
    case Access::Both:
      return "read/write";
    case Access::None:
      break;
  }
  return "no";
}

std::size_t entry_size(const Node& node) {
  std::size_t size = node.value.size();
  for (const std::string& child : node.children) size += child.size() + 1;
  return size;
}

std::string who_text(const Requester& who) { return "domain " + std::to_string(who.domain); }

}  // namespace

std::pair<std::string, const Node*> Editor::nearest_ancestor(const std::string& path) {
  std::string ancestor = path;
  const Node* found = nullptr;
  while (found == nullptr && ancestor != "/") {
    ancestor = parent_path(ancestor);
    found = view_.find(ancestor);
  }
  return {ancestor, found};
}

[[noreturn]] void Editor::missing(const std::string& path, Access wanted) {
  // Report ENOENT only to a caller that could have accessed the nearest existing ancestor;
  // anyone else learns nothing about what exists below it.
  const auto [ancestor, found] = nearest_ancestor(path);
  if (found != nullptr && !allows(access_for(who_, found->permissions), wanted)) {
    throw Error(ErrorCode::Access, who_text(who_) + " has no " + access_name(wanted) + " access to '" + ancestor +
                                       "' (nearest existing ancestor of '" + path + "')");
  }
  throw Error(ErrorCode::NotFound, "no node '" + path + "'");
}

[[noreturn]] void Editor::denied(const std::string& path, const std::string& why) {
  // The answer is EACCES whatever the ancestors allow, but the C daemon consults them, so in
  // a transaction they join its conflict set: a later change to them makes the commit EAGAIN.
  nearest_ancestor(path);
  throw Error(ErrorCode::Access, why);
}

const Node& Editor::require(const std::string& path, Access wanted) {
  const Node* node = view_.find(path);
  if (node == nullptr) missing(path, wanted);
  if (!allows(access_for(who_, node->permissions), wanted)) {
    denied(path, who_text(who_) + " has no " + access_name(wanted) + " access to '" + path + "'");
  }
  return *node;
}

void Editor::check_entry_size(const std::string& path, const Node& node) const {
  if (who_.privileged()) return;
  const std::size_t size = entry_size(node);
  if (size > quotas_.entry_size) {
    throw Error(ErrorCode::NoSpace, "node '" + path + "' would hold " + std::to_string(size) +
                                        " bytes (value + child names), over the entry-size quota of " +
                                        std::to_string(quotas_.entry_size));
  }
}

std::string Editor::read(const std::string& path) { return require(path, Access::Read).value; }

Listing Editor::directory(const std::string& path) {
  const Node& node = require(path, Access::Read);
  return Listing{node.children, node.generation};
}

Permissions Editor::get_permissions(const std::string& path) { return require(path, Access::Read).permissions; }

void Editor::write(const std::string& path, std::string_view value) {
  if (value.size() > kMaxValueSize) {
    throw Error(ErrorCode::TooBig, "value for '" + path + "' is " + std::to_string(value.size()) +
                                       " bytes, over the limit of " + std::to_string(kMaxValueSize));
  }
  if (view_.find(path) == nullptr) return create(path, value);
  Node node = require(path, Access::Write);
  node.value.assign(value);
  check_entry_size(path, node);
  Permissions permissions = node.permissions;
  view_.put(path, std::move(node));
  changes_.push_back(Change{path, {std::move(permissions)}, {}});
}

void Editor::mkdir(const std::string& path) {
  if (view_.find(path) != nullptr) {
    require(path, Access::Write);
    return;
  }
  create(path, {});
}

std::string Editor::existing_ancestor(const std::string& path, std::vector<std::string>& missing) {
  missing.push_back(path);
  for (;;) {
    std::string parent = parent_path(missing.back());
    if (view_.find(parent) != nullptr) return parent;
    // "/" cannot be removed, so this never happens; but no view may make the walk go round.
    if (parent == "/") throw Error(ErrorCode::IO, "creating '" + path + "': the root node is missing");
    missing.push_back(std::move(parent));
  }
}

void Editor::create(const std::string& path, std::string_view value) {
  // Everything between `path` and its nearest existing ancestor (the anchor) is new.
  std::vector<std::string> chain;
  const std::string anchor_path = existing_ancestor(path, chain);
  Node anchor = *view_.find(anchor_path);
  // The rule for a missing node: ENOENT or EACCES from the anchor alone (the anchor's own
  // ancestors are not consulted, which matters for a transaction's conflict set).
  if (!allows(access_for(who_, anchor.permissions), Access::Write)) missing(path, Access::Write);

  Permissions inherited = anchor.permissions;
  if (!who_.privileged()) {
    inherited.front().domain = who_.domain;
    const std::size_t owned = view_.nodes_owned_by(who_.domain);
    if (owned + chain.size() > quotas_.nodes_per_domain) {
      throw Error(ErrorCode::NoSpace, who_text(who_) + " owns " + std::to_string(owned) + " nodes; creating '" + path +
                                          "' needs " + std::to_string(chain.size()) + " more, over the node quota of " +
                                          std::to_string(quotas_.nodes_per_domain));
    }
  }
  const std::string_view first_new = base_name(chain.back());
  if (std::find(anchor.children.begin(), anchor.children.end(), first_new) != anchor.children.end()) {
    // The anchor was copied while the child existed, the child after it was removed. Like the
    // C daemon, list it once more; the transaction can no longer commit.
    view_.mark_inconsistent("'" + anchor_path + "' lists child '" + std::string(first_new) + "', which is absent");
  }
  anchor.children.emplace_back(first_new);
  check_entry_size(anchor_path, anchor);
  Node leaf{std::string(value), inherited, {}, 0};
  check_entry_size(path, leaf);

  view_.put(anchor_path, std::move(anchor));
  for (std::size_t i = chain.size(); i-- > 1;) {
    view_.put(chain[i], Node{"", inherited, {std::string(base_name(chain[i - 1]))}, 0});
  }
  view_.put(path, std::move(leaf));
  changes_.push_back(Change{path, {std::move(inherited)}, {}});
}

[[noreturn]] void Editor::inconsistent(ErrorCode code, const std::string& why) {
  view_.mark_inconsistent(why);
  throw Error(code, "inconsistent transaction view: " + why +
                        " (its copies of a node and its parent were taken at different moments; commit will fail "
                        "with EAGAIN)");
}

std::optional<std::string> Editor::remove_below(const std::string& path, std::vector<RemovedNode>& removed) {
  // The order of the C daemon's walk: each child's subtree, then the child. A child listed
  // twice is absent on its second visit, as it is there.
  const Node* node = view_.find(path);
  const std::vector<std::string> children = node->children;
  const Permissions permissions = node->permissions;
  for (const std::string& child : children) {
    const std::string child_at = child_path(path, child);
    if (view_.find(child_at) == nullptr) return child_at;
    if (std::optional<std::string> absent = remove_below(child_at, removed)) return absent;
    removed.push_back(RemovedNode{child_at, view_.find(child_at)->permissions, permissions});
    view_.erase(child_at);
  }
  return std::nullopt;
}

bool Editor::remove_missing(const std::string& path) {
  // Removing what is already gone is fine, if the caller may write where it would be.
  if (path == "/") return false;
  const Node* parent = view_.find(parent_path(path));
  return parent != nullptr && allows(access_for(who_, parent->permissions), Access::Write);
}

void Editor::remove(const std::string& path) {
  if (view_.find(path) == nullptr) {
    if (remove_missing(path)) return;
    missing(path, Access::Write);
  }
  const Permissions permissions = require(path, Access::Write).permissions;
  if (path == "/") throw Error(ErrorCode::Invalid, "path '/': the root node cannot be removed");
  const std::string parent_at = parent_path(path);
  if (view_.find(parent_at) == nullptr) {
    inconsistent(ErrorCode::Invalid, "'" + path + "' exists but its parent '" + parent_at + "' is absent");
  }

  std::vector<RemovedNode> removed;
  if (const std::optional<std::string> absent = remove_below(path, removed)) {
    inconsistent(ErrorCode::IO, "'" + parent_path(*absent) + "' lists child '" + std::string(base_name(*absent)) +
                                    "', which is absent");
  }
  view_.erase(path);
  Node parent = *view_.find(parent_at);
  const auto listed = std::find(parent.children.begin(), parent.children.end(), base_name(path));
  if (listed == parent.children.end()) {
    inconsistent(ErrorCode::IO, "'" + parent_at + "' does not list its child '" + std::string(base_name(path)) + "'");
  }
  parent.children.erase(listed);
  view_.put(parent_at, std::move(parent));
  changes_.push_back(Change{path, {permissions}, std::move(removed)});
}

void Editor::set_permissions(const std::string& path, const Permissions& permissions) {
  if (permissions.empty()) throw Error(ErrorCode::Invalid, "SET_PERMS on '" + path + "': empty permission list");
  if (!who_.privileged() && permissions.size() > quotas_.permissions_per_node) {
    throw Error(ErrorCode::NoSpace, "SET_PERMS on '" + path + "': " + std::to_string(permissions.size()) +
                                        " entries, over the quota of " + std::to_string(quotas_.permissions_per_node));
  }
  Node node = require(path, Access::Write);
  if (!is_owner(who_, node.permissions)) {
    denied(path, who_text(who_) + " does not own '" + path + "' (owner is domain " +
                     std::to_string(node.permissions.front().domain) + ")");
  }
  if (!who_.privileged() && permissions.front().domain != node.permissions.front().domain) {
    throw Error(ErrorCode::NotPermitted, who_text(who_) + " may not change the owner of '" + path + "' to domain " +
                                             std::to_string(permissions.front().domain));
  }
  Permissions before = node.permissions;
  node.permissions = permissions;
  view_.put(path, std::move(node));
  // Watchers that could read the node before or after the change see the event.
  changes_.push_back(Change{path, {std::move(before), permissions}, {}});
}

}  // namespace vgen::store
