// The driver side of the shared-memory virtio-mmio bus (see mmio_window.hpp): each register
// access becomes one bus cycle served by the device process.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include <vgen/notify/mailbox.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/mmio_window.hpp>

namespace vgen::virtio {

/// Posts accesses into an MmioWindow and waits for their completion. Thread-safe: accesses
/// from several threads are serialised, one cycle in flight at a time, as on a real bus.
class MmioSharedBus final : public MmioBus {
 public:
  /// How long an access waits for the device before virtio::Error(Timeout).
  static constexpr std::chrono::seconds kDefaultTimeout{5};

  /// `window` (formatted, see MmioWindow::attach) must outlive the bus.
  explicit MmioSharedBus(MmioWindow& window, std::chrono::nanoseconds timeout = kDefaultTimeout);

  /// One read cycle. Throws virtio::Error(Timeout) if the device does not complete it and
  /// InvalidArgument for a width other than 1, 2, 4.
  AccessResult read(std::uint32_t offset, unsigned width) override;
  /// One write cycle; same errors as read().
  AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

  /// The device's interrupt line, for waiting.
  notify::Notifier& interrupt_line() noexcept { return interrupt_; }
  /// Cycles completed through this bus.
  std::uint64_t cycles() const noexcept { return cycles_; }

 private:
  AccessResult cycle(std::uint32_t offset, unsigned width, bool is_write, std::uint32_t value);

  MmioWindow& window_;
  std::chrono::nanoseconds timeout_;
  std::mutex mutex_;
  notify::MailboxNotifier request_;
  notify::MailboxNotifier response_;
  notify::MailboxNotifier interrupt_;
  std::uint32_t sequence_ = 0;
  std::uint64_t cycles_ = 0;
};

}  // namespace vgen::virtio
