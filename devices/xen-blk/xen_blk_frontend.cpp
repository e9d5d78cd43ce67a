// xen-blk: the frontend half's handlers (yours; vgen never overwrites this file).
#include "xen_blk_frontend.hpp"

#include <cstdio>
#include <string>

namespace xen_blk {
namespace {

void log(const std::string& line) {
  std::printf("frontend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

FrontendNodes XenBlkFrontend::on_publish() {
  FrontendNodes nodes;
  nodes.protocol = vgen::profiles::blkif::kNativeProtocol;
  return nodes;
}

void XenBlkFrontend::on_connected([[maybe_unused]] const BackendNodes& nodes) {
  log("connected to " + other_path() + " over a ring of " + std::to_string(slots()) + " slots");
  log("backend sectors=" + std::to_string(nodes.sectors));
  log("backend info=" + std::to_string(nodes.info));
  log("backend sector-size=" + std::to_string(nodes.sector_size));
  log("backend feature-flush-cache=" + std::to_string(nodes.feature_flush_cache));
  if (check_) return;  // the requests went out on an earlier connection
  // Its data pages are the frames after the ring's.
  check_.emplace(table(), other_id(), data_frame());
  for (const vgen::xen::blkif::Request& request : check_->requests()) {
    const auto typed = vgen::wire::convert<BlkifRequest>(request);
    if (!send(typed)) {
      log("ring full: request " + std::to_string(request.id) + " not sent");
      continue;
    }
    log("sent " + describe(typed));
  }
}

void XenBlkFrontend::on_response(const BlkifResponse& response) {
  log("received " + describe(response));
  const auto outcome = check_->check(vgen::wire::convert<vgen::xen::blkif::Response>(response));
  if (!outcome.note.empty()) log(outcome.note);
}

}  // namespace xen_blk
