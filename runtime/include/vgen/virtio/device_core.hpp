// The device side of a VirtIO 1.2 device, written once for every transport: the status machine
// (§2.1), feature negotiation checks (§2.2, §6), configuration space with generation (§2.5),
// device reset (§2.4), virtqueue life cycle with SplitDeviceQueue and virtqueue reset
// (§2.6.1), interrupt status, and DEVICE_NEEDS_RESET on hostile driver input (§2.1.2).
//
// Its public functions are the register-level API: each corresponds to one transport register
// access, so a transport (or a conformance harness playing a hostile driver) drives it
// directly. A driver action that breaks a rule is refused: the state is left unchanged, the
// reason goes to rejections(), and virtio::Error(Rejected) is thrown.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/notify/notifier.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/virtio/config_space.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/rejection_log.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/split_device.hpp>

namespace vgen::virtio {

/// One device instance: a DeviceModel plus the generic state every VirtIO device keeps.
/// Thread-safe: every public function takes the core's (recursive) lock, so a transport thread,
/// a device thread updating the configuration and model hooks may all call it. Interrupts
/// raised during a call are delivered once the outermost call has released the lock, as an
/// interrupt line is sampled after a bus cycle completes; an in-process driver's interrupt
/// handler may therefore call straight back into the core.
class DeviceCore {
 public:
  /// Checks the model (§2.2.2: every offered feature's requirements offered; VERSION_1 offered;
  /// only supported reserved bits; device ID non-zero; queue sizes 0 or a power of two up to
  /// 32768; configuration at most kMaxConfigBytes). Throws virtio::Error(InvalidArgument).
  /// `memory` and `model` must outlive the core.
  DeviceCore(const shm::GuestMemory& memory, DeviceModel& model);
  ~DeviceCore();
  DeviceCore(const DeviceCore&) = delete;
  DeviceCore& operator=(const DeviceCore&) = delete;

  // --- identity -------------------------------------------------------------------------
  /// Device and vendor ID of the model.
  DeviceIdentity identity() const noexcept { return identity_; }
  /// Number of queue indexes the model declares (available or not).
  std::uint32_t queue_count() const noexcept { return static_cast<std::uint32_t>(queues_.size()); }
  /// The guest memory the queues live in.
  const shm::GuestMemory& memory() const noexcept { return memory_; }

  // --- device status (§2.1) -------------------------------------------------------------
  /// The status byte.
  std::uint8_t status();
  /// A driver write of the status. 0 resets the device (§2.4). Otherwise the write may only
  /// add bits, each after its predecessor (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK);
  /// DEVICE_NEEDS_RESET belongs to the device and is ignored in the written value. Setting
  /// FEATURES_OK runs the feature checks: when they fail the bit stays clear (§2.2.2) and
  /// refusal() says why. Setting DRIVER_OK makes the ready queues live and activates the model.
  /// Rejected: undefined bits, a cleared bit, a bit without its predecessor, any non-zero
  /// write after FAILED (§2.1.1: reset first).
  void set_status(std::uint8_t value);
  /// Device reset (§2.4): status 0, every queue stopped and unready, interrupt status 0, no
  /// notification and no queue access until the driver initialises the device again.
  void reset();

  // --- features (§2.2) ------------------------------------------------------------------
  /// Offered feature bits select*32 .. select*32+31 (0 for select >= 2).
  std::uint32_t device_features(std::uint32_t select);
  /// Driver-accepted bits select*32 .. select*32+31. Rejected after FEATURES_OK (§3.1.1: no
  /// new features), and non-zero bits in select >= 2.
  void set_driver_features(std::uint32_t select, std::uint32_t value);
  /// The whole offered word.
  std::uint64_t offered_features() const noexcept { return offered_; }
  /// What the driver has written so far.
  std::uint64_t driver_features();
  /// The negotiated features: the driver's set once FEATURES_OK is set, 0 before.
  std::uint64_t negotiated_features();
  /// True if feature `bit` is negotiated.
  bool has_feature(unsigned bit);
  /// Why the last FEATURES_OK was refused ("" if none was).
  std::string refusal();

  // --- queues (§2.6; the registers of §4.2.2) -------------------------------------------
  /// QueueNumMax: maximum size of queue `index`, 0 if it does not exist or is unavailable.
  std::uint32_t queue_max_size(std::uint32_t index);
  /// QueueNum as last written (the maximum after reset).
  std::uint32_t queue_size(std::uint32_t index);
  /// QueueNum. Rejected for an unavailable queue, a ready queue (§4.2.2.2), or a size that is
  /// not a power of two no larger than the maximum.
  void set_queue_size(std::uint32_t index, std::uint32_t size);
  /// Descriptor / driver / device area addresses as last written.
  virtqueue::RingAddresses queue_addresses(std::uint32_t index);
  /// QueueDesc/Driver/Device. Rejected for an unavailable or a ready queue.
  void set_queue_addresses(std::uint32_t index, const virtqueue::RingAddresses& addresses);
  /// Where the device side of queue `index` starts when it next becomes live ({0, 0} after a
  /// reset). Rejected for an unavailable or a ready queue. For transports that stop and resume
  /// rings (vhost-user SET_VRING_BASE); register-level transports never call it.
  void set_queue_start(std::uint32_t index, const virtqueue::RingPosition& start);
  /// The live queue's position (next avail entry, used idx published), or nullopt when queue
  /// `index` is not live.
  std::optional<virtqueue::RingPosition> queue_position(std::uint32_t index);
  /// QueueReady.
  bool queue_ready(std::uint32_t index);
  /// QueueReady write. 1 checks the rings (alignment, inside guest memory; rejected if not)
  /// and, once DRIVER_OK is set, makes the queue live at once. 0 stops the queue: the device
  /// drops it and touches its rings no more.
  void set_queue_ready(std::uint32_t index, bool ready);
  /// QueueReset (§2.6.1): needs VIRTIO_F_RING_RESET negotiated (rejected otherwise). The queue
  /// stops, its settings return to the reset values, and QueueReady reads 0. Completes before
  /// returning, so QueueReset reads 0 afterwards.
  void reset_queue(std::uint32_t index);
  /// QueueNotify: an available buffer notification. Rejected before DRIVER_OK (§3.1.1), for a
  /// queue that does not exist or is not ready (§4.2.2.1: no queue access then). Ignored once
  /// the device needs a reset or the driver set FAILED.
  void notify_queue(std::uint32_t index);

