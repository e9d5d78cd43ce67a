// xen-blk: the backend half's handlers (yours; vgen never overwrites this file).
#include "xen_blk_backend.hpp"

#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vgen/xen/error.hpp>

namespace xen_blk {
namespace {

void log(const std::string& line) {
  std::printf("backend: %s\n", line.c_str());
  std::fflush(stdout);
}

// xen/io/blkif.h: BLKIF_RSP_OKAY 0, BLKIF_RSP_ERROR -1, BLKIF_RSP_EOPNOTSUPP -2.
constexpr std::int16_t kOkay = 0;
constexpr std::int16_t kError = -1;
constexpr std::int16_t kUnsupported = -2;
constexpr std::size_t kSectorsPerPage = vgen::xen::kPageSize / XenBlkBackend::kSectorSize;

}  // namespace

BackendNodes XenBlkBackend::on_connected([[maybe_unused]] const FrontendNodes& nodes) {
  log("connected to " + other_path());
  log("frontend protocol=" + nodes.protocol);
  BackendNodes own;
  own.sectors = kDiskSectors;
  own.info = 0;
  own.sector_size = kSectorSize;
  own.feature_flush_cache = 1;
  return own;
}

BlkifResponse XenBlkBackend::on_request(const BlkifRequest& request) {
  log("request " + describe(request));
  BlkifResponse response;
  response.set_id(request.id());
  response.set_operation(request.operation());
  switch (request.operation()) {
    case BlkifOperation::READ:
    case BlkifOperation::WRITE:
      response.set_status(transfer(request));
      break;
    case BlkifOperation::FLUSH_DISKCACHE:
      response.set_status(kOkay);  // every write is already in the RAM disk
      break;
    default:
      response.set_status(kUnsupported);
      break;
  }
  return response;
}

std::int16_t XenBlkBackend::transfer(const BlkifRequest& request) {
  if (request.nr_segments() == 0 || request.nr_segments() > 11) return kError;
  std::uint64_t sector = request.sector_number();
  if (sector >= kDiskSectors) return kError;
  for (std::size_t index = 0; index < request.nr_segments(); ++index) {
    const auto& segment = request.seg(index);
    // blkif: first_sect..last_sect are sectors of the granted page, inclusive.
    if (segment.first_sect() > segment.last_sect() || segment.last_sect() >= kSectorsPerPage) return kError;
    const std::size_t count = segment.last_sect() - segment.first_sect() + 1u;
    if (count > kDiskSectors - sector) return kError;
    std::span<std::byte> data;
    try {
      data = page(segment.gref()).subspan(segment.first_sect() * kSectorSize, count * kSectorSize);
    } catch (const vgen::xen::Error& error) {
      log("segment " + std::to_string(index) + ": " + error.what());  // a grant we may not map
      return kError;
    }
    std::byte* disk = disk_.data() + sector * kSectorSize;
    if (request.operation() == BlkifOperation::WRITE) {
      std::memcpy(disk, data.data(), data.size());
    } else {
      std::memcpy(data.data(), disk, data.size());
    }
    sector += count;
  }
  return kOkay;
}

std::span<std::byte> XenBlkBackend::page(vgen::xen::GrantRef ref) {
  auto found = pages_.find(ref);
  if (found == pages_.end()) found = pages_.emplace(ref, mapper().map(ref, vgen::xen::Access::ReadWrite)).first;
  return found->second.writable_bytes();
}

}  // namespace xen_blk
