// Grant tables, granting side: a domain owns a region of 4 KiB pages and lets another domain
// use single pages of it, read-only or read-write, through grant references.
//
// The table lives in a shared-memory region of its own, so the domain that maps a grant
// (see grant_mapping.hpp) can check an entry itself before touching the page. Layout of
// the table region, host byte order (both domains share the CPU):
//
//   offset  size  field
//        0     4  magic        kGrantTableMagic
//        4     2  version      kGrantTableVersion
//        6     2  owner        domain that owns the pages and the table
//        8     4  entry_count  number of entries (valid references are 0 .. entry_count-1)
//       12     4  page_count   number of 4 KiB pages in the owner's memory region
//       16    48  reserved, zero
//   64+8*r     8  entry of reference r: GrantEntry {flags u16, domid u16, frame u32}
//
// Entry flags: kGrantPermitAccess (the entry is live), kGrantReadOnly (the grantee may only
// read), kGrantReading / kGrantWriting (set by the grantee while it has the page mapped,
// any mapping / a writable mapping). The owner writes an entry whole; the grantee changes
// only the two in-use bits, with a compare-and-swap on the whole 8-byte entry so it never
// acts on a half-updated entry.
//
// Revocation (end_access) FAILS with ErrorCode::Busy while the grantee has the page mapped
// and leaves the grant in place; the owner retries after the grantee unmaps. vgen does not
// defer the release behind the caller's back, so a page is reused only when the owner sees
// that the grantee let go of it.
//
// What is enforced where: the grantee's runtime maps only the granted page, with the
// permission granted (mmap of that page alone, PROT_READ for read-only grants), so it can
// touch nothing else through this API. A process holding the memory fd could still map
// it by other means; Xen enforces grants in the hypervisor, vgen in the peer's runtime.
#pragma once

#include <cstdint>
#include <deque>
#include <span>

#include <vgen/shm/region.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen {

/// One entry of the shared grant table (8 bytes).
struct GrantEntry {
  std::uint16_t flags = 0;  ///< kGrant* bits
  std::uint16_t domid = 0;  ///< the domain allowed to map the page
  std::uint32_t frame = 0;  ///< page index in the owner's memory region
};
static_assert(sizeof(GrantEntry) == 8);

/// The entry is live: `domid` may map `frame`.
inline constexpr std::uint16_t kGrantPermitAccess = 1u << 0;
/// The grantee may only map the page read-only.
inline constexpr std::uint16_t kGrantReadOnly = 1u << 2;
/// Set by the grantee while it holds any mapping of the page.
inline constexpr std::uint16_t kGrantReading = 1u << 3;
/// Set by the grantee while it holds a writable mapping of the page.
inline constexpr std::uint16_t kGrantWriting = 1u << 4;

/// First four bytes of a table region ("VGNT" in memory on a little-endian host).
inline constexpr std::uint32_t kGrantTableMagic = 0x544e4756;
/// Layout version written at offset 4.
inline constexpr std::uint16_t kGrantTableVersion = 1;
/// Bytes before the first entry.
inline constexpr std::size_t kGrantTableHeaderBytes = 64;
/// Largest number of entries or pages a table may have (keeps sizes sane for a peer).
inline constexpr std::uint32_t kMaxGrantEntries = 1u << 20;
inline constexpr std::uint32_t kMaxGrantPages = 1u << 20;

/// Byte offset of reference `ref`'s entry in the table region.
constexpr std::size_t grant_entry_offset(GrantRef ref) noexcept {
  return kGrantTableHeaderBytes + sizeof(GrantEntry) * static_cast<std::size_t>(ref);
}
/// Size of a table region holding `entry_count` entries.
constexpr std::size_t grant_table_bytes(std::uint32_t entry_count) noexcept { return grant_entry_offset(entry_count); }

/// The granting domain's side. Not thread-safe: one thread grants and revokes; the grantee
/// works concurrently through the shared table.
class GrantTable {
 public:
  /// A table of `entry_count` references over `pages` (size a non-zero multiple of 4 KiB),
  /// owned by `owner`. Throws xen::Error(Invalid) for bad counts, shm::Error if the table
  /// region cannot be created.
  GrantTable(DomainId owner, shm::Region pages, std::uint32_t entry_count);
  /// Convenience: allocates a zeroed memory region of `page_count` pages first.
  static GrantTable create(DomainId owner, std::uint32_t page_count, std::uint32_t entry_count);

  /// The owning domain.
  DomainId owner() const noexcept { return owner_; }
  /// Number of 4 KiB pages of the owner's memory.
  std::uint32_t page_count() const noexcept { return page_count_; }
  /// Number of references in the table.
  std::uint32_t entry_count() const noexcept { return entry_count_; }
  /// References not currently granted.
  std::size_t free_count() const noexcept { return free_.size(); }

  /// The owner's own view of page `frame`. Throws xen::Error(BadFrame) when out of range.
  std::span<std::byte> page(std::uint32_t frame) const;

  /// Lets `grantee` map page `frame` with `access`; returns the reference to hand to it.
  /// Throws xen::Error: BadFrame (frame out of range), TableFull (no free reference).
  GrantRef grant_access(DomainId grantee, std::uint32_t frame, Access access);
  /// Ends a grant so the reference can be reused. Throws xen::Error: BadReference (out of
  /// range), NotGranted (free already), Busy (the grantee still has it mapped; the grant
  /// stays valid, retry after the grantee unmaps).
  void end_access(GrantRef ref);
  /// True while the grantee has `ref` mapped (reads the in-use bits). Throws BadReference.
  bool is_mapped(GrantRef ref) const;
  /// A snapshot of entry `ref`. Throws BadReference.
  GrantEntry entry(GrantRef ref) const;

  /// The owner's memory and the table, e.g. to inspect or to share by hand.
  const shm::Region& pages_region() const noexcept { return pages_; }
  const shm::Region& table_region() const noexcept { return table_; }

  /// Sends both regions (a 16-byte description and two fds) over a connected Unix socket,
  /// for GrantMapper::receive() in the peer. Throws shm::Error on a failed send.
  void share(int socket) const;

 private:
  void check_ref(GrantRef ref, const char* operation) const;

  DomainId owner_;
  std::uint32_t page_count_;
  std::uint32_t entry_count_;
  shm::Region pages_;
  shm::Region table_;
  // Free references, oldest first: a revoked reference is reused as late as possible, so
  // a stale reference held by the peer is unlikely to hit a new grant.
  std::deque<GrantRef> free_;
};

/// The description GrantTable::share() sends ahead of the two fds (pages, then table).
struct GrantShareMessage {
  std::uint32_t magic = kGrantTableMagic;      ///< kGrantTableMagic
  std::uint16_t version = kGrantTableVersion;  ///< kGrantTableVersion
  DomainId owner = 0;                          ///< the granting domain
  std::uint32_t page_count = 0;                ///< pages in the first fd
  std::uint32_t entry_count = 0;               ///< entries in the table (second fd)
};
static_assert(sizeof(GrantShareMessage) == 16);

}  // namespace vgen::xen
