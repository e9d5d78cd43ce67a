// virtio-blk: the driver half. vgen wrote the first version of this file; it is the driver's
// own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "virtio_blk_driver_base.hpp"

namespace virtio_blk {

/// A virtio-blk driver that writes a sector, reads it back, flushes and asks for the ID.
class VirtioBlkDriver : public VirtioBlkDriverBase {
 public:
  using VirtioBlkDriverBase::VirtioBlkDriverBase;

  /// The demo run: reads the capacity, then write, read, flush and get-ID requests. True
  /// when every request succeeded and the sector read back holds what was written.
  bool run_demo();

 protected:
  void on_requestq_reply(const BlkRequestHeader& request, const BlkRequestStatus& reply,
                         std::span<const std::byte> data_in) override;

 private:
  std::uint64_t answered_ = 0;
  std::uint64_t failed_ = 0;
  std::string read_back_;  // what the read request returned
};

}  // namespace virtio_blk
