// The event channels of a split link's rings (xenbus-protocol notes, "Handshake"): one port
// per distinct event channel node of the spec, in spec order, rings naming the same node
// sharing its port, and one fd that is readable when the peer notified any of them. The
// frontend allocates the ports and the backend binds them; both poll, notify and close them
// alike through this class.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include <vgen/halves/split_spec.hpp>
#include <vgen/xen/event_channel.hpp>

namespace vgen::halves {

/// The ports of a spec's rings, open between open() and close().
class RingPorts {
 public:
  /// The ports of `spec`'s rings over `events` (both must outlive this object); none is open.
  RingPorts(xen::EventChannels& events, const SplitSpec& spec);
  RingPorts(const RingPorts&) = delete;
  RingPorts& operator=(const RingPorts&) = delete;
  /// Closes what is still open.
  ~RingPorts() { close(); }

  /// Opens the port of every distinct event channel node, in spec order, with `open_port`
  /// (the frontend allocates an unbound port, the backend binds the one the frontend
  /// published), then, for several ports, the epoll fd event_fd() returns. A port opened
  /// before a failure stays open until close().
  void open(const std::function<xen::Port(std::string_view node)>& open_port);
  /// Consumes every port's pending notification. Called before the rings are read, so a
  /// notification that arrives while they are read stays pending and wakes the next poll.
  void consume();
  /// Notifies the peer on ring `ring`'s port; a port the peer closed is passed over (the peer
  /// is going away and the ring with it).
  void notify(std::size_t ring);
  /// Readable when the peer notified any port: the port's own fd when there is one, else the
  /// epoll fd (-1 when no port is open).
  int event_fd() const;
  /// Closes the epoll fd and every open port (one closed already is passed over).
  void close() noexcept;

 private:
  xen::EventChannels& events_;
  std::vector<std::string_view> nodes_;  // distinct event channel nodes, in spec order
  std::vector<std::size_t> ring_port_;   // per ring: its node's index in nodes_ and ports_
  std::vector<xen::Port> ports_;         // open, one per node
  int epoll_fd_ = -1;                    // several ports: readable when any is
};

}  // namespace vgen::halves
