// xen-blk: the frontend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_blk_frontend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the frontend does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

#include "xen_blk_frontend_base.hpp"

namespace xen_blk {

/// The xen-blk frontend. By default, once connected it writes three pages of sectors,
/// reads them back into other pages and compares, flushes, and reads past the end of the
/// disk (which must fail); kDemoRequests requests in all, each checked when answered.
class XenBlkFrontend : public XenBlkFrontendBase {
 public:
  using XenBlkFrontendBase::XenBlkFrontendBase;

  /// Requests the default frontend sends.
  static constexpr std::size_t kDemoRequests = 8;
  /// Granted pages beside the ring (frames 1..kDataPages of the grant table): three
  /// written from, three read into.
  static constexpr std::uint32_t kDataPages = 6;

  /// True once every request sent has been answered.
  bool finished() const noexcept { return answered_ == kDemoRequests; }
  /// Responses that answered no request sent, or answered one wrongly.
  std::size_t mismatches() const noexcept { return mismatches_; }
  /// Responses received.
  std::size_t answered() const noexcept { return answered_; }

 protected:
  FrontendNodes on_publish() override;
  void on_connected(const BackendNodes& nodes) override;
  void on_response(const BlkifResponse& response) override;

 private:
  // What one request must come back with.
  struct Expected {
    BlkifOperation operation;
    std::int16_t status;
    std::uint32_t read_page;  // data page a read filled (0: none)
    std::uint32_t pattern;    // the write whose bytes the read must find
  };
  // Sends one request moving data page `page` (0: none) and records what it must return.
  void send_request(BlkifOperation operation, std::uint64_t sector, std::uint32_t page, std::int16_t status,
                    std::uint32_t read_page, std::uint32_t pattern);
  // True if `response` is what `expected` says (for reads: the page holds the write's bytes).
  bool check(const BlkifResponse& response, const Expected& expected);

  std::map<std::uint64_t, Expected> pending_;  // by request id
  std::deque<vgen::xen::GrantRef> data_refs_;  // grants of the data pages, by page
  std::uint64_t next_id_ = 0;
  std::size_t answered_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace xen_blk
