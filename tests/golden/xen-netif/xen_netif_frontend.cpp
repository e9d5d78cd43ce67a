// xen-netif: the frontend half's handlers (yours; vgen never overwrites this file).
#include "xen_netif_frontend.hpp"

#include <cstdio>
#include <string>

namespace xen_netif {
namespace {

void log(const std::string& line) {
  std::printf("frontend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

FrontendNodes XenNetifFrontend::on_publish() {
  FrontendNodes nodes;
  nodes.request_rx_copy = 1;
  return nodes;
}

void XenNetifFrontend::on_connected([[maybe_unused]] const BackendNodes& nodes) {
  log("connected to " + other_path());
  log("backend " + std::string("feature-rx-copy") + "=" + std::to_string(nodes.feature_rx_copy));
  log("backend " + std::string("feature-split-event-channels") + "=" +
      std::to_string(nodes.feature_split_event_channels));
  top_up();
}

void XenNetifFrontend::top_up() {
  // Only requests not sent yet go out (a reconnection does not repeat answered ones); a ring
  // smaller than kRequestsPerRing is topped up again as responses free its slots.
  for (auto& ledger = ledgers_.of<NetifTxRequest>(kRingTx); ledger.wants(kRequestsPerRing) && can_send_tx();) {
    NetifTxRequest request;
    request.set_gref(static_cast<std::uint32_t>(++next_value_));
    request.set_offset(static_cast<std::uint16_t>(++next_value_));
    request.set_flags(static_cast<std::uint16_t>(++next_value_));
    request.set_id(static_cast<std::uint16_t>(++next_value_));
    request.set_size(static_cast<std::uint16_t>(++next_value_));
    if (!send_tx(request)) break;
    log("sent on tx: " + describe(request));
    ledger.sent.push_back(request);
  }
  for (auto& ledger = ledgers_.of<NetifRxRequest>(kRingRx); ledger.wants(kRequestsPerRing) && can_send_rx();) {
    NetifRxRequest request;
    request.set_id(static_cast<std::uint16_t>(++next_value_));
    request.set_pad(static_cast<std::uint16_t>(++next_value_));
    request.set_gref(static_cast<std::uint32_t>(++next_value_));
    if (!send_rx(request)) break;
    log("sent on rx: " + describe(request));
    ledger.sent.push_back(request);
  }
}

void XenNetifFrontend::on_tx_response(const NetifTxResponse& response) {
  log("received on tx: " + describe(response));
  // The request this answers: the first one sent on tx whose echoed fields match.
  const bool matched = ledgers_.of<NetifTxRequest>(kRingTx).answer(
      [&]([[maybe_unused]] const NetifTxRequest& request) { return true && request.id() == response.id(); });
  if (!matched) {
    ++mismatches_;
    log("response matches no request sent");
    return;
  }
  ++answered_;
  top_up();
}

void XenNetifFrontend::on_rx_response(const NetifRxResponse& response) {
  log("received on rx: " + describe(response));
  // The request this answers: the first one sent on rx whose echoed fields match.
  const bool matched = ledgers_.of<NetifRxRequest>(kRingRx).answer(
      [&]([[maybe_unused]] const NetifRxRequest& request) { return true && request.id() == response.id(); });
  if (!matched) {
    ++mismatches_;
    log("response matches no request sent");
    return;
  }
  ++answered_;
  top_up();
}

}  // namespace xen_netif
