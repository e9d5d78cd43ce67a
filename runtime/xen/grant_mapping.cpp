#include <vgen/xen/grant_mapping.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <vgen/shm/error.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/xen/grant_table.hpp>

#include "grant_entry.hpp"
#include "system_error.hpp"

namespace vgen::xen {
namespace detail {

/// How many mappings of one reference this domain holds.
struct GrantUses {
  std::uint32_t mappings = 0;  ///< all mappings
  std::uint32_t writable = 0;  ///< read-write mappings among them
};

/// What a GrantMapper and its mappings share.
struct GrantMapperState {
  DomainId self;
  DomainId owner;
  std::uint32_t page_count;
  std::uint32_t entry_count;
  FdOwner pages_fd;
  shm::Region table;
  std::unordered_map<GrantRef, GrantUses> uses;
  trace::TraceSink* trace = nullptr;
};

// Records `kind` for each of `refs` mapped with `access`, when tracing.
void trace_grants(const GrantMapperState& state, trace::EventKind kind, std::span<const GrantRef> refs,
                  Access access) noexcept {
  if (state.trace == nullptr) return;
  for (GrantRef ref : refs) {
    state.trace->record({kind, 0, state.self, ref, state.owner, access == Access::ReadWrite ? 1u : 0u});
  }
}

}  // namespace detail

namespace {

// A compare-and-swap on an entry fails only when its value changed; a peer rewriting it
// endlessly must not keep map() spinning.
constexpr int kMaxClaimAttempts = 64;

std::string attach_context(DomainId self, DomainId owner) {
  return "grant table of domain " + std::to_string(owner) + " attached by domain " + std::to_string(self);
}

// After the seal nobody can shrink the file, so a page inside it now stays inside it and a
// mapping of it never faults with SIGBUS.
void check_pages_fd(int fd, std::uint32_t page_count, const std::string& context) {
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0 && errno == EINVAL) {
    throw Error(ErrorCode::Protocol, context + ": the memory fd " + std::to_string(fd) +
                                         " is not a memfd, so it cannot be sealed against shrinking");
  }
  if (seals < 0) detail::throw_system(context + ": the memory fd " + std::to_string(fd) + " cannot be sealed", errno);
  if ((seals & F_SEAL_SHRINK) == 0 && ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
    detail::throw_system(context + ": sealing the memory fd against shrinking failed", errno);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) detail::throw_system(context + ": fstat of the memory fd failed", errno);
  const std::uint64_t needed = std::uint64_t{page_count} * kPageSize;
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) < needed) {
    throw Error(ErrorCode::Protocol, context + ": memory fd holds " + std::to_string(info.st_size) +
                                         " bytes, fewer than the announced " + std::to_string(page_count) + " pages");
  }
}

void check_counts(std::uint32_t page_count, std::uint32_t entry_count, const std::string& context) {
  if (page_count == 0 || page_count > kMaxGrantPages) {
    throw Error(ErrorCode::Protocol, context + ": page_count " + std::to_string(page_count) + " is not in 1.." +
                                         std::to_string(kMaxGrantPages));
  }
  if (entry_count == 0 || entry_count > kMaxGrantEntries) {
    throw Error(ErrorCode::Protocol, context + ": entry_count " + std::to_string(entry_count) + " is not in 1.." +
                                         std::to_string(kMaxGrantEntries));
  }
}

void check_header(const shm::Region& table, DomainId owner, std::uint32_t page_count, std::uint32_t entry_count,
                  const std::string& context) {
  detail::GrantTableHeader header{};
  std::memcpy(&header, table.data(), sizeof header);
  if (header.magic != kGrantTableMagic || header.version != kGrantTableVersion || header.owner != owner ||
      header.entry_count != entry_count || header.page_count != page_count) {
    throw Error(ErrorCode::Protocol,
                context + ": table header (magic " + std::to_string(header.magic) + ", version " +
                    std::to_string(header.version) + ", owner " + std::to_string(header.owner) + ", entry_count " +
                    std::to_string(header.entry_count) + ", page_count " + std::to_string(header.page_count) +
                    ") does not match the description (owner " + std::to_string(owner) + ", entry_count " +
                    std::to_string(entry_count) + ", page_count " + std::to_string(page_count) + ")");
  }
}

