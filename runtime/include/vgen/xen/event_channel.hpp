// Event channels between domains: a domain allocates an unbound port for a remote domain,
// the remote domain binds to it and gets a local port of its own, and from then on
// notify() on either port wakes whoever waits on the other one.
//
// Each bound pair is carried by two eventfds, one per direction, created by the allocating
// domain. Domains exchange them, and the bookkeeping, over a control link: a connected
// Unix socket per pair of domains (a socketpair in one process, or one end inherited or
// passed to another process). Control messages are 16 bytes, host byte order:
//
//   offset  size  field
//        0     4  kind         Offer = 1, Bound = 2, Closed = 3
//        4     4  port         the sender's port
//        8     4  remote_port  the receiver's port it concerns (Bound, Closed), else 0
//       12     2  domid        Offer: the domain the port is allocated for; else 0
//       14     2  reserved     0
//
// Offer: "I allocated `port` for `domid`". It goes to every linked domain so that a wrong
// domain trying to bind gets a precise error; only the message to `domid` itself carries
// the two eventfds (first: the one the binder signals, second: the one the allocator
// signals). Bound: "my `port` is now bound to your `remote_port`". Closed: "I closed `port`
// (bound to your `remote_port`, or 0)".
//
// Messages are read by process_control() (bind_interdomain() calls it first). A domain
// learns that its peer bound or closed only then: until it does, status() shows the old
// state. Differences from Xen, on purpose: notify() on an allocated but not yet bound port
// is kept (the eventfd counts it) and seen once the peer binds, rather than dropped; and
// when one end closes, the other end becomes PeerClosed (notify/wait on it fail) instead
// of reverting to unbound, so a new pair is set up with a fresh alloc_unbound().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <vector>

#include <vgen/notify/eventfd.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen {

namespace detail {
class FdOwner;
}

/// State of a local port.
enum class PortState : std::uint8_t {
  Free,         ///< not allocated (never, or closed)
  Unbound,      ///< allocated for a remote domain that has not bound yet (as far as we know)
  Interdomain,  ///< bound to a remote domain's port
  PeerClosed,   ///< the remote end closed; only close() is allowed
};

/// "Free", "Unbound", "Interdomain" or "PeerClosed".
const char* to_string(PortState state) noexcept;

/// What status() reports about a port.
struct PortStatus {
  PortState state = PortState::Free;  ///< see PortState
  DomainId remote = 0;                ///< the remote domain (not Free)
  Port remote_port = 0;               ///< the remote port once known (Interdomain), else 0
};

/// Kinds of control message (offset 0 of each 16-byte message).
enum class ControlKind : std::uint32_t { Offer = 1, Bound = 2, Closed = 3 };

/// One control message, as sent on a link.
struct ControlMessage {
  ControlKind kind = ControlKind::Offer;  ///< see ControlKind
  Port port = 0;                          ///< the sender's port
  Port remote_port = 0;                   ///< the receiver's port it concerns, else 0
  DomainId domid = 0;                     ///< Offer: the domain the port is for
  std::uint16_t reserved = 0;             ///< zero
};
static_assert(sizeof(ControlMessage) == 16);

/// The event channels of one domain. Not thread-safe: one thread uses an object (other
/// domains, in other threads or processes, use their own).
class EventChannels {
 public:
  /// Ports 1..max_ports are usable (port 0 is never allocated, as in Xen).
  /// Throws xen::Error(Invalid) when max_ports is 0 or above 1<<20.
  explicit EventChannels(DomainId self, std::uint32_t max_ports = 1024);
  EventChannels(const EventChannels&) = delete;
  EventChannels& operator=(const EventChannels&) = delete;
  ~EventChannels();

  /// This domain.
  DomainId self() const noexcept { return self_; }

