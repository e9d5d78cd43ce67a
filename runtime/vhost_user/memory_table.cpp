#include <vgen/vhost_user/memory_table.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include <vgen/format.hpp>
#include <vgen/vhost_user/error.hpp>

namespace vgen::vhost_user {
namespace {

std::string describe(const MemoryRegionDescription& d) {
  return "region {guest " + hex(d.guest_address) + ", size " + hex(d.size) + ", user " + hex(d.user_address) +
         ", mmap offset " + hex(d.mmap_offset) + "}";
}

// True when [a, a+alen) and [b, b+blen) share a byte (no range wraps: checked before).
bool overlaps(std::uint64_t a, std::uint64_t alen, std::uint64_t b, std::uint64_t blen) {
  return a < b + blen && b < a + alen;
}

bool wraps(std::uint64_t start, std::uint64_t length) { return start + length < start; }

// A front end holding the fd could shrink the file under our mapping; an access past the new
// end would raise SIGBUS here. A memfd sealed against shrinking cannot be cut by anyone.
void seal_against_shrinking(int fd, const std::string& what) {
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0) {
    throw Error(ErrorCode::Invalid, what + ": the region fd is not a memfd (" + std::strerror(errno) +
                                        "), so it could be shrunk under the mapping");
  }
  if ((seals & F_SEAL_SHRINK) != 0) return;
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
    throw Error(ErrorCode::Invalid,
                what + ": the region memfd cannot be sealed against shrinking (" + std::strerror(errno) + ")");
  }
}

}  // namespace

Mapping::Mapping(const MemoryRegionDescription& description, UniqueFd fd, const std::string& what, bool writable)
    : offset_(description.mmap_offset), fd_(std::move(fd)) {
  const std::string where = what + ": " + describe(description);
  const std::uint64_t length = description.size + description.mmap_offset;
  if (length < description.size || length > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
    throw Error(ErrorCode::Invalid, where + ": size plus mmap offset overflow");
  }
  seal_against_shrinking(fd_.get(), where);
  struct stat info {};
  if (::fstat(fd_.get(), &info) != 0) throw Error(ErrorCode::System, where + ": fstat failed: " + std::strerror(errno));
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) < length) {
    throw Error(ErrorCode::Invalid, where + ": the file has " + std::to_string(info.st_size) + " bytes, fewer than " +
                                        std::to_string(length) + " (size plus mmap offset)");
  }
  void* data = ::mmap(nullptr, length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd_.get(), 0);
  if (data == MAP_FAILED) throw Error(ErrorCode::System, where + ": mmap failed: " + std::strerror(errno));
  base_ = static_cast<std::byte*>(data);
  length_ = length;
}

Mapping::~Mapping() {
  if (base_ != nullptr) ::munmap(base_, length_);
}

void MemoryTable::check_new(const MemoryRegionDescription& d, const std::string& what) const {
  const std::string where = what + ": " + describe(d);
  if (d.size == 0) throw Error(ErrorCode::Invalid, where + ": size is 0");
  if (wraps(d.guest_address, d.size)) throw Error(ErrorCode::Invalid, where + ": guest range wraps around 2^64");
  if (wraps(d.user_address, d.size)) throw Error(ErrorCode::Invalid, where + ": user range wraps around 2^64");
  if (regions_.size() >= kMaxMemorySlots) {
    throw Error(ErrorCode::Invalid, where + ": the table already holds " + std::to_string(regions_.size()) +
                                        " regions, the most this back end maps");
  }
  for (const Entry& e : regions_) {
    const MemoryRegionDescription& o = e.description;
    if (overlaps(d.guest_address, d.size, o.guest_address, o.size)) {
      throw Error(ErrorCode::Invalid, where + ": guest range overlaps " + describe(o));
    }
    if (overlaps(d.user_address, d.size, o.user_address, o.size)) {
      throw Error(ErrorCode::Invalid, where + ": user range overlaps " + describe(o));
    }
  }
}

void MemoryTable::add(const MemoryRegionDescription& description, UniqueFd fd, const std::string& what) {
  check_new(description, what);
  auto mapping = std::make_shared<Mapping>(description, std::move(fd), what, writable_);
  regions_.push_back({description, std::move(mapping)});
  rebuild();
}

void MemoryTable::remove(const MemoryRegionDescription& d, const std::string& what) {
  for (auto it = regions_.begin(); it != regions_.end(); ++it) {
    const MemoryRegionDescription& o = it->description;
    if (o.guest_address == d.guest_address && o.user_address == d.user_address && o.size == d.size) {
      regions_.erase(it);
      rebuild();
      return;
    }
  }
  throw Error(ErrorCode::Invalid, what + ": no mapped region matches " + describe(d));
}

void MemoryTable::clear() {
  regions_.clear();
  rebuild();
}

void MemoryTable::rebuild() {
  shm::GuestMemory fresh;
  for (const Entry& e : regions_) {
    fresh.add_borrowed(e.description.guest_address, e.mapping->host(), e.description.size);
  }
  guest_ = std::move(fresh);
}

std::optional<std::uint64_t> MemoryTable::user_to_guest(std::uint64_t user_address,
                                                        std::uint64_t length) const noexcept {
  for (const Entry& e : regions_) {
    const MemoryRegionDescription& d = e.description;
    if (user_address >= d.user_address && user_address - d.user_address <= d.size &&
        length <= d.size - (user_address - d.user_address)) {
      return d.guest_address + (user_address - d.user_address);
    }
  }
  return std::nullopt;
}

}  // namespace vgen::vhost_user
