#include "vgen/profiles/blkif_ram_disk.hpp"

#include <cstring>

#include <vgen/xen/error.hpp>

namespace vgen::profiles::blkif {
namespace {

namespace proto = xen::blkif;
using proto::kSectorsPerPage;

}  // namespace

RamDisk::RamDisk(xen::GrantMapper& mapper, std::uint64_t sectors)
    : mapper_(mapper), sectors_(sectors), disk_(sectors * proto::kSectorSize) {}

xen::blkif::Response RamDisk::serve(const xen::blkif::Request& request) {
  xen::blkif::Response response;
  response.id = request.id;
  response.operation = request.operation;
  switch (request.operation) {
    case proto::kOpRead:
    case proto::kOpWrite:
      response.status = transfer(request);
      break;
    case proto::kOpFlushDiskCache:
      response.status = proto::kStatusOkay;  // every write is in the disk already
      break;
    default:
      response.status = proto::kStatusNotSupported;
      break;
  }
  return response;
}

// xen/io/blkif.h: a read or write names 1 to 11 segments, each a granted page and the
// sectors first_sect..last_sect of it (inclusive), moved to or from consecutive disk sectors.
std::int16_t RamDisk::transfer(const xen::blkif::Request& request) {
  if (request.segment_count == 0 || request.segment_count > proto::kMaxSegmentsPerRequest) return proto::kStatusError;
  std::uint64_t sector = request.sector;
  if (sector >= sectors_) return proto::kStatusError;
  for (std::size_t index = 0; index < request.segment_count; ++index) {
    const std::int16_t status = transfer_segment(request, request.segments[index], sector);
    if (status != proto::kStatusOkay) return status;
  }
  return proto::kStatusOkay;
}

std::int16_t RamDisk::transfer_segment(const xen::blkif::Request& request, const xen::blkif::Segment& segment,
                                       std::uint64_t& sector) {
  if (segment.first_sector > segment.last_sector || segment.last_sector >= kSectorsPerPage) return proto::kStatusError;
  const std::size_t count = segment.last_sector - segment.first_sector + 1u;
  if (sector > sectors_ || count > sectors_ - sector) return proto::kStatusError;
  std::span<std::byte> data;
  try {
    data = page(segment.gref).subspan(segment.first_sector * proto::kSectorSize, count * proto::kSectorSize);
  } catch (const xen::Error&) {
    return proto::kStatusError;  // a grant this domain may not map
  }
  std::byte* disk = disk_.data() + sector * proto::kSectorSize;
  if (request.operation == proto::kOpWrite) {
    std::memcpy(disk, data.data(), data.size());
  } else {
    std::memcpy(data.data(), disk, data.size());
  }
  sector += count;
  return proto::kStatusOkay;
}

std::span<std::byte> RamDisk::page(xen::GrantRef ref) {
  auto found = pages_.find(ref);
  if (found == pages_.end()) found = pages_.emplace(ref, mapper_.map(ref, xen::Access::ReadWrite)).first;
  return found->second.writable_bytes();
}

}  // namespace vgen::profiles::blkif
