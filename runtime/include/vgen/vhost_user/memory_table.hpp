// The front end's memory regions as this back end maps them (SET_MEM_TABLE, ADD_MEM_REG,
// REM_MEM_REG): each region is an fd mapped with its mmap offset, reachable by guest address
// (what descriptors carry) and by front-end user address (what SET_VRING_ADDR carries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/vhost_user/protocol.hpp>
#include <vgen/vhost_user/unique_fd.hpp>

namespace vgen::vhost_user {

/// Regions the memory-slots protocol may hold at once (GET_MAX_MEM_SLOTS).
inline constexpr std::uint32_t kMaxMemorySlots = 32;

/// One mmap of a region's fd: size + mmap_offset bytes from file offset 0; unmapped on
/// destruction.
class Mapping {
 public:
  /// Maps `fd` (which must be a memfd sealed, or sealable, against shrinking, so the front end
  /// cannot cut the file under the mapping) for `description`, read-write or, when
  /// `writable` is false, read-only. Throws Error(Invalid) for a file too small or not
  /// sealable, Error(System) for a failed call. `what` prefixes messages.
  Mapping(const MemoryRegionDescription& description, UniqueFd fd, const std::string& what, bool writable = true);
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  /// Where the region's first byte (guest address `guest_address`) is mapped here.
  std::byte* host() const noexcept { return base_ + offset_; }

 private:
  std::byte* base_ = nullptr;
  std::size_t length_ = 0;
  std::uint64_t offset_ = 0;
  UniqueFd fd_;
};

/// The region table of one connection. Regions never overlap, neither in guest addresses nor
/// in user addresses. Changing the table rebuilds guest(), so a caller must stop every ring
/// using it first.
class MemoryTable {
 public:
  /// A table whose regions are mapped read-write, or read-only when `writable` is false (an
  /// observer such as `vgen trace tap`, which reads what others write).
  explicit MemoryTable(bool writable = true) noexcept : writable_(writable) {}

  /// Checks `description` (non-zero size, no address wrap, no overlap, at most
  /// kMaxMemorySlots regions) and maps it. Throws Error(Invalid) naming `what` and the values.
  void add(const MemoryRegionDescription& description, UniqueFd fd, const std::string& what);
  /// Removes the region with this guest address, user address and size (mmap offset is
  /// ignored, as REM_MEM_REG says). Throws Error(Invalid) when none matches.
  void remove(const MemoryRegionDescription& description, const std::string& what);
  /// Removes every region.
  void clear();
  /// Number of regions.
  std::size_t size() const noexcept { return regions_.size(); }

  /// Guest-address view of the table (the memory queues and descriptors are read through).
  /// The object stays the same across changes; only its contents are replaced.
  const shm::GuestMemory& guest() const noexcept { return guest_; }
  /// The guest address of [user_address, +length) when it lies inside one region.
  std::optional<std::uint64_t> user_to_guest(std::uint64_t user_address, std::uint64_t length) const noexcept;

 private:
  struct Entry {
    MemoryRegionDescription description;
    std::shared_ptr<Mapping> mapping;
  };

  void check_new(const MemoryRegionDescription& description, const std::string& what) const;
  void rebuild();

  bool writable_ = true;
  std::vector<Entry> regions_;
  shm::GuestMemory guest_;
};

}  // namespace vgen::vhost_user
