// xen-blk: the backend half's handlers (yours; vgen never overwrites this file).
#include "xen_blk_backend.hpp"

#include <cstdio>
#include <string>

namespace xen_blk {
namespace {

void log(const std::string& line) {
  std::printf("backend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

BackendNodes XenBlkBackend::on_connected([[maybe_unused]] const FrontendNodes& nodes) {
  log("connected to " + other_path());
  log("frontend protocol=" + nodes.protocol);
  BackendNodes own;
  own.sectors = disk_.sectors();
  own.info = disk_.info();
  own.sector_size = disk_.sector_size();
  own.feature_flush_cache = disk_.flush_cache();
  return own;
}

BlkifResponse XenBlkBackend::on_request(const BlkifRequest& request) {
  log("request " + describe(request));
  return vgen::wire::convert<BlkifResponse>(disk_.serve(vgen::wire::convert<vgen::xen::blkif::Request>(request)));
}

}  // namespace xen_blk
