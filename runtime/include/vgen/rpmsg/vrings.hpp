// The queues and link of one side of a SharedLayout, built in one step: HostVrings creates
// the two driver queues (initialising the rings) and a HostLink that stocks them; RemoteVrings
// maps the rings as a device and builds a RemoteLink.
#pragma once

#include <optional>

#include <vgen/rpmsg/host_link.hpp>
#include <vgen/rpmsg/layout.hpp>
#include <vgen/rpmsg/remote_link.hpp>
#include <vgen/rpmsg/statistics.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::rpmsg {

/// The two notification directions as one side sees them. Null: no notification (the peer
/// busy-polls that direction).
struct Notifiers {
  notify::Notifier* outgoing = nullptr;  ///< signals the peer (host: kick; remote: interrupt)
  notify::Notifier* incoming = nullptr;  ///< the peer signals this side
};

/// Host side of a layout. The memory and notifiers must outlive it.
class HostVrings {
 public:
  /// Initialises both rings, offers every rx buffer and kicks. Throws rpmsg::Error or
  /// virtqueue::Error(InvalidConfig) when the layout does not fit `memory`.
  HostVrings(const shm::GuestMemory& memory, const SharedLayout& layout, Notifiers notifiers);

  /// The link to give a Bus.
  HostLink& link() noexcept { return link_; }
  /// Re-initialises both rings as after a device reset (§2.4) and restocks them; messages
  /// in flight are gone. The remote must not use the rings until this returns, nor may the
  /// host's bus (call it between Bus::link_down() and link_up(), with a Shared bus's
  /// interrupt thread stopped).
  void reset();
  /// The drop reports: this side writes `host`, reads `remote`.
  Feedback feedback() const noexcept { return {&shared_->host, &shared_->remote}; }
  /// The queues (for statistics and tracing).
  virtqueue::SplitDriverQueue& rx_queue() noexcept { return *rx_; }
  virtqueue::SplitDriverQueue& tx_queue() noexcept { return *tx_; }
  /// Hands ring events of both queues to `sink` (null stops); `ends` as for
  /// virtqueue::QueueBase::set_trace(): Both when the other side records into `sink` too.
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One);
  /// Hands both queues' warnings to `sink` (empty: standard error); kept across reset().
  void set_log(virtqueue::LogSink sink);

 private:
  void build();

  const shm::GuestMemory& memory_;
  SharedLayout layout_;
  Notifiers notifiers_;
  SharedFeedback* shared_;
  trace::TraceSink* trace_ = nullptr;
  trace::Ends trace_ends_ = trace::Ends::One;
  virtqueue::LogSink log_;
  std::optional<virtqueue::SplitDriverQueue> rx_;
  std::optional<virtqueue::SplitDriverQueue> tx_;
  HostLink link_;
};

/// Remote side of a layout. Validates the layout first; memory and notifiers must outlive it.
class RemoteVrings {
 public:
  /// Throws rpmsg::Error(InvalidConfig) naming the field of a layout that does not fit.
  /// `options` are the link's settings for a host that bends the rules.
  RemoteVrings(const shm::GuestMemory& memory, const SharedLayout& layout, Notifiers notifiers,
               RemoteLinkOptions options = {});
  RemoteVrings(const RemoteVrings&) = delete;
  RemoteVrings& operator=(const RemoteVrings&) = delete;

  /// The link to give a Bus.
  RemoteLink& link() noexcept { return link_; }
  /// The drop reports: this side writes `remote`, reads `host`.
  Feedback feedback() const noexcept { return {&shared_->remote, &shared_->host}; }
  /// The queues as mapped here.
  virtqueue::SplitDeviceQueue& host_rx_queue() noexcept { return host_rx_; }
  virtqueue::SplitDeviceQueue& host_tx_queue() noexcept { return host_tx_; }
  /// Hands ring events of both queues to `sink` (null stops); `ends` as for
  /// virtqueue::QueueBase::set_trace(): Both when the other side records into `sink` too.
  void set_trace(trace::TraceSink* sink, trace::Ends ends = trace::Ends::One);

 private:
  SharedFeedback* shared_;
  virtqueue::SplitDeviceQueue host_rx_;
  virtqueue::SplitDeviceQueue host_tx_;
  RemoteLink link_;
};

}  // namespace vgen::rpmsg
