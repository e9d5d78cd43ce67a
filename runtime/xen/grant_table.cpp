#include <vgen/xen/grant_table.hpp>

#include <cstring>
#include <string>
#include <utility>

#include <vgen/shm/fd_passing.hpp>

#include "grant_entry.hpp"

namespace vgen::xen {
namespace {

std::uint32_t checked_page_count(const shm::Region& pages, DomainId owner) {
  const std::size_t size = pages.size();
  if (size == 0 || size % kPageSize != 0 || size / kPageSize > kMaxGrantPages) {
    throw Error(ErrorCode::Invalid, "grant table of domain " + std::to_string(owner) + ": memory region of " +
                                        std::to_string(size) + " bytes is not 1 to " + std::to_string(kMaxGrantPages) +
                                        " whole 4096-byte pages");
  }
  return static_cast<std::uint32_t>(size / kPageSize);
}

std::uint32_t checked_entry_count(std::uint32_t entry_count, DomainId owner) {
  if (entry_count == 0 || entry_count > kMaxGrantEntries) {
    throw Error(ErrorCode::Invalid, "grant table of domain " + std::to_string(owner) + ": entry_count " +
                                        std::to_string(entry_count) + " is not in 1.." +
                                        std::to_string(kMaxGrantEntries));
  }
  return entry_count;
}

}  // namespace

GrantTable::GrantTable(DomainId owner, shm::Region pages, std::uint32_t entry_count)
    : owner_(owner),
      page_count_(checked_page_count(pages, owner)),
      entry_count_(checked_entry_count(entry_count, owner)),
      pages_(std::move(pages)),
      table_(shm::Region::create("vgen-grant-table-" + std::to_string(owner), grant_table_bytes(entry_count))) {
  const detail::GrantTableHeader header{kGrantTableMagic, kGrantTableVersion, owner_, entry_count_, page_count_};
  std::memcpy(table_.data(), &header, sizeof header);
  for (GrantRef ref = 0; ref < entry_count_; ++ref) free_.push_back(ref);
}

GrantTable GrantTable::create(DomainId owner, std::uint32_t page_count, std::uint32_t entry_count) {
  if (page_count == 0 || page_count > kMaxGrantPages) {
    throw Error(ErrorCode::Invalid, "grant table of domain " + std::to_string(owner) + ": page_count " +
                                        std::to_string(page_count) + " is not in 1.." + std::to_string(kMaxGrantPages));
  }
  shm::Region pages = shm::Region::create("vgen-domain-" + std::to_string(owner), kPageSize * std::size_t{page_count});
  return GrantTable(owner, std::move(pages), entry_count);
}

std::span<std::byte> GrantTable::page(std::uint32_t frame) const {
  if (frame >= page_count_) {
    throw Error(ErrorCode::BadFrame, "domain " + std::to_string(owner_) + ": frame " + std::to_string(frame) +
                                         " is outside its " + std::to_string(page_count_) + " pages");
  }
  return {pages_.data() + kPageSize * std::size_t{frame}, kPageSize};
}

void GrantTable::check_ref(GrantRef ref, const char* operation) const {
  if (ref >= entry_count_) {
    throw Error(ErrorCode::BadReference, std::string(operation) + ": " + detail::describe_ref(ref, owner_) +
                                             " is out of range (the table has " + std::to_string(entry_count_) +
                                             " entries)");
  }
}

GrantRef GrantTable::grant_access(DomainId grantee, std::uint32_t frame, Access access) {
  if (frame >= page_count_) {
    throw Error(ErrorCode::BadFrame, "grant_access: domain " + std::to_string(owner_) + " cannot grant frame " +
                                         std::to_string(frame) + " to domain " + std::to_string(grantee) +
                                         ": it has only " + std::to_string(page_count_) + " pages");
  }
  if (free_.empty()) {
    throw Error(ErrorCode::TableFull, "grant_access: all " + std::to_string(entry_count_) + " grant refs of domain " +
                                          std::to_string(owner_) + " are in use; cannot grant frame " +
                                          std::to_string(frame) + " to domain " + std::to_string(grantee));
  }
  const GrantRef ref = free_.front();
  std::uint16_t flags = kGrantPermitAccess;
  if (access == Access::ReadOnly) flags |= kGrantReadOnly;
  // Release: the page contents the owner wrote before granting are visible to a grantee
  // whose acquire load in map() reads this entry.
  detail::entry_word(table_.data(), ref)
      .store(detail::pack(GrantEntry{flags, grantee, frame}), std::memory_order_release);
  free_.pop_front();
  return ref;
}

void GrantTable::end_access(GrantRef ref) {
  check_ref(ref, "end_access");
  std::atomic_ref<std::uint64_t> word = detail::entry_word(table_.data(), ref);
  std::uint64_t current = word.load(std::memory_order_acquire);
  while (true) {
    const GrantEntry entry = detail::unpack(current);
    if ((entry.flags & kGrantPermitAccess) == 0) {
      throw Error(ErrorCode::NotGranted, "end_access: " + detail::describe_ref(ref, owner_) + " is not granted");
    }
    if ((entry.flags & (kGrantReading | kGrantWriting)) != 0) {
      const char* how = (entry.flags & kGrantWriting) != 0 ? "writable" : "read-only";
      throw Error(ErrorCode::Busy, "end_access: " + detail::describe_ref(ref, owner_) + " (frame " +
                                       std::to_string(entry.frame) + ") is still mapped " + how + " by domain " +
                                       std::to_string(entry.domid) + "; the grant stays valid until it unmaps");
    }
    // Acquire on success pairs with the grantee's release when it cleared the in-use bits,
    // so everything it wrote to the page is visible before the owner reuses the page.
    if (word.compare_exchange_weak(current, 0, std::memory_order_acq_rel, std::memory_order_acquire)) break;
  }
  free_.push_back(ref);
}

bool GrantTable::is_mapped(GrantRef ref) const { return (entry(ref).flags & (kGrantReading | kGrantWriting)) != 0; }

GrantEntry GrantTable::entry(GrantRef ref) const {
  check_ref(ref, "entry");
  return detail::unpack(detail::entry_word(table_.data(), ref).load(std::memory_order_acquire));
}

void GrantTable::share(int socket) const {
  const GrantShareMessage message{kGrantTableMagic, kGrantTableVersion, owner_, page_count_, entry_count_};
  const int fds[] = {pages_.fd(), table_.fd()};
  shm::send_with_fds(socket, std::as_bytes(std::span(&message, 1)), fds);
}

}  // namespace vgen::xen
