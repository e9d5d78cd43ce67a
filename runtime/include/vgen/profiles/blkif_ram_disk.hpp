// The blkif profile's backend (a spec's `ring: {profile: blkif}`): a RAM-backed block device
// serving the requests of a blkif ring (xen/io/blkif.h). Reads and writes move whole sectors
// between the disk and the frontend's granted pages, each page mapped at first use and kept
// (persistent grants); a flush succeeds, since RAM has no cache to write back; any other
// operation is answered "unsupported".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include <vgen/xen/blkif.hpp>
#include <vgen/xen/grant_mapping.hpp>

namespace vgen::profiles::blkif {

/// A block device in memory behind a blkif ring. Not thread-safe: the backend's thread
/// serves it.
class RamDisk {
 public:
  /// Sectors of the default disk (1 MiB).
  static constexpr std::uint64_t kDefaultSectors = 2048;

  /// A zeroed disk of `sectors` 512-byte sectors whose data pages `mapper` maps; `mapper`
  /// must outlive the disk.
  explicit RamDisk(xen::GrantMapper& mapper, std::uint64_t sectors = kDefaultSectors);

  /// The answer to `request`: its id and operation with the blkif status (okay, error for a
  /// transfer outside the disk, a bad segment or a grant that does not map, not supported for
  /// other operations).
  xen::blkif::Response serve(const xen::blkif::Request& request);
  /// Unmaps every kept data page (when the frontend goes away).
  void release() noexcept { pages_.clear(); }

  /// Size in sectors (the blkif `sectors` node).
  std::uint64_t sectors() const noexcept { return sectors_; }
  /// Bytes per sector (the blkif `sector-size` node).
  std::uint32_t sector_size() const noexcept { return xen::blkif::kSectorSize; }
  /// VDISK_* information bits (the blkif `info` node): none, a writable disk.
  std::uint32_t info() const noexcept { return 0; }
  /// 1: flushes are supported (the blkif `feature-flush-cache` node).
  std::uint8_t flush_cache() const noexcept { return 1; }
  /// The disk's bytes.
  std::span<const std::byte> contents() const noexcept { return disk_; }

 private:
  std::int16_t transfer(const xen::blkif::Request& request);
  std::int16_t transfer_segment(const xen::blkif::Request& request, const xen::blkif::Segment& segment,
                                std::uint64_t& sector);
  std::span<std::byte> page(xen::GrantRef ref);

  xen::GrantMapper& mapper_;
  std::uint64_t sectors_;
  std::vector<std::byte> disk_;
  std::unordered_map<xen::GrantRef, xen::GrantMapping> pages_;
};

}  // namespace vgen::profiles::blkif
