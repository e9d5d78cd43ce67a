// xen-blk: the backend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_blk_backend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the backend does.
#pragma once

#include <vgen/profiles/blkif_ram_disk.hpp>

#include "xen_blk_backend_base.hpp"

namespace xen_blk {

/// The xen-blk backend. By default it is vgen's blkif RAM disk: reads and writes move whole
/// sectors between the disk and the frontend's granted pages, a flush succeeds, anything else
/// is answered "unsupported".
class XenBlkBackend : public XenBlkBackendBase {
 public:
  using XenBlkBackendBase::XenBlkBackendBase;

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override;
  BlkifResponse on_request(const BlkifRequest& request) override;

 private:
  vgen::profiles::blkif::RamDisk disk_{mapper()};
};

}  // namespace xen_blk
