// Grant tables, mapping side: the domain a page was granted to maps it by reference and
// gets a view of exactly that page (or of several granted pages placed side by side, as a
// multi-page ring needs), with the access the owner granted and nothing more.
//
// Every map() reads the entry once (one 8-byte atomic load) and checks, in this order:
// reference in range, entry live, granted to this domain, access allowed, frame inside the
// owner's memory. Any failure throws xen::Error naming the reference, both domains and the
// reason. On success it sets the in-use bits in the shared entry (compare-and-swap against
// the value it checked, so a concurrent revoke either wins or sees the mapping) and then
// maps only that page of the owner's memory fd. See grant_table.hpp for the layout.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <vgen/trace/hooks.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen {

class GrantTable;
class GrantMapping;

namespace detail {
struct GrantMapperState;
}

/// Attachment of domain `self` to another domain's grant table. Not thread-safe: map and
/// unmap from one thread. Mappings keep the attachment alive, so they may outlive it.
class GrantMapper {
 public:
  /// Receives what GrantTable::share() sent on `socket` and attaches as domain `self`.
  /// Throws xen::Error(Protocol) for a malformed description, wrong fd count, fds that are
  /// not memfds or are smaller than described, or a table whose header disagrees with the
  /// description (no fd leaks); shm::Error when the socket itself fails.
  static GrantMapper receive(int socket, DomainId self);
  /// In-process attachment to `table` as domain `self` (duplicates the table's fds).
  static GrantMapper attach(const GrantTable& table, DomainId self);
  /// Attaches given the two fds (ownership taken, closed on failure too) and the counts
  /// the owner announced. Same checks as receive().
  GrantMapper(DomainId self, DomainId owner, int pages_fd, std::uint32_t page_count, int table_fd,
              std::uint32_t entry_count);

  /// This domain.
  DomainId self() const noexcept;
  /// The granting domain.
  DomainId owner() const noexcept;
  /// Number of references in the owner's table.
  std::uint32_t entry_count() const noexcept;

  /// Where mappings go: each reference mapped (GrantMapped) and unmapped (GrantUnmapped),
  /// index = the reference, head = this domain, a = the owner, b = 1 read-write; also for
  /// mappings made before. Null stops tracing.
  void set_trace(trace::TraceSink* sink) noexcept;

  /// Maps the page granted by `ref` with `access`. Throws xen::Error: BadReference,
  /// NotGranted, WrongDomain, ReadOnly (read-write asked of a read-only grant), BadFrame,
  /// Busy (the entry kept changing under us), System (mmap failed).
  GrantMapping map(GrantRef ref, Access access);
  /// Maps the pages of `refs` side by side in one view (refs[i] at offset 4096*i), all
  /// with `access`; either every page is mapped or none is. Same errors as map(), naming
  /// the first reference that failed; Invalid for an empty list.
  GrantMapping map_contiguous(std::span<const GrantRef> refs, Access access);

 private:
  std::shared_ptr<detail::GrantMapperState> state_;
};

/// A live mapping of one or more granted pages. Move-only; unmaps (and clears the in-use
/// bits once no other mapping of the same reference remains) when destroyed.
class GrantMapping {
 public:
  GrantMapping(GrantMapping&& other) noexcept;
  GrantMapping& operator=(GrantMapping&& other) noexcept;
  GrantMapping(const GrantMapping&) = delete;
  GrantMapping& operator=(const GrantMapping&) = delete;
  ~GrantMapping();

  /// The mapped references, in view order.
  const std::vector<GrantRef>& refs() const noexcept { return refs_; }
  /// The access this mapping was made with.
  Access access() const noexcept { return access_; }
  /// False after unmap() or a move.
  bool mapped() const noexcept { return data_ != nullptr; }

  /// The pages, read-only: exactly 4096 bytes per reference. Throws xen::Error(Invalid)
  /// once unmapped.
  std::span<const std::byte> bytes() const;
  /// The pages, writable. Throws xen::Error(ReadOnly) for a read-only mapping (whose pages
  /// are mapped without write permission anyway), Invalid once unmapped.
  std::span<std::byte> writable_bytes() const;

  /// Unmaps now; later calls do nothing.
  void unmap() noexcept;

 private:
  friend class GrantMapper;
  GrantMapping(std::shared_ptr<detail::GrantMapperState> state, std::vector<GrantRef> refs, Access access,
               std::byte* data) noexcept;
  void check_mapped(const char* operation) const;

  std::shared_ptr<detail::GrantMapperState> state_;
  std::vector<GrantRef> refs_;
  Access access_ = Access::ReadOnly;
  std::byte* data_ = nullptr;
};

}  // namespace vgen::xen
