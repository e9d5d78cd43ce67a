// xen-netif: the frontend half's handlers.
#include "xen_netif_frontend.hpp"

#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vgen/xen/error.hpp>

#include "netif_frames.hpp"

namespace xen_netif {
namespace {

void log(const std::string& line) {
  std::printf("frontend: %s\n", line.c_str());
  std::fflush(stdout);
}

// Where frame `id` starts in its tx page: frames need not start a page (netif.h's offset).
std::uint16_t tx_offset(std::size_t id) { return static_cast<std::uint16_t>(64 * id); }

}  // namespace

FrontendNodes XenNetifFrontend::on_publish() {
  FrontendNodes nodes;
  nodes.request_rx_copy = 1;  // netif.h: the backend copies received frames into our pages
  return nodes;
}

void XenNetifFrontend::on_connected(const BackendNodes& nodes) {
  log("connected to " + other_path() + " (feature-rx-copy=" + std::to_string(nodes.feature_rx_copy) +
      ", feature-split-event-channels=" + std::to_string(nodes.feature_split_event_channels) + ")");
  if (started_) return;  // the frames went out on an earlier connection
  started_ = true;
  for (std::size_t id = 0; id < kFrames; ++id) {
    // tx: the frame in a page the backend may only read.
    const std::uint32_t tx_frame = data_frame() + static_cast<std::uint32_t>(id);
    const auto frame = frames::from_frontend(static_cast<unsigned>(id));
    std::memcpy(table().page(tx_frame).data() + tx_offset(id), frame.data(), frame.size());
    tx_grants_[id] = table().grant_access(other_id(), tx_frame, vgen::xen::Access::ReadOnly);
    NetifTxRequest tx;
    tx.set_gref(*tx_grants_[id]);
    tx.set_offset(tx_offset(id));
    tx.set_id(static_cast<std::uint16_t>(id));
    tx.set_size(static_cast<std::uint16_t>(frame.size()));
    if (!send_tx(tx)) ++mismatches_;
    log("sent frame " + std::to_string(id) + " on tx: " + frames::describe(frame));
    // rx: an empty page for the backend to fill.
    const std::uint32_t rx_frame = data_frame() + static_cast<std::uint32_t>(kFrames + id);
    std::memset(table().page(rx_frame).data(), 0, vgen::xen::kPageSize);
    rx_grants_[id] = table().grant_access(other_id(), rx_frame, vgen::xen::Access::ReadWrite);
    NetifRxRequest rx;
    rx.set_id(static_cast<std::uint16_t>(id));
    rx.set_gref(*rx_grants_[id]);
    if (!send_rx(rx)) ++mismatches_;
  }
  log("posted " + std::to_string(kFrames) + " rx buffers");
}

void XenNetifFrontend::on_tx_response(const NetifTxResponse& response) {
  const std::size_t id = response.id();
  if (id >= kFrames || !tx_grants_[id] || response.status() != frames::kStatusOkay) {
    ++mismatches_;
    log("tx response is wrong: " + describe(response));
    return;
  }
  release(tx_grants_[id]);
  ++answered_;
  log("frame " + std::to_string(id) + " went out on tx");
}

void XenNetifFrontend::on_rx_response(const NetifRxResponse& response) {
  const std::size_t id = response.id();
  const int bytes = response.status();
  if (id >= kFrames || !rx_grants_[id] || bytes <= 0 || response.offset() + bytes > int(vgen::xen::kPageSize)) {
    ++mismatches_;
    log("rx response is wrong: " + describe(response));
    return;
  }
  const std::span<const std::byte> frame =
      table().page(data_frame() + static_cast<std::uint32_t>(kFrames + id)).subspan(response.offset(), bytes);
  const auto expected = frames::from_backend(static_cast<unsigned>(id));
  const bool same = frame.size() == expected.size() && std::memcmp(frame.data(), expected.data(), frame.size()) == 0;
  release(rx_grants_[id]);
  if (!same) {
    ++mismatches_;
    log("frame " + std::to_string(id) + " on rx is not what the backend sent: " + frames::describe(frame));
    return;
  }
  ++answered_;
  log("received frame " + std::to_string(id) + " on rx: " + frames::describe(frame));
}

void XenNetifFrontend::release(std::optional<vgen::xen::GrantRef>& grant) {
  try {
    table().end_access(*grant);
  } catch (const vgen::xen::Error&) {
    // Still mapped by a backend that answered before unmapping: the grant stays.
  }
  grant.reset();
}

}  // namespace xen_netif
