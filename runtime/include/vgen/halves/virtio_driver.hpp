// The driver half of a VirtIO pair, written once for every spec: initialises the device
// (VirtIO 1.2 §3.1.1), sets up the queues the negotiated features allow, owns each queue's
// buffer slots, sends, posts and submits requests, matches every used chain with the slot
// and request it came from, and kicks the device once per batch. A generated base class
// derives from VirtioDriver<Config, kSpec> and adds the typed surface: one send_/post_/
// request_ function and one handler per queue, decoded from the bytes this class hands over.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include <vgen/halves/demo_traffic.hpp>   // for the generated bases' demo traffic
#include <vgen/halves/handler_check.hpp>  // for the generated bases' Overrides
#include <vgen/halves/slot_pool.hpp>
#include <vgen/halves/virtio_spec.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtio/driver_core.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::halves {

/// Settings of a driver half.
struct DriverOptions {
  /// Features to ask for; the spec's offer when empty. The driver core keeps those the
  /// device offers and vgen implements.
  std::optional<std::uint64_t> features;
  /// Data bytes a request on a bidirectional queue carries each way, at most, on a queue whose
  /// spec gives no bound (QueueSpec::data_bytes).
  std::uint32_t request_data_bytes = 4096;
};

/// A used chain of a bidirectional queue, as the driver gets it back.
struct Reply {
  std::span<const std::byte> request;  ///< the request header as it was sent
  std::span<const std::byte> data_in;  ///< the bytes the device wrote for the request
  std::span<const std::byte> reply;    ///< the reply (empty when the queue has no reply type)
};

/// The driver's message queues (see the file comment). Single-threaded: one thread makes
/// every call, and the handlers run inside poll().
class VirtioDriverQueues {
 public:
  /// The rings and slots of every queue are carved from `allocator` once. `spec`,
  /// `transport`, `memory` and the allocator's area must outlive the driver. Throws
  /// shm::Error when the allocator is too small.
  VirtioDriverQueues(const VirtioSpec& spec, virtio::Transport& transport, const shm::GuestMemory& memory,
                     shm::Allocator& allocator, DriverOptions options = {});
  virtual ~VirtioDriverQueues() = default;
  VirtioDriverQueues(const VirtioDriverQueues&) = delete;
  VirtioDriverQueues& operator=(const VirtioDriverQueues&) = delete;

