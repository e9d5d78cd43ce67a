// xen-netif: the backend half's handlers (yours; vgen never overwrites this file).
#include "xen_netif_backend.hpp"

#include <cstdio>
#include <string>

namespace xen_netif {
namespace {

void log(const std::string& line) {
  std::printf("backend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

BackendNodes XenNetifBackend::on_connected([[maybe_unused]] const FrontendNodes& nodes) {
  log("connected to " + other_path());
  log("frontend " + std::string("request-rx-copy") + "=" + std::to_string(nodes.request_rx_copy));
  BackendNodes own;
  own.feature_rx_copy = 1;
  own.feature_split_event_channels = 1;
  return own;
}

NetifTxResponse XenNetifBackend::on_tx_request(const NetifTxRequest& request) {
  log("request on tx: " + describe(request));
  NetifTxResponse response;
  response.set_id(request.id());
  return response;
}

NetifRxResponse XenNetifBackend::on_rx_request(const NetifRxRequest& request) {
  log("request on rx: " + describe(request));
  NetifRxResponse response;
  response.set_id(request.id());
  return response;
}

}  // namespace xen_netif
