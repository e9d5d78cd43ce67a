// Serving one half of a VirtIO pair over a virtio-mmio window shared with another process:
// the device half answers the window's bus cycles; the driver half finds the device in the
// window and runs. Used by forked children and by programs given --conform-serve.
#pragma once

#include <vgen/conform/virtio_target.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtio/mmio_window.hpp>

namespace vgen::conform::virtio_checks {

/// Bytes of the shared register window region.
inline constexpr std::size_t kWindowBytes = 4096;

/// Serves `target`'s device over `window` until the host sets the window's stop flag.
/// Returns 0, or 1 when the device could not be made.
int serve_mmio_device(const VirtioTarget& target, const shm::GuestMemory& ram, virtio::MmioWindow& window);
/// Finds the device in `window` and runs `target`'s driver; 0 when it completed, 1 otherwise.
int run_mmio_driver(const VirtioTarget& target, const shm::GuestMemory& ram, virtio::MmioWindow& window);

/// Receives guest RAM and the window over `socket` (two shm::send_memory tables, RAM first),
/// then serves the device (role "device") or runs the driver (role "driver").
int serve_over_socket(const VirtioTarget& target, const std::string& role, int socket);

}  // namespace vgen::conform::virtio_checks
