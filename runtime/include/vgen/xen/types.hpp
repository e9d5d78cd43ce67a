// Identifiers shared by the Xen-style pieces of vgen: domains, grant references, ports.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vgen::xen {

/// A domain's identity (16 bits, as in the Xen interface).
using DomainId = std::uint16_t;
/// An index into a domain's grant table (32 bits, as in the Xen interface).
using GrantRef = std::uint32_t;
/// A local event-channel port number (32 bits, as in the Xen interface).
using Port = std::uint32_t;

/// Grants, ring pages and frames are always 4 KiB, whatever the host page size.
inline constexpr std::size_t kPageSize = 4096;

/// How a grant lets the other domain use a page.
enum class Access : std::uint8_t {
  ReadOnly,   ///< the grantee may only read
  ReadWrite,  ///< the grantee may read and write
};

/// "read-only" or "read-write", for messages.
constexpr const char* to_string(Access access) noexcept {
  return access == Access::ReadOnly ? "read-only" : "read-write";
}

}  // namespace vgen::xen
