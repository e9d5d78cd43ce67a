// xen-netif: the backend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_netif_backend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the backend does.
#pragma once

#include "xen_netif_backend_base.hpp"

namespace xen_netif {

/// The xen-netif backend. By default it answers every request with a response that echoes
/// the fields the two types share (same name and type) and leaves the rest zero.
class XenNetifBackend : public XenNetifBackendBase {
 public:
  using XenNetifBackendBase::XenNetifBackendBase;

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override;
  NetifTxResponse on_tx_request(const NetifTxRequest& request) override;
  NetifRxResponse on_rx_request(const NetifRxRequest& request) override;
};

}  // namespace xen_netif