  /// Initialises the device (§3.1.1 steps 1 to 8), sets up every queue whose feature was
  /// negotiated, calls on_started() and returns the negotiated features. Throws
  /// virtio::Error naming the step that failed.
  std::uint64_t start();
  /// Reclaims every used chain and hands it to its handler; kicks the device for what was
  /// queued. Returns the chains reclaimed.
  std::size_t poll();
  /// Polls, sleeping on the interrupt line when idle, until `done()` or `timeout` passed.
  /// Returns `done()`. Throws virtio::Error(DeviceNeedsReset) when the device asks for one.
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout);
  /// §3.3: resets the device and takes back every buffer (the tokens, per queue).
  virtio::DetachedBuffers stop();

  /// The driver core (status, features, queues).
  virtio::DriverCore& core() noexcept { return core_; }
  /// The spec this driver follows.
  const VirtioSpec& spec() const noexcept { return spec_; }
  /// True if feature `bit` was negotiated.
  bool has_feature(unsigned bit) const noexcept { return core_.has_feature(bit); }
  /// True once queue `index` is set up.
  bool has_queue(std::uint16_t index) const noexcept { return core_.has_queue(index); }
  /// Used chains the device returned too short for their message or reply type.
  std::uint64_t malformed() const noexcept { return malformed_; }

 protected:
  /// Runs once the device is live (after DRIVER_OK): post buffers, send first messages.
  virtual void on_started() {}
  /// Device-to-driver queue `index` returned `bytes`: at least the message's size on a
  /// typed queue (shorter chains are counted in malformed()), what the device wrote on a raw
  /// one. The slot is free again when this returns. Generated bases decode and dispatch.
  virtual void on_queue_buffer(std::uint16_t index, std::span<const std::byte> bytes);
  /// Bidirectional queue `index` answered a request.
  virtual void on_queue_reply(std::uint16_t index, const Reply& reply);

  /// Queues `bytes` (1 to the queue's message size) on driver-to-device queue `index`; false
  /// when the queue is not set up or every slot is in flight (poll, then retry). Throws
  /// virtio::Error(InvalidArgument) for another queue or a bad length.
  bool send_bytes(std::uint16_t index, std::span<const std::byte> bytes);
  /// Queues `message` followed by `data` (at most the queue's data_bytes) on driver-to-device
  /// queue `index`, as one buffer; otherwise as send_bytes above.
  bool send_bytes(std::uint16_t index, std::span<const std::byte> message, std::span<const std::byte> data);
  /// Posts up to `count` empty buffers on device-to-driver queue `index`; returns how many.
  std::size_t post_buffers(std::uint16_t index, std::size_t count);
  /// Queues a request on bidirectional queue `index`: `header` and `data_out` for the device
  /// to read, then room for `data_in_bytes` of data and the reply for it to write, the reply
  /// first or last as the spec places it (VirtIO 1.2 §2.7.4: readable buffers first). False
  /// without a free slot. Throws virtio::Error(InvalidArgument) for data above the queue's
  /// bound (QueueSpec::data_bytes, else DriverOptions::request_data_bytes) or for a part the
  /// queue's chain does not have.
  bool submit_request(std::uint16_t index, std::span<const std::byte> header, std::span<const std::byte> data_out,
                      std::uint32_t data_in_bytes);
  /// Reads the configuration space into `out` field by field (spec().config), each under the
  /// generation check of §2.5.1; `out` holds at least spec().config_bytes bytes.
  void read_config_bytes(std::span<std::byte> out);

 private:
  /// One queue's rings, slots and the data-in room of each request in flight.
  struct Queue {
    virtqueue::RingAddresses rings;
    SlotPool slots;
    std::vector<std::uint32_t> data_in_bytes;
    bool pending_kick = false;
  };

  const QueueSpec& checked(std::uint16_t index, Direction direction, const char* operation) const;
  std::uint32_t slot_bytes(const QueueSpec& queue) const noexcept;
  std::uint32_t request_data_bytes(const QueueSpec& queue) const noexcept;
  bool add(std::uint16_t index, std::span<const virtqueue::Buffer> readable,
           std::span<const virtqueue::Buffer> writable);
  void dispatch(std::uint16_t index, const virtqueue::UsedBuffer& used);
  void dispatch_reply(std::uint16_t index, std::span<const std::byte> slot, const virtqueue::UsedBuffer& used);
  void flush();
  bool arm_interrupts();

  const VirtioSpec& spec_;
  const shm::GuestMemory& memory_;
  DriverOptions options_;
  virtio::DriverCore core_;
  std::vector<Queue> queues_;
  std::uint64_t malformed_ = 0;
};

/// The driver half of the device `Spec` describes, whose configuration space has the layout
/// of `Config` (a generated struct; NoConfig for a device without one).
template <class Config, const VirtioSpec& Spec>
class VirtioDriver : public VirtioDriverQueues {
 public:
  /// The spec this half follows.
  static constexpr const VirtioSpec& kSpec = Spec;

  /// See VirtioDriverQueues.
  VirtioDriver(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator,
               DriverOptions options = {})
      : VirtioDriverQueues(Spec, transport, memory, allocator, options) {}

  /// Reads the configuration space, each field with the generation check of §2.5.1.
  Config read_config() {
    static_assert(std::is_trivially_copyable_v<Config>);
    Config config{};
    read_config_bytes(std::as_writable_bytes(std::span(&config, 1)));
    return config;
  }
};

}  // namespace vgen::halves
