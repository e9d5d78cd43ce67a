// xen-blk: the backend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_blk_backend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the backend does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "xen_blk_backend_base.hpp"

namespace xen_blk {

/// The xen-blk backend. By default it is a RAM-backed block store: reads and writes move
/// whole sectors between the disk and the frontend's granted pages, a flush succeeds (RAM
/// has no cache to write back), anything else is answered "unsupported".
class XenBlkBackend : public XenBlkBackendBase {
 public:
  using XenBlkBackendBase::XenBlkBackendBase;

  /// Size of the RAM disk in sectors (1 MiB).
  static constexpr std::uint64_t kDiskSectors = 2048;
  /// Bytes per sector (blkif moves 512-byte sectors).
  static constexpr std::uint32_t kSectorSize = 512;

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override;
  BlkifResponse on_request(const BlkifRequest& request) override;

 private:
  // Runs a read or write; the blkif status (0 okay, -1 error).
  std::int16_t transfer(const BlkifRequest& request);
  // The granted page `ref`, mapped at first use and kept (persistent grants).
  std::span<std::byte> page(vgen::xen::GrantRef ref);

  std::vector<std::byte> disk_ = std::vector<std::byte>(kDiskSectors * kSectorSize);
  std::unordered_map<vgen::xen::GrantRef, vgen::xen::GrantMapping> pages_;
};

}  // namespace xen_blk
