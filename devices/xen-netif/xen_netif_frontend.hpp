// xen-netif: the frontend half (the guest's network driver). It transmits kFrames Ethernet
// frames on the tx ring, each in a page it grants the backend read-only, and posts kFrames
// empty pages on the rx ring for the backend to fill with the frames it delivers. The
// generated base class (xen_netif_frontend_base.hpp) does the Xenbus and ring work.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "xen_netif_frontend_base.hpp"

namespace xen_netif {

/// The xen-netif frontend: frames out on tx, frames in on rx, each checked.
class XenNetifFrontend : public XenNetifFrontendBase {
 public:
  using XenNetifFrontendBase::XenNetifFrontendBase;

  /// Frames sent each way.
  static constexpr std::size_t kFrames = 4;
  /// Requests the frontend sends: a tx request per frame out, an rx request per frame in.
  static constexpr std::size_t kDemoRequests = 2 * kFrames;
  /// Granted pages beside the rings: kFrames tx pages, then kFrames rx pages.
  static constexpr std::uint32_t kDataPages = 2 * kFrames;

  /// Frames that went out (tx answered okay) and came in as the backend sent them.
  std::size_t answered() const noexcept { return answered_; }
  /// Responses that answered no request, failed, or brought a frame other than expected.
  std::size_t mismatches() const noexcept { return mismatches_; }

 protected:
  FrontendNodes on_publish() override;
  void on_connected(const BackendNodes& nodes) override;
  void on_tx_response(const NetifTxResponse& response) override;
  void on_rx_response(const NetifRxResponse& response) override;

 private:
  // Ends the grant of a page the backend has answered for (it unmapped it first).
  void release(std::optional<vgen::xen::GrantRef>& grant);

  std::array<std::optional<vgen::xen::GrantRef>, kFrames> tx_grants_;  // by request id
  std::array<std::optional<vgen::xen::GrantRef>, kFrames> rx_grants_;
  bool started_ = false;
  std::size_t answered_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace xen_netif