std::string map_context(const detail::GrantMapperState& state, GrantRef ref, Access access) {
  return "map: " + detail::describe_ref(ref, state.owner) + ", asked by domain " + std::to_string(state.self) +
         " for " + to_string(access);
}

// Checks entry `ref` and marks it in use; returns the frame it grants.
std::uint32_t claim(detail::GrantMapperState& state, GrantRef ref, Access access) {
  if (ref >= state.entry_count) {
    throw Error(ErrorCode::BadReference, map_context(state, ref, access) + ": out of range (the table has " +
                                             std::to_string(state.entry_count) + " entries)");
  }
  std::atomic_ref<std::uint64_t> word = detail::entry_word(state.table.data(), ref);
  // Acquire pairs with the owner's release in grant_access(): the page contents it wrote
  // before granting are visible once the entry is seen.
  std::uint64_t current = word.load(std::memory_order_acquire);
  for (int attempt = 0; attempt < kMaxClaimAttempts; ++attempt) {
    const GrantEntry entry = detail::unpack(current);
    if ((entry.flags & kGrantPermitAccess) == 0) {
      throw Error(ErrorCode::NotGranted,
                  map_context(state, ref, access) + ": not granted (free, or revoked by its owner)");
    }
    if (entry.domid != state.self) {
      throw Error(ErrorCode::WrongDomain, map_context(state, ref, access) + ": granted to domain " +
                                              std::to_string(entry.domid) + ", not to domain " +
                                              std::to_string(state.self));
    }
    if (access == Access::ReadWrite && (entry.flags & kGrantReadOnly) != 0) {
      throw Error(ErrorCode::ReadOnly, map_context(state, ref, access) + ": the grant is read-only");
    }
    if (entry.frame >= state.page_count) {
      throw Error(ErrorCode::BadFrame, map_context(state, ref, access) + ": it names frame " +
                                           std::to_string(entry.frame) + ", outside the owner's " +
                                           std::to_string(state.page_count) + " pages");
    }
    const std::uint16_t in_use = kGrantReading | (access == Access::ReadWrite ? kGrantWriting : 0);
    // Against the value just checked: a revoke that got in first makes this fail and the
    // loop sees the freed entry; once this succeeds, end_access() sees the in-use bits.
    if (word.compare_exchange_weak(current, current | detail::flag_bits(in_use), std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
      detail::GrantUses& uses = state.uses[ref];
      ++uses.mappings;
      if (access == Access::ReadWrite) ++uses.writable;
      return entry.frame;
    }
  }
  throw Error(ErrorCode::Busy, map_context(state, ref, access) + ": the entry changed " +
                                   std::to_string(kMaxClaimAttempts) + " times while being mapped");
}

// Undoes one claim(); clears an in-use bit when the last mapping needing it goes.
void release(detail::GrantMapperState& state, GrantRef ref, Access access) noexcept {
  auto found = state.uses.find(ref);
  if (found == state.uses.end()) return;
  detail::GrantUses& uses = found->second;
  std::uint16_t clear = 0;
  if (access == Access::ReadWrite && --uses.writable == 0) clear |= kGrantWriting;
  if (--uses.mappings == 0) {
    clear |= kGrantReading | kGrantWriting;
    state.uses.erase(found);
  }
  if (clear == 0) return;
  // Release pairs with the owner's acquire in end_access(): this domain's accesses to the
  // page happen before the owner may reuse it.
  detail::entry_word(state.table.data(), ref).fetch_and(~detail::flag_bits(clear), std::memory_order_release);
}

}  // namespace