  // --- interrupts (§2.3) ----------------------------------------------------------------
  /// InterruptStatus: bits raised and not yet acknowledged.
  std::uint32_t interrupt_status();
  /// InterruptACK: clears `bits`. Rejected if an undefined bit is set (§4.2.2.2).
  void acknowledge_interrupt(std::uint32_t bits);
  /// The line signalled when an interrupt is raised (null: none). Transports install it.
  void set_interrupt_notifier(notify::Notifier* line);

  // --- configuration space (§2.5) -------------------------------------------------------
  /// ConfigGeneration.
  std::uint32_t config_generation();
  /// Size of the configuration space in bytes.
  std::size_t config_size() const noexcept { return config_size_; }
  /// A driver read of `width` (1, 2, 4) bytes at `offset`, naturally aligned and inside the
  /// space (rejected otherwise). Allowed in any state (§2.5.2).
  std::uint32_t read_config(std::uint32_t offset, unsigned width);
  /// A driver write; rejected before FEATURES_OK (§3.1.1 step 4), for a bad access, or when
  /// the model refuses it.
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value);

  // --- device-initiated -----------------------------------------------------------------
  /// The device changes configuration bytes: the generation moves, and with `notify_driver`
  /// a configuration change interrupt is raised if DRIVER_OK is set. Throws
  /// virtio::Error(InvalidArgument) for a range outside the space.
  void update_config(std::uint32_t offset, std::span<const std::byte> bytes, bool notify_driver = true);
  /// A copy of the configuration bytes.
  std::vector<std::byte> config_bytes();
  /// Sets DEVICE_NEEDS_RESET (§2.1.2): the device stops using its queues and, if DRIVER_OK is
  /// set, raises a configuration change interrupt. `reason` is kept (needs_reset_reason()).
  void set_needs_reset(const std::string& reason);
  /// Why the device needs a reset ("" when it does not).
  std::string needs_reset_reason();
  /// The live queue `index` (ready, DRIVER_OK, device not stopped), else null. Only use it
  /// inside a model hook or run(): a reset on another thread destroys it.
  virtqueue::DeviceQueue* queue(std::uint32_t index);
  /// Runs `work` under the core's lock, for device work not started by a register access (a
  /// timer, an I/O completion). A vgen::Error from `work` sets DEVICE_NEEDS_RESET.
  void run(const std::function<void()>& work);

  // --- diagnostics ----------------------------------------------------------------------
  /// Every refused driver action.
  RejectionLog& rejections() noexcept { return rejections_; }
  /// Interrupts that could not be signalled because the notifier failed (normally 0).
  std::uint64_t lost_interrupts() const noexcept { return lost_interrupts_.load(std::memory_order_relaxed); }
  /// Where status changes (EventKind::StateChanged, a = old, b = new) and the queues' events
  /// go; null stops tracing. `ends`: trace::Ends::Both when the driver records into `sink` too
  /// (the queues' ChainTaken records then hold their numbers only).
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One);
  /// The sink given to set_trace(), or null (the virtio-mmio register file records into it).
  trace::TraceSink* trace() const noexcept { return trace_; }

 private:
  class Access;
  class QueueInterrupt;
  struct QueueState;

  [[noreturn]] void reject(const std::string& message);
  QueueState& existing_queue(std::uint32_t index, const char* what);
  void check_offer() const;
  std::optional<std::string> feature_problem(std::uint64_t accepted) const;
  void add_status_bits(std::uint8_t old_status, std::uint8_t added);
  void activate();
  bool make_live(std::uint16_t index);
  void stop_queue(std::uint16_t index);
  void raise_interrupt(std::uint32_t bits);
  void change_status(std::uint8_t value);
  bool running() const noexcept;
  template <class Hook>
  void guarded(const char* what, Hook&& hook);
  void reset_locked();
  void enter_needs_reset(const std::string& reason);

  const shm::GuestMemory& memory_;
  DeviceModel& model_;
  DeviceIdentity identity_;
  std::uint64_t offered_ = 0;
  std::size_t config_size_ = 0;

  std::recursive_mutex mutex_;
  unsigned depth_ = 0;              // nesting of Access guards on the locking thread
  bool interrupt_pending_ = false;  // raised during this access, signalled when it ends
  std::uint8_t status_ = 0;
  std::uint64_t driver_features_ = 0;
  std::uint32_t interrupt_status_ = 0;
  std::string refusal_;
  std::string needs_reset_reason_;
  ConfigSpace config_;
  std::vector<std::unique_ptr<QueueState>> queues_;
  notify::Notifier* interrupt_line_ = nullptr;
  trace::TraceSink* trace_ = nullptr;
  trace::Ends trace_ends_ = trace::Ends::One;
  RejectionLog rejections_;
  std::atomic<std::uint64_t> lost_interrupts_{0};
};

}  // namespace vgen::virtio
