#include <vgen/store/permissions.hpp>

#include <vgen/store/error.hpp>

namespace vgen::store {

Permissions default_permissions() { return Permissions{Permission{kPrivilegedDomain, Access::None}}; }

Permission parse_permission(std::string_view text) {
  if (text.empty()) throw Error(ErrorCode::Invalid, "permission entry is empty; expected e.g. 'r5'");
  Permission out;
  switch (text.front()) {
    case 'n':
      out.access = Access::None;
      break;
    case 'r':
      out.access = Access::Read;
      break;
    case 'w':
      out.access = Access::Write;
      break;
    case 'b':
      out.access = Access::Both;
      break;
    default:
      throw Error(ErrorCode::Invalid,
                  "permission entry '" + std::string(text) + "': first letter must be n, r, w or b");
  }
  out.domain = parse_domain_id(text.substr(1), "permission entry '" + std::string(text) + "' domain");
  return out;
}

std::string format_permission(const Permission& permission) {
  static constexpr char kLetters[] = {'n', 'r', 'w', 'b'};
  return kLetters[static_cast<unsigned>(permission.access) & 3u] + std::to_string(permission.domain);
}

bool is_owner(const Requester& who, const Permissions& permissions) noexcept {
  return who.privileged() || (!permissions.empty() && who.is(permissions.front().domain));
}

Access access_for(const Requester& who, const Permissions& permissions) noexcept {
  if (is_owner(who, permissions)) return Access::Both;
  for (std::size_t i = 1; i < permissions.size(); ++i) {
    if (who.is(permissions[i].domain)) return permissions[i].access;
  }
  return permissions.empty() ? Access::None : permissions.front().access;
}

}  // namespace vgen::store
