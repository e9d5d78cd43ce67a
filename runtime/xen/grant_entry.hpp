// Internal to runtime/xen: whole-entry atomic access to a shared grant table, used by both
// the granting side (grant_table.cpp) and the mapping side (grant_mapping.cpp).
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include <vgen/xen/grant_table.hpp>

namespace vgen::xen::detail {

/// An entry as one 64-bit word, so it is read and replaced in one access.
inline std::uint64_t pack(GrantEntry entry) noexcept { return std::bit_cast<std::uint64_t>(entry); }
inline GrantEntry unpack(std::uint64_t word) noexcept { return std::bit_cast<GrantEntry>(word); }

/// The entry of `ref` in a table region starting at `table` (8-byte aligned: the region is
/// page-aligned and entries start at 64).
inline std::atomic_ref<std::uint64_t> entry_word(std::byte* table, GrantRef ref) noexcept {
  return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(table + grant_entry_offset(ref)));
}

/// The word whose only set bits are `flags` in the flags field, for fetch_and/fetch_or.
inline std::uint64_t flag_bits(std::uint16_t flags) noexcept { return pack(GrantEntry{flags, 0, 0}); }

/// "grant ref 5 of domain 0": how messages name a reference.
inline std::string describe_ref(GrantRef ref, DomainId owner) {
  return "grant ref " + std::to_string(ref) + " of domain " + std::to_string(owner);
}

/// The fixed header of a table region.
struct GrantTableHeader {
  std::uint32_t magic;
  std::uint16_t version;
  std::uint16_t owner;
  std::uint32_t entry_count;
  std::uint32_t page_count;
};
static_assert(sizeof(GrantTableHeader) == 16);

}  // namespace vgen::xen::detail
