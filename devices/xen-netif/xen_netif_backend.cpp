// xen-netif: the backend half's handlers.
#include "xen_netif_backend.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vgen/xen/error.hpp>

#include "netif_frames.hpp"

namespace xen_netif {
namespace {

void log(const std::string& line) {
  std::printf("backend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

BackendNodes XenNetifBackend::on_connected(const FrontendNodes& nodes) {
  log("connected to " + other_path() + " (request-rx-copy=" + std::to_string(nodes.request_rx_copy) + ")");
  BackendNodes own;
  own.feature_rx_copy = 1;               // frames are copied into the pages the frontend posts
  own.feature_split_event_channels = 1;  // tx and rx each have their own event channel
  return own;
}

// tx: the frame lies in the granted page at offset, size bytes; a frame that does not fit the
// page, or a grant that does not map, is refused (NETIF_RSP_ERROR).
NetifTxResponse XenNetifBackend::on_tx_request(const NetifTxRequest& request) {
  NetifTxResponse response;
  response.set_id(request.id());
  response.set_status(frames::kStatusError);
  if (request.size() < frames::kHeaderBytes || request.offset() + request.size() > vgen::xen::kPageSize) {
    log("tx request " + std::to_string(request.id()) + " refused: " + describe(request));
    return response;
  }
  try {
    const vgen::xen::GrantMapping page = mapper().map(request.gref(), vgen::xen::Access::ReadOnly);
    const auto frame = page.bytes().subspan(request.offset(), request.size());
    log("took frame " + std::to_string(request.id()) + " from tx: " + frames::describe(frame));
    response.set_status(frames::kStatusOkay);
    ++taken_;
  } catch (const vgen::xen::Error& error) {
    log("tx request " + std::to_string(request.id()) + " refused: " + error.what());
  }
  return response;
}

// rx: the backend copies a frame into the posted page and answers with its size.
NetifRxResponse XenNetifBackend::on_rx_request(const NetifRxRequest& request) {
  NetifRxResponse response;
  response.set_id(request.id());
  response.set_status(frames::kStatusError);
  try {
    const vgen::xen::GrantMapping page = mapper().map(request.gref(), vgen::xen::Access::ReadWrite);
    const auto frame = frames::from_backend(request.id());
    std::memcpy(page.writable_bytes().data(), frame.data(), frame.size());
    response.set_offset(0);
    response.set_status(static_cast<std::int16_t>(frame.size()));
    ++delivered_;
    log("delivered frame " + std::to_string(request.id()) + " on rx: " + frames::describe(frame));
  } catch (const vgen::xen::Error& error) {
    log("rx request " + std::to_string(request.id()) + " refused: " + error.what());
  }
  return response;
}

}  // namespace xen_netif
