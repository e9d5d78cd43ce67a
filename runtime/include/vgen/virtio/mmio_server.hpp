// The device side of the shared-memory virtio-mmio bus (see mmio_window.hpp): serves the bus
// cycles a driver process posts against a register file, and owns the device end of the
// interrupt line.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include <vgen/notify/mailbox.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/mmio_window.hpp>

namespace vgen::virtio {

/// Serves one window. Typical use: DeviceCore core; MmioRegisterFile registers(core);
/// MmioDeviceServer server(window, registers); core.set_interrupt_notifier(&server.interrupt_line());
/// server.run(). serve_pending() may instead be driven by a notify::HandlerThread waiting on
/// request_doorbell().
class MmioDeviceServer {
 public:
  /// `window` and `registers` must outlive the server. Requests posted before construction
  /// are served by the first serve_pending().
  MmioDeviceServer(MmioWindow& window, MmioBus& registers);

  /// The interrupt line to install in the DeviceCore.
  notify::Notifier& interrupt_line() noexcept { return interrupt_; }
  /// Rung by the driver for each request (and by request_stop()).
  notify::Notifier& request_doorbell() noexcept { return request_; }

  /// Serves the posted request, if any; returns whether one was served. Serialised.
  bool serve_pending();
  /// Waits up to `timeout` for a request, then serves it.
  bool wait_and_serve(std::chrono::nanoseconds timeout);
  /// Serves requests until the window's stop flag is set; re-checks the flag at least every
  /// `poll_interval`.
  void run(std::chrono::nanoseconds poll_interval = std::chrono::milliseconds(100));
  /// True once the host set the window's stop flag.
  bool stop_requested() const noexcept;
  /// Host side: sets the window's stop flag and rings the request doorbell.
  static void request_stop(MmioWindow& window);

 private:
  MmioWindow& window_;
  MmioBus& registers_;
  std::mutex mutex_;
  notify::MailboxNotifier request_;
  notify::MailboxNotifier response_;
  notify::MailboxNotifier interrupt_;
};

}  // namespace vgen::virtio
