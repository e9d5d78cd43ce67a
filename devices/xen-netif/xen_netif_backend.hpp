// xen-netif: the backend half (the driver domain's side of the interface). It takes each
// frame the frontend transmits on tx from the granted page and answers okay, and fills each
// page the frontend posts on rx with a frame of its own. The generated base class
// (xen_netif_backend_base.hpp) does the Xenbus and ring work.
#pragma once

#include <cstddef>

#include "xen_netif_backend_base.hpp"

namespace xen_netif {

/// The xen-netif backend: a bridge that takes the frontend's frames and delivers its own.
class XenNetifBackend : public XenNetifBackendBase {
 public:
  using XenNetifBackendBase::XenNetifBackendBase;

  /// Frames taken from the frontend (tx) and delivered to it (rx).
  std::size_t frames_taken() const noexcept { return taken_; }
  std::size_t frames_delivered() const noexcept { return delivered_; }

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override;
  NetifTxResponse on_tx_request(const NetifTxRequest& request) override;
  NetifRxResponse on_rx_request(const NetifRxRequest& request) override;

 private:
  std::size_t taken_ = 0;
  std::size_t delivered_ = 0;
};

}  // namespace xen_netif
