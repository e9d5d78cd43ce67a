// The block workload the two-process tests drive over a blkif ring: which sectors each
// request moves and the bytes a write carries, so both ends can check every byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include <vgen/xen/blkif.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen::test {

/// Sectors of the backend's private disk (1 MiB).
inline constexpr std::uint64_t kDiskSectors = 2048;
/// Sectors in one granted data page.
inline constexpr std::size_t kSectorsPerPage = kPageSize / blkif::kSectorSize;

/// The byte a write request `id` carries at `offset` of its data.
inline std::byte pattern(std::uint64_t id, std::size_t offset) {
  return static_cast<std::byte>(id * 131 + offset * 7 + (offset >> 9));
}

/// Which sectors a request moves: one segment, sectors first..last of its data page.
struct Shape {
  std::uint8_t operation;  ///< blkif::kOpRead or blkif::kOpWrite
  std::uint64_t sector;    ///< first disk sector
  std::uint8_t first;      ///< first sector within the page
  std::uint8_t last;       ///< last sector within the page
  /// Bytes the request moves.
  std::size_t bytes() const { return (last - first + 1u) * blkif::kSectorSize; }
  /// Where in the data page those bytes start.
  std::size_t page_offset() const { return first * blkif::kSectorSize; }
};

/// Request `id`'s shape: a read every third request, the rest writes, some of them of
/// part of a page.
inline Shape shape_of(std::uint64_t id) {
  Shape shape{id % 3 == 1 ? blkif::kOpRead : blkif::kOpWrite, (id * 37) % (kDiskSectors - kSectorsPerPage), 0, 7};
  if (id % 3 == 2) {
    shape.first = static_cast<std::uint8_t>(id % kSectorsPerPage);
    shape.last = static_cast<std::uint8_t>(shape.first + (id / 8) % (kSectorsPerPage - shape.first));
  }
  return shape;
}

}  // namespace vgen::xen::test