  /// Adds the control link to `peer` over a connected Unix socket (stream or seqpacket;
  /// ownership taken). Offers for ports already allocated are sent on it. Throws
  /// xen::Error: Invalid for peer == self or a second link to the same peer (the socket is
  /// closed then), System when the offers cannot be sent (the link is dropped).
  void connect(DomainId peer, int socket);
  /// Links two domains of this process with a socketpair.
  static void link(EventChannels& first, EventChannels& second);

  /// Allocates a port that only `remote` may bind. Throws TableFull, System.
  Port alloc_unbound(DomainId remote);
  /// Binds to `remote_port` of `remote` and returns the local port. Throws xen::Error:
  /// Invalid (no link to `remote`), BadPort (not allocated, or closed by its owner),
  /// WrongDomain (allocated for another domain), PortState (already bound here: a double
  /// bind, or bound and closed), TableFull, Protocol (from process_control()).
  Port bind_interdomain(DomainId remote, Port remote_port);
  /// Wakes the other end. Throws BadPort (unknown or free port), PortState (peer closed);
  /// notify::Error if writing the eventfd fails.
  void notify(Port port);
  /// Waits up to `timeout` for a notification on `port` and consumes it; true if one came.
  /// Same errors as notify() (notify::Error if reading or polling the eventfd fails).
  bool wait(Port port, std::chrono::nanoseconds timeout);
  /// The fd that becomes readable when `port` has a pending notification (for poll/epoll;
  /// consume with wait(port, 0)). Same errors as notify().
  int pollable_fd(Port port) const;
  /// Frees `port` and tells the linked domains. Throws BadPort (unknown or free port).
  void close(Port port);
  /// State of `port` (Free for any port number never allocated, in range or not).
  PortStatus status(Port port) const noexcept;

  /// Where notifications go: each notify() as EventSent and each notification wait()
  /// consumed as EventReceived (index = the local port, head = this domain); null stops.
  void set_trace(trace::TraceSink* sink) noexcept { trace_ = sink; }

  /// Handles every control message already received, without blocking. A peer that hung
  /// up makes its ports PeerClosed. Throws xen::Error(Protocol) naming the peer and the
  /// message for a malformed or impossible message (the link is dropped then).
  void process_control();

 private:
  struct LocalPort {
    PortStatus status;
    std::unique_ptr<notify::EventfdNotifier> inbound;   // the peer signals, we wait
    std::unique_ptr<notify::EventfdNotifier> outbound;  // we signal, the peer waits
  };
  struct Offer {
    DomainId for_domain = 0;
    std::unique_ptr<notify::EventfdNotifier> to_allocator;    // only for offers to us
    std::unique_ptr<notify::EventfdNotifier> from_allocator;  // only for offers to us
    Port bound_here = 0;                                      // our port bound to it, 0 if none
    bool released = false;                                    // we bound it and closed our end
  };
  struct Link {
    int socket = -1;
    std::map<Port, Offer> offers;  // the peer's allocated ports, as it announced them
    std::set<Port> closed;         // the peer's ports it announced as closed since
  };

  LocalPort& checked_port(Port port, const char* operation);
  const LocalPort& checked_port(Port port, const char* operation) const;
  Port take_free_port(const char* operation) const;
  void send(Link& link, const ControlMessage& message, std::span<const int> fds = {});
  void send_offer(DomainId peer, Link& link, Port port, const LocalPort& local);
  bool read_one(DomainId peer, Link& link);
  void handle(DomainId peer, Link& link, const ControlMessage& message, std::vector<detail::FdOwner>& fds);
  void handle_offer(DomainId peer, Link& link, const ControlMessage& message, std::vector<detail::FdOwner>& fds);
  void handle_bound(DomainId peer, const ControlMessage& message);
  void handle_closed(DomainId peer, Link& link, const ControlMessage& message);
  void drop_link(DomainId peer);

  DomainId self_;
  trace::TraceSink* trace_ = nullptr;
  std::vector<LocalPort> ports_;  // index = port number; [0] unused
  std::map<DomainId, Link> links_;
};

}  // namespace vgen::xen
