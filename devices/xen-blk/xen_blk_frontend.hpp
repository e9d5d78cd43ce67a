// xen-blk: the frontend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_blk_frontend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the frontend does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vgen/profiles/blkif_disk_check.hpp>

#include "xen_blk_frontend_base.hpp"

namespace xen_blk {

/// The xen-blk frontend. By default, once connected it runs vgen's blkif disk check: three
/// pages written, read back into other pages and compared, a flush, and a read past the end
/// of the disk, which must fail; kDemoRequests requests in all, each checked when answered.
class XenBlkFrontend : public XenBlkFrontendBase {
 public:
  using XenBlkFrontendBase::XenBlkFrontendBase;

  /// Requests the default frontend sends.
  static constexpr std::size_t kDemoRequests = vgen::profiles::blkif::DiskCheck::kRequests;
  /// Granted pages beside the ring (the frames after the ring's in the grant table).
  static constexpr std::uint32_t kDataPages = vgen::profiles::blkif::DiskCheck::kDataPages;

  /// Responses that answered their request as expected.
  std::size_t answered() const noexcept { return check_ ? check_->answered() : 0; }
  /// Responses that answered no request sent, or answered one wrongly.
  std::size_t mismatches() const noexcept { return check_ ? check_->mismatches() : 0; }

 protected:
  FrontendNodes on_publish() override;
  void on_connected(const BackendNodes& nodes) override;
  void on_response(const BlkifResponse& response) override;

 private:
  std::optional<vgen::profiles::blkif::DiskCheck> check_;  // made at the first connection
};

}  // namespace xen_blk
