// One side's view of the two virtqueues that carry rpmsg messages. The host is the virtio
// driver and owns every buffer; the remote is the virtio device and only borrows them:
//
//   queue 0 "rx" (host view): the host offers empty device-writable buffers; the remote
//            takes one to send, writes header + payload into it and returns it used.
//   queue 1 "tx" (host view): the host adds a filled device-readable buffer; the remote
//            takes it to receive and returns it used (length 0, or the buffer's length for a
//            host that needs it: RemoteLinkOptions) once the callback ran.
//
// HostLink and RemoteLink implement this interface; the Bus is written once against it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <vgen/notify/notifier.hpp>

namespace vgen::rpmsg {

/// Which end of the pair a link is.
enum class Side { Host, Remote };

/// "host" / "remote".
const char* to_string(Side side) noexcept;

/// A buffer lent for one outgoing message: write header and payload at `data`, then submit.
struct TxBuffer {
  std::byte* data = nullptr;   ///< `capacity` writable bytes
  std::uint32_t capacity = 0;  ///< at least the link's buffer size
  std::uint64_t token = 0;     ///< link-private
};

/// One received buffer, valid until released.
struct RxBuffer {
  /// The message bytes; at least min(length, buffer size) of them are readable. When
  /// `length` exceeds the link's buffer size the caller must reject it without reading.
  const std::byte* data = nullptr;
  std::uint32_t length = 0;  ///< bytes the sender wrote (header included)
  std::uint64_t token = 0;   ///< link-private
};

/// The link interface. Receive-side calls (receive, release_rx, flush_rx, arm_rx, disarm_rx)
/// and send-side calls (acquire_tx, submit_tx, cancel_tx, arm_tx, disarm_tx, tx_available)
/// touch different queues: one thread may make each group at a time, the two groups may run
/// concurrently. At most one TxBuffer and one RxBuffer are out at a time.
class Link {
 public:
  virtual ~Link() = default;

  /// Host or remote.
  virtual Side side() const noexcept = 0;
  /// Bytes per buffer, header included (what both sides agreed on).
  virtual std::uint32_t buffer_size() const noexcept = 0;
  /// What wakes this side when the peer signals (null: the peer never signals; busy-poll).
  virtual notify::Notifier* incoming() const noexcept = 0;

  /// The next received message, or nullopt when none waits. Throws virtqueue::Error when
  /// the peer broke the ring's rules.
  virtual std::optional<RxBuffer> receive() = 0;
  /// Gives a received buffer back to the peer (not visible to it before flush_rx()).
  virtual void release_rx(const RxBuffer& buffer) = 0;
  /// Makes released buffers visible to the peer, signalling it if it asked.
  virtual void flush_rx() = 0;
  /// Asks the peer to signal when a message arrives; true if one is already waiting.
  virtual bool arm_rx() = 0;
  /// Asks the peer not to signal arrivals (a hint).
  virtual void disarm_rx() = 0;

  /// A free transmit buffer, or nullopt when the peer holds them all.
  virtual std::optional<TxBuffer> acquire_tx() = 0;
  /// Sends the first `length` bytes of `buffer` (made visible now; the peer is signalled
  /// if it asked).
  virtual void submit_tx(const TxBuffer& buffer, std::uint32_t length) = 0;
  /// Gives an acquired buffer back unused.
  virtual void cancel_tx(const TxBuffer& buffer) = 0;
  /// Asks the peer to signal when it returns a transmit buffer; true if one is free already.
  virtual bool arm_tx() = 0;
  /// Asks the peer not to signal returned transmit buffers.
  virtual void disarm_tx() = 0;
  /// True if acquire_tx() would succeed (collecting returned buffers on the way).
  virtual bool tx_available() = 0;
  /// Empty buffers the peer offered that could not carry a message (too small, wrong
  /// direction) and were given back unused; only a remote sees those.
  virtual std::uint64_t rejected_buffers() const noexcept { return 0; }
};

/// Declares Link's message operations (receive() to tx_available()) as overrides, in a link
/// that implements every one of them, so that their list is written once, here.
#define VGEN_RPMSG_LINK_OPERATIONS                                                      \
  std::optional<::vgen::rpmsg::RxBuffer> receive() override;                            \
  void release_rx(const ::vgen::rpmsg::RxBuffer& buffer) override;                      \
  void flush_rx() override;                                                             \
  bool arm_rx() override;                                                               \
  void disarm_rx() override;                                                            \
  std::optional<::vgen::rpmsg::TxBuffer> acquire_tx() override;                         \
  void submit_tx(const ::vgen::rpmsg::TxBuffer& buffer, std::uint32_t length) override; \
  void cancel_tx(const ::vgen::rpmsg::TxBuffer& buffer) override;                       \
  bool arm_tx() override;                                                               \
  void disarm_tx() override;                                                            \
  bool tx_available() override;

}  // namespace vgen::rpmsg
