// Watches: a (path, token) pair a connection registers to hear about changes.
//
// Matching rules (those of the C XenStore daemon):
//   - a change of path P fires every watch on P or on an ancestor of P ("/a" fires for
//     "/a/b"), never on a sibling that merely shares a prefix ("/ab" is not below "/a");
//   - special paths ("@introduceDomain", "@releaseDomain") match only themselves;
//   - removing a subtree fires, for the removed root, the watches on it or its ancestors,
//     and for each removed descendant, the watches sitting exactly on that descendant;
//   - a watch registered with a relative path reports relative paths.
#pragma once

#include <string>
#include <string_view>

#include <vgen/store/domain.hpp>
#include <vgen/store/event_queue.hpp>

namespace vgen::store {

/// One registered watch.
struct Watch {
  std::string path;   ///< absolute or special path watched
  std::string token;  ///< client's token, returned with every event
  std::string home;   ///< for a relative watch, the prefix to strip ("/local/domain/N/"); else empty

  /// True if a change of `changed` fires this watch (node itself or a descendant).
  bool covers(std::string_view changed) const noexcept;
  /// The event to send for a change of `changed` (path made relative for relative watches).
  WatchEvent event_for(std::string_view changed) const;
};

}  // namespace vgen::store