GrantMapper::GrantMapper(DomainId self, DomainId owner, int pages_fd, std::uint32_t page_count, int table_fd,
                         std::uint32_t entry_count) {
  detail::FdOwner pages(pages_fd);
  detail::FdOwner table(table_fd);
  const std::string context = attach_context(self, owner);
  if (::sysconf(_SC_PAGESIZE) != static_cast<long>(kPageSize)) {
    throw Error(ErrorCode::Invalid,
                context + ": the host page size is not 4096 bytes, so single grants cannot be mapped");
  }
  check_counts(page_count, entry_count, context);
  check_pages_fd(pages.get(), page_count, context);
  std::optional<shm::Region> mapped;
  try {
    mapped.emplace(shm::Region::map(table.release(), grant_table_bytes(entry_count)));
  } catch (const shm::Error& error) {
    throw Error(ErrorCode::Protocol, context + ": the table fd cannot be mapped: " + error.what());
  }
  shm::Region table_region = std::move(*mapped);
  check_header(table_region, owner, page_count, entry_count, context);
  state_ = std::make_shared<detail::GrantMapperState>(
      detail::GrantMapperState{self, owner, page_count, entry_count, std::move(pages), std::move(table_region), {}});
}

GrantMapper GrantMapper::receive(int socket, DomainId self) {
  shm::ReceivedMessage message = shm::receive_with_fds(socket, sizeof(GrantShareMessage));
  std::vector<detail::FdOwner> fds;
  for (int fd : message.fds) fds.emplace_back(fd);
  GrantShareMessage share{};
  std::memcpy(&share, message.bytes.data(), sizeof share);
  const std::string context = "grant table share received by domain " + std::to_string(self);
  if (share.magic != kGrantTableMagic || share.version != kGrantTableVersion) {
    throw Error(ErrorCode::Protocol, context + ": bad magic " + std::to_string(share.magic) + " or version " +
                                         std::to_string(share.version) + " (expected " +
                                         std::to_string(kGrantTableMagic) + ", " + std::to_string(kGrantTableVersion) +
                                         ")");
  }
  if (fds.size() != 2) {
    throw Error(ErrorCode::Protocol, context + ": " + std::to_string(fds.size()) +
                                         " fds came with the description, expected 2 (memory, table)");
  }
  const int pages_fd = fds[0].release();
  const int table_fd = fds[1].release();
  return GrantMapper(self, share.owner, pages_fd, share.page_count, table_fd, share.entry_count);
}

GrantMapper GrantMapper::attach(const GrantTable& table, DomainId self) {
  detail::FdOwner pages(::fcntl(table.pages_region().fd(), F_DUPFD_CLOEXEC, 0));
  if (pages.get() < 0) detail::throw_system("attach: duplicating the memory fd failed", errno);
  detail::FdOwner entries(::fcntl(table.table_region().fd(), F_DUPFD_CLOEXEC, 0));
  if (entries.get() < 0) detail::throw_system("attach: duplicating the table fd failed", errno);
  const int pages_fd = pages.release();
  const int table_fd = entries.release();
  return GrantMapper(self, table.owner(), pages_fd, table.page_count(), table_fd, table.entry_count());
}

DomainId GrantMapper::self() const noexcept { return state_->self; }
DomainId GrantMapper::owner() const noexcept { return state_->owner; }
std::uint32_t GrantMapper::entry_count() const noexcept { return state_->entry_count; }

GrantMapping GrantMapper::map(GrantRef ref, Access access) { return map_contiguous(std::span(&ref, 1), access); }

