// Node permissions. A node carries a list of (domain, access) entries written "r5", "b0"...:
// the first entry names the owner and, through its letter, the access every domain not
// listed gets; later entries grant a listed domain exactly their letter. The letters are
// n (none), r (read), w (write), b (both). Domain 0 and a node's owner always have full
// access, and only they may change the permissions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vgen/store/domain.hpp>

namespace vgen::store {

/// Access bits; `Both` = `Read | Write`.
enum class Access : unsigned { None = 0, Read = 1, Write = 2, Both = 3 };

/// True if `granted` includes every bit of `wanted`.
constexpr bool allows(Access granted, Access wanted) noexcept {
  return (static_cast<unsigned>(granted) & static_cast<unsigned>(wanted)) == static_cast<unsigned>(wanted);
}

/// One entry of a node's permission list.
struct Permission {
  DomainId domain = 0;           ///< who the entry is about
  Access access = Access::None;  ///< what they may do
  bool operator==(const Permission&) const = default;
};

/// A node's permission list; entry 0 is the owner. Never empty.
using Permissions = std::vector<Permission>;

/// The permissions of the root node: owned by domain 0, nobody else has access ("n0").
Permissions default_permissions();

/// Parses one entry such as "r5" (letter n/r/w/b, then decimal digits).
/// Throws store::Error(Invalid) naming the entry.
Permission parse_permission(std::string_view text);

/// Formats one entry ("r5").
std::string format_permission(const Permission& permission);

/// Who is asking: a connection's domain, and the domain it acts for (Xen's SET_TARGET: a
/// device model domain gets the rights of its guest).
struct Requester {
  DomainId domain = kPrivilegedDomain;  ///< the caller's own domain
  std::optional<DomainId> target;       ///< a domain whose rights the caller also has

  /// Domain 0 bypasses every permission check.
  bool privileged() const noexcept { return domain == kPrivilegedDomain; }
  /// True if `domid` is the caller's domain or its target.
  bool is(DomainId domid) const noexcept { return domid == domain || (target && *target == domid); }
};

/// What `who` may do with a node carrying `permissions`: everything if privileged or owner;
/// else the first later entry naming it; else the owner entry's letter (the default).
Access access_for(const Requester& who, const Permissions& permissions) noexcept;

/// True if `who` owns the node (or is privileged): it may then change its permissions.
bool is_owner(const Requester& who, const Permissions& permissions) noexcept;

}  // namespace vgen::store
