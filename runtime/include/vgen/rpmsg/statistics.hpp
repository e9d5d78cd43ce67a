// Counters of one rpmsg side, and the drop report a vgen side publishes in shared memory so
// that the peer's senders learn which of their messages were dropped. The report is outside
// the wire format: a Linux or OpenAMP peer neither writes nor reads it, and nothing breaks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace vgen::rpmsg {

/// What one side has counted since it was created. Every field only grows.
struct Statistics {
  std::uint64_t sent = 0;                      ///< messages handed to the link
  std::uint64_t received = 0;                  ///< messages delivered to an endpoint callback
  std::uint64_t unknown_destination = 0;       ///< received messages dropped: no endpoint at dst
  std::uint64_t rejected_messages = 0;         ///< received buffers dropped: short or oversized
  std::uint64_t rejected_announcements = 0;    ///< name-service messages that were malformed or unknown
  std::uint64_t rejected_buffers = 0;          ///< empty buffers from the host unusable for sending (remote)
  std::uint64_t callback_failures = 0;         ///< endpoint callbacks or driver probes that threw
  std::uint64_t send_timeouts = 0;             ///< blocking sends that ran out of time
  std::uint64_t send_would_block = 0;          ///< try-sends that found no free buffer
  std::uint64_t peer_unknown_destination = 0;  ///< our messages the peer dropped (its DropReport)
};

/// Written only by the side that drops messages, read by its peer; one per direction, in
/// memory both share. Zero-filled memory is the initial state. 64 bytes: its own cache line.
struct alignas(64) DropReport {
  /// Messages this side dropped because no endpoint was bound at their destination.
  std::uint64_t unknown_destination;
  /// Source and destination of the latest such message.
  std::uint32_t last_source;
  std::uint32_t last_destination;
  /// Fills the cache line; always zero.
  std::byte reserved[48];
};
static_assert(sizeof(DropReport) == 64 && std::is_trivially_copyable_v<DropReport>);
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);

/// The two reports of a host/remote pair, as laid out in shared memory.
struct SharedFeedback {
  DropReport host;    ///< drops seen by the host (messages the remote sent)
  DropReport remote;  ///< drops seen by the remote (messages the host sent)
};
static_assert(sizeof(SharedFeedback) == 128);

/// Where a side writes its own drops and reads its peer's. Either may be null (no report).
struct Feedback {
  DropReport* local = nullptr;
  const DropReport* peer = nullptr;
};

}  // namespace vgen::rpmsg
