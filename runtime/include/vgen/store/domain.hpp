// Domain ids as the store sees them: numbers of up to 16 bits (Xen's domid_t), written on the
// wire in decimal. Domain 0 is the privileged (toolstack) domain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vgen::store {

/// A Xen domain id (domid_t is 16 bits wide).
using DomainId = std::uint16_t;

/// The privileged domain: it may read and write every node and manage domains.
inline constexpr DomainId kPrivilegedDomain = 0;

/// Parses a domain id written in decimal digits only (no sign, no spaces, at most 65535).
/// Throws store::Error(Invalid) naming `what` (e.g. "GET_DOMAIN_PATH domid") otherwise.
DomainId parse_domain_id(std::string_view text, std::string_view what);

/// The home directory of `domid`: "/local/domain/<domid>".
std::string domain_path(DomainId domid);

}  // namespace vgen::store
