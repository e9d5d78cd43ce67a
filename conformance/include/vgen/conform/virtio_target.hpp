// How a VirtIO pair is handed to the conformance harness: its device half as a factory of
// DeviceModels, its driver half as a function that runs over any Transport, and the requests
// its device answers. A generated pair builds one from its halves (see docs/conformance.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::conform {

/// One valid request on one queue, used by checks that need the device to do something: a
/// chain of `readable` bytes followed by `writable` bytes of room. Probes are submitted in
/// list order; those marked `answered` must come back once every probe is available and the
/// queues were notified (a device-to-driver buffer that waits for data is not answered).
struct VirtioProbe {
  std::uint16_t queue = 0;          ///< queue index
  std::vector<std::byte> readable;  ///< device-readable bytes (may be empty)
  std::uint32_t writable = 0;       ///< device-writable bytes (may be 0)
  bool answered = true;             ///< the device returns it without further input
  bool find_out = false;            ///< whether it is answered is unknown: the harness tries it
                                    ///< once before the checks and sets `answered`
};

/// A VirtIO pair under test. Either half may be missing; checks of a missing half are not run.
struct VirtioTarget {
  /// Name printed in reports, e.g. "virtio-rng".
  std::string name;
  /// Makes a fresh device half (called once per check, in the check's own process).
  std::function<std::unique_ptr<virtio::DeviceModel>()> make_device;
  /// Runs the driver half once over `transport`: initialise the device (§3.1.1), do its work,
  /// shut down (§3.3). True when it completed; false or an exception when it gave up.
  std::function<bool(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator)>
      run_driver;
  /// Requests the device answers; empty: the harness's own requests for the device ID
  /// (entropy, block, console and the loopback sample are known).
  std::vector<VirtioProbe> probes;
  /// For a device half that serves its own virtio-mmio register file over the DeviceCore
  /// (the harness's own tests use it for deliberately broken devices): returns the bus to
  /// serve in place of the runtime's register file `registers`. Empty: the runtime's.
  std::function<std::unique_ptr<virtio::MmioBus>(virtio::DeviceCore& core, virtio::MmioBus& registers)> wrap_registers;
};

}  // namespace vgen::conform
