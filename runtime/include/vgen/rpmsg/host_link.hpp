// The host end of an rpmsg link: the virtio driver side, which owns every buffer. It keeps
// its receive queue stocked with empty buffers and sends by adding filled ones to its
// transmit queue, reclaiming them once the remote has read them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <vgen/rpmsg/link.hpp>
#include <vgen/rpmsg/wire.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/queue.hpp>

namespace vgen::rpmsg {

/// The host's buffers in guest memory: `count` receive buffers, then `count` transmit
/// buffers, `size` bytes each, back to back from `base` (half for each direction).
struct BufferArea {
  shm::GuestAddress base = 0;
  std::uint32_t count = 0;                  ///< buffers per direction
  std::uint32_t size = kDefaultBufferSize;  ///< bytes per buffer, header included

  /// Bytes the area spans (2 * count * size).
  std::uint64_t bytes() const noexcept { return 2ull * count * size; }
  /// Guest address of receive buffer `index` / transmit buffer `index`.
  shm::GuestAddress rx_address(std::uint32_t index) const noexcept { return base + std::uint64_t{index} * size; }
  shm::GuestAddress tx_address(std::uint32_t index) const noexcept {
    return base + (std::uint64_t{count} + index) * size;
  }
};

/// Host side of a link. Starts detached; attach() hands it a pair of driver queues. While
/// detached, nothing is received and no buffer can be acquired.
class HostLink final : public Link {
 public:
  /// Maps the buffer area (it must lie inside one region of `memory`). Throws
  /// rpmsg::Error(InvalidConfig) for a count of 0, a size outside 32..65536 or an area
  /// outside memory. `incoming` is the remote-to-host notifier (null when busy polling).
  HostLink(const shm::GuestMemory& memory, const BufferArea& buffers, notify::Notifier* incoming);

  /// Starts over on `rx_queue` (queue 0) and `tx_queue` (queue 1), freshly set up: every
  /// transmit buffer is free again, every receive buffer is offered, and the remote kicked.
  /// Throws rpmsg::Error(InvalidConfig) when a queue has fewer free descriptors than
  /// buffers per direction.
  void attach(virtqueue::DriverQueue& rx_queue, virtqueue::DriverQueue& tx_queue);
  /// Forgets the queues (their owner is resetting them).
  void detach() noexcept;
  /// True between attach() and detach().
  bool attached() const noexcept { return rx_ != nullptr; }
  /// The buffer area.
  const BufferArea& buffers() const noexcept { return buffers_; }

  Side side() const noexcept override { return Side::Host; }
  std::uint32_t buffer_size() const noexcept override { return buffers_.size; }
  notify::Notifier* incoming() const noexcept override { return incoming_; }

  VGEN_RPMSG_LINK_OPERATIONS

 private:
  void offer_rx(std::uint32_t index);
  void collect_tx();

  BufferArea buffers_;
  std::byte* rx_host_ = nullptr;  // first receive buffer in this process
  std::byte* tx_host_ = nullptr;  // first transmit buffer
  notify::Notifier* incoming_;
  virtqueue::DriverQueue* rx_ = nullptr;
  virtqueue::DriverQueue* tx_ = nullptr;
  std::vector<std::uint32_t> free_tx_;  // transmit buffers not in the queue (a stack: reuse warm ones)
};

}  // namespace vgen::rpmsg
