// Where one host/remote pair keeps everything in shared memory: the two rings, the host's
// buffers, the drop reports and two mailbox doorbells. The host plans it and sends it to the
// remote as bytes; the remote checks it against the memory it received before using it.
#pragma once

#include <cstdint>

#include <vgen/notify/mailbox.hpp>
#include <vgen/rpmsg/host_link.hpp>
#include <vgen/rpmsg/statistics.hpp>
#include <vgen/rpmsg/wire.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/queue.hpp>

namespace vgen::rpmsg {

/// Sizes chosen by the host.
struct LayoutOptions {
  std::uint32_t queue_size = 256;                  ///< entries per queue = buffers per direction
  std::uint32_t buffer_size = kDefaultBufferSize;  ///< bytes per buffer, header included
  bool event_idx = true;                           ///< VIRTIO_F_EVENT_IDX on both queues
};

/// The plan. Trivially copyable: the host sends it to a remote process as it is.
struct SharedLayout {
  std::uint32_t queue_size = 0;
  std::uint32_t buffer_size = 0;
  std::uint32_t event_idx = 0;  ///< 1 if the rings use event indexes
  std::uint32_t reserved = 0;
  virtqueue::RingAddresses rx_rings;      ///< the host's queue 0 ("rx")
  virtqueue::RingAddresses tx_rings;      ///< the host's queue 1 ("tx")
  shm::GuestAddress buffers = 0;          ///< queue_size rx buffers, then queue_size tx buffers
  shm::GuestAddress feedback = 0;         ///< a SharedFeedback
  shm::GuestAddress host_doorbell = 0;    ///< MailboxRegister the remote rings (host's interrupt)
  shm::GuestAddress remote_doorbell = 0;  ///< MailboxRegister the host rings (remote's kick)

  /// Bytes plan() needs from an allocator starting 4096-aligned. Throws like plan().
  static std::uint64_t bytes(const LayoutOptions& options);
  /// Allocates every part from `allocator`. Throws rpmsg::Error(InvalidConfig) for a queue
  /// size that is not a power of two from 1 to 32768 or a buffer size outside 32..65536,
  /// shm::Error when the allocator runs out.
  static SharedLayout plan(shm::Allocator& allocator, const LayoutOptions& options);

  /// Checks a layout received from a peer against `memory`: sizes in range and every part
  /// inside it and aligned. Throws rpmsg::Error(InvalidConfig) naming the first bad field.
  void validate(const shm::GuestMemory& memory) const;

  /// Queue configurations of queue 0 (rx) and queue 1 (tx).
  virtqueue::QueueConfig rx_queue() const noexcept;
  virtqueue::QueueConfig tx_queue() const noexcept;
  /// The host's buffer area.
  BufferArea buffer_area() const noexcept { return {buffers, queue_size, buffer_size}; }
  /// The parts in this process's mapping (translated through `memory`; shm::Error if outside).
  SharedFeedback* feedback_in(const shm::GuestMemory& memory) const;
  notify::MailboxRegister* host_doorbell_in(const shm::GuestMemory& memory) const;
  notify::MailboxRegister* remote_doorbell_in(const shm::GuestMemory& memory) const;
};

}  // namespace vgen::rpmsg