GrantMapping GrantMapper::map_contiguous(std::span<const GrantRef> refs, Access access) {
  detail::GrantMapperState& state = *state_;
  if (refs.empty() || refs.size() > kMaxGrantPages) {
    throw Error(ErrorCode::Invalid, "map_contiguous: " + std::to_string(refs.size()) + " references to domain " +
                                        std::to_string(state.owner) + "'s grants; expected 1.." +
                                        std::to_string(kMaxGrantPages));
  }
  const std::size_t length = refs.size() * kPageSize;
  // Reserve the whole range first so the pages land side by side.
  void* reserved = ::mmap(nullptr, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (reserved == MAP_FAILED)
    detail::throw_system(map_context(state, refs[0], access) + ": reserving address space failed", errno);
  auto* base = static_cast<std::byte*>(reserved);
  const int protection = access == Access::ReadWrite ? PROT_READ | PROT_WRITE : PROT_READ;
  std::size_t claimed = 0;
  try {
    for (; claimed < refs.size(); ++claimed) {
      const std::uint32_t frame = claim(state, refs[claimed], access);
      void* page = ::mmap(base + claimed * kPageSize, kPageSize, protection, MAP_SHARED | MAP_FIXED,
                          state.pages_fd.get(), static_cast<off_t>(std::uint64_t{frame} * kPageSize));
      if (page == MAP_FAILED) {
        const int error = errno;
        release(state, refs[claimed], access);
        detail::throw_system(
            map_context(state, refs[claimed], access) + ": mmap of frame " + std::to_string(frame) + " failed", error);
      }
    }
  } catch (...) {
    for (std::size_t i = 0; i < claimed; ++i) release(state, refs[i], access);
    ::munmap(base, length);
    throw;
  }
  detail::trace_grants(state, trace::EventKind::GrantMapped, refs, access);
  return GrantMapping(state_, std::vector<GrantRef>(refs.begin(), refs.end()), access, base);
}

void GrantMapper::set_trace(trace::TraceSink* sink) noexcept { state_->trace = sink; }

GrantMapping::GrantMapping(std::shared_ptr<detail::GrantMapperState> state, std::vector<GrantRef> refs, Access access,
                           std::byte* data) noexcept
    : state_(std::move(state)), refs_(std::move(refs)), access_(access), data_(data) {}

GrantMapping::GrantMapping(GrantMapping&& other) noexcept
    : state_(std::move(other.state_)),
      refs_(std::move(other.refs_)),
      access_(other.access_),
      data_(std::exchange(other.data_, nullptr)) {}

GrantMapping& GrantMapping::operator=(GrantMapping&& other) noexcept {
  if (this != &other) {
    unmap();
    state_ = std::move(other.state_);
    refs_ = std::move(other.refs_);
    access_ = other.access_;
    data_ = std::exchange(other.data_, nullptr);
  }
  return *this;
}

GrantMapping::~GrantMapping() { unmap(); }

void GrantMapping::unmap() noexcept {
  if (data_ == nullptr) return;
  // Unmap before clearing the in-use bits: once they are clear the owner may reuse the page.
  ::munmap(data_, refs_.size() * kPageSize);
  data_ = nullptr;
  for (GrantRef ref : refs_) release(*state_, ref, access_);
  detail::trace_grants(*state_, trace::EventKind::GrantUnmapped, refs_, access_);
}

void GrantMapping::check_mapped(const char* operation) const {
  if (data_ == nullptr) {
    const std::string ref =
        refs_.empty() ? std::string("a moved-from mapping") : detail::describe_ref(refs_.front(), state_->owner);
    throw Error(ErrorCode::Invalid, std::string(operation) + ": " + ref + " is no longer mapped");
  }
}

std::span<const std::byte> GrantMapping::bytes() const {
  check_mapped("bytes");
  return {data_, refs_.size() * kPageSize};
}

std::span<std::byte> GrantMapping::writable_bytes() const {
  check_mapped("writable_bytes");
  if (access_ != Access::ReadWrite) {
    throw Error(ErrorCode::ReadOnly, "writable_bytes: " + detail::describe_ref(refs_.front(), state_->owner) +
                                         " is mapped read-only by domain " + std::to_string(state_->self));
  }
  return {data_, refs_.size() * kPageSize};
}

}  // namespace vgen::xen
