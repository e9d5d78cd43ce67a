// The remote end of an rpmsg link: the virtio device side, which owns no buffer. It receives
// by taking the host's filled buffers from the host's transmit queue (queue 1) and sends by
// taking empty buffers from the host's receive queue (queue 0), as a Linux or OpenAMP host
// expects.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <vgen/rpmsg/link.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/virtqueue/queue.hpp>

namespace vgen::rpmsg {

/// Per-link settings of the remote, for hosts that bend the VirtIO rules.
struct RemoteLinkOptions {
  /// Report the buffer length on returned transmit buffers: give each host transmit buffer
  /// back with used.len = its length (the chain's readable bytes) instead of 0, the bytes
  /// written (§2.7.8). For a host that reads that len as the buffer's capacity when it reuses
  /// the buffer, and with 0 sends a corrupt message (docs/rpmsg.md names such hosts). Hosts
  /// that follow the rule, vgen's included, ignore the len. Off by default.
  bool report_tx_buffer_length = false;
};

/// Remote side of a link. Every chain the host offers is checked: a message chain is read
/// from its readable buffers (gathered when the host split it); an empty chain is used for
/// sending only if it is wholly device-writable and holds at least buffer_size bytes, else
/// it goes back unused and is counted.
///
/// Empty chains are taken from the host's queue several at a time and kept until used: the
/// host keeps writing the available ring just behind the entries the remote reads, so taking
/// them one by one would pull that cache line across for every message.
class RemoteLink final : public Link {
 public:
  /// Most empty chains taken ahead of use.
  static constexpr std::size_t kTakeAhead = 16;

  /// `host_rx` is the host's queue 0 (empty buffers this side fills), `host_tx` its queue 1
  /// (messages this side reads). `buffer_size` is the size both sides agreed on (32..65536,
  /// rpmsg::Error(InvalidConfig) otherwise). `incoming` is the host-to-remote notifier.
  RemoteLink(virtqueue::DeviceQueue& host_rx, virtqueue::DeviceQueue& host_tx, std::uint32_t buffer_size,
             notify::Notifier* incoming, RemoteLinkOptions options = {});

  Side side() const noexcept override { return Side::Remote; }
  std::uint32_t buffer_size() const noexcept override { return buffer_size_; }
  notify::Notifier* incoming() const noexcept override { return incoming_; }

  VGEN_RPMSG_LINK_OPERATIONS

  std::uint64_t rejected_buffers() const noexcept override { return rejected_; }
  /// The settings.
  const RemoteLinkOptions& options() const noexcept { return options_; }

 private:
  bool usable_for_sending(const virtqueue::DescriptorChain& chain) const noexcept;
  void take_ahead();

  virtqueue::DeviceQueue& host_rx_;
  virtqueue::DeviceQueue& host_tx_;
  std::uint32_t buffer_size_;
  notify::Notifier* incoming_;
  RemoteLinkOptions options_;
  virtqueue::DescriptorChain rx_chain_;
  std::array<virtqueue::DescriptorChain, kTakeAhead> tx_chains_;  // a ring of usable empty chains
  std::size_t tx_first_ = 0;                                      // the oldest of them (the next to use)
  std::size_t tx_count_ = 0;                                      // how many are held
  std::vector<std::byte> rx_staging_;                             // a message the host split over several buffers
  std::vector<std::byte> tx_staging_;                             // an outgoing message for a split empty chain
  bool tx_staged_ = false;                                        // the acquired buffer is tx_staging_
  std::uint64_t rejected_ = 0;
};

}  // namespace vgen::rpmsg
