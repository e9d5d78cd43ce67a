// Node paths. A path names a node in the store's tree ("/local/domain/1/device"); the rules
// below are the ones a XenStore daemon applies before touching the tree:
//   - characters: letters, digits and "-/_@" only;
//   - absolute paths start with '/'; no empty component ("//"), no trailing '/' except "/";
//   - a path not starting with '/' is relative to the caller's home "/local/domain/<domid>/";
//   - length: at most 2048 characters after a "/local/domain/<N>/" prefix (N of 1-5 digits),
//     or 2048 in all for other paths (xs_wire.h XENSTORE_REL_PATH_MAX); as that prefix has
//     at most 20 characters, no path exceeds XENSTORE_ABS_PATH_MAX (3072);
//   - watches also accept special paths starting with '@' ("@introduceDomain").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <vgen/store/domain.hpp>

namespace vgen::store {

/// xs_wire.h XENSTORE_ABS_PATH_MAX: no path may be longer (implied by the rule below).
inline constexpr std::size_t kMaxAbsolutePath = 3072;
/// xs_wire.h XENSTORE_REL_PATH_MAX: the longest path below a domain's home (or in all).
inline constexpr std::size_t kMaxRelativePath = 2048;

/// A path after resolution: `absolute` is what the tree uses; `relative` records that the
/// caller wrote it relative to its home (watch events then report it relative again).
struct ResolvedPath {
  std::string absolute;   ///< canonical absolute path ("/a/b") or special path ("@x")
  bool relative = false;  ///< true if the caller omitted the leading '/'
};

/// Resolves and validates a node path written by a caller of domain `domid`.
/// Throws store::Error(Invalid) naming the path and the broken rule.
ResolvedPath resolve_path(std::string_view path, DomainId domid);

/// Like resolve_path(), but also accepts special paths ("@introduceDomain", any "@name" made
/// of valid characters), as a watch may use.
ResolvedPath resolve_watch_path(std::string_view path, DomainId domid);

/// True for special watch paths (those starting with '@').
bool is_special_path(std::string_view path) noexcept;

/// The parent of an absolute path: "/a/b" -> "/a", "/a" -> "/". Undefined for "/".
std::string parent_path(std::string_view path);

/// The last component of an absolute path: "/a/b" -> "b".
std::string_view base_name(std::string_view path) noexcept;

/// `parent` + "/" + `name`, without doubling the root's slash.
std::string child_path(std::string_view parent, std::string_view name);

/// True if `path` equals `ancestor` or lies below it ("/a/b" is below "/a", "/ab" is not).
bool is_at_or_below(std::string_view path, std::string_view ancestor) noexcept;

/// The home prefix relative paths of `domid` resolve under: "/local/domain/<domid>/".
std::string home_prefix(DomainId domid);

}  // namespace vgen::store
