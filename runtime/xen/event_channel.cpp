#include <vgen/xen/event_channel.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <vgen/shm/error.hpp>
#include <vgen/shm/fd_passing.hpp>

#include "system_error.hpp"

namespace vgen::xen {
namespace {

constexpr std::uint32_t kMaxPorts = 1u << 20;

std::string name_port(Port port, DomainId domain) {
  return "port " + std::to_string(port) + " of domain " + std::to_string(domain);
}

std::string describe(const ControlMessage& message) {
  return "message {kind " + std::to_string(static_cast<std::uint32_t>(message.kind)) + ", port " +
         std::to_string(message.port) + ", remote_port " + std::to_string(message.remote_port) + ", domid " +
         std::to_string(message.domid) + "}";
}

// Outcome of looking at a link once.
enum class ReadResult { Nothing, Handled, HungUp };

}  // namespace

const char* to_string(PortState state) noexcept {
  switch (state) {
    case PortState::Free:
      return "Free";
    case PortState::Unbound:
      return "Unbound";
    case PortState::Interdomain:
      return "Interdomain";
    case PortState::PeerClosed:
      return "PeerClosed";
  }
  return "Unknown";
}

EventChannels::EventChannels(DomainId self, std::uint32_t max_ports) : self_(self) {
  if (max_ports == 0 || max_ports > kMaxPorts) {
    throw Error(ErrorCode::Invalid, "event channels of domain " + std::to_string(self) + ": max_ports " +
                                        std::to_string(max_ports) + " is not in 1.." + std::to_string(kMaxPorts));
  }
  ports_.resize(std::size_t{max_ports} + 1);
}

EventChannels::~EventChannels() {
  for (auto& [peer, link] : links_) ::close(link.socket);
}

void EventChannels::connect(DomainId peer, int socket) {
  detail::FdOwner owner(socket);
  const std::string what = "connect: domain " + std::to_string(self_) + " to domain " + std::to_string(peer);
  if (socket < 0) throw Error(ErrorCode::Invalid, what + ": socket " + std::to_string(socket) + " is not an fd");
  if (peer == self_) throw Error(ErrorCode::Invalid, what + ": a domain cannot link to itself");
  if (links_.contains(peer)) throw Error(ErrorCode::Invalid, what + ": the domains are linked already");
  Link& link = links_[peer];
  link.socket = owner.release();
  try {
    for (Port port = 1; port < ports_.size(); ++port) {
      if (ports_[port].status.state == PortState::Unbound) send_offer(peer, link, port, ports_[port]);
    }
  } catch (const shm::Error& error) {
    drop_link(peer);
    throw Error(ErrorCode::System, what + ": sending the pending offers failed: " + error.what());
  }
}

void EventChannels::link(EventChannels& first, EventChannels& second) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
    detail::throw_system("link: socketpair for domains " + std::to_string(first.self_) + " and " +
                             std::to_string(second.self_) + " failed",
                         errno);
  }
  detail::FdOwner second_end(sockets[1]);
  first.connect(second.self_, sockets[0]);
  second.connect(first.self_, second_end.release());
}

Port EventChannels::take_free_port(const char* operation) const {
  for (Port port = 1; port < ports_.size(); ++port) {
    if (ports_[port].status.state == PortState::Free) return port;
  }
  throw Error(ErrorCode::TableFull, std::string(operation) + ": all " + std::to_string(ports_.size() - 1) +
                                        " ports of domain " + std::to_string(self_) + " are in use");
}

const EventChannels::LocalPort& EventChannels::checked_port(Port port, const char* operation) const {
  if (port == 0 || port >= ports_.size()) {
    throw Error(ErrorCode::BadPort, std::string(operation) + ": " + name_port(port, self_) + " is out of range (1.." +
                                        std::to_string(ports_.size() - 1) + ")");
  }
  const LocalPort& local = ports_[port];
  if (local.status.state == PortState::Free) {
    throw Error(ErrorCode::BadPort,
                std::string(operation) + ": " + name_port(port, self_) + " is not allocated (never, or closed)");
  }
  return local;
}

EventChannels::LocalPort& EventChannels::checked_port(Port port, const char* operation) {
  return const_cast<LocalPort&>(std::as_const(*this).checked_port(port, operation));
}

void EventChannels::send(Link& link, const ControlMessage& message, std::span<const int> fds) {
  shm::send_with_fds(link.socket, std::as_bytes(std::span(&message, 1)), fds);
}

void EventChannels::send_offer(DomainId peer, Link& link, Port port, const LocalPort& local) {
  const ControlMessage offer{ControlKind::Offer, port, 0, local.status.remote, 0};
  if (peer == local.status.remote) {
    // First the fd the binder signals (our inbound), then the one we signal (our outbound).
    const int fds[] = {local.inbound->fd(), local.outbound->fd()};
    send(link, offer, fds);
  } else {
    send(link, offer);
  }
}

Port EventChannels::alloc_unbound(DomainId remote) {
  if (remote == self_) {
    throw Error(ErrorCode::Invalid, "alloc_unbound: domain " + std::to_string(self_) +
                                        " cannot allocate a port for itself; use a local notifier");
  }
  const Port port = take_free_port("alloc_unbound");
  LocalPort& local = ports_[port];
  try {
    local.inbound = std::make_unique<notify::EventfdNotifier>();
    local.outbound = std::make_unique<notify::EventfdNotifier>();
  } catch (const notify::Error& error) {
    local = LocalPort{};
    throw Error(ErrorCode::System, "alloc_unbound: " + name_port(port, self_) + ": " + error.what());
  }
  local.status = {PortState::Unbound, remote, 0};
  // Every linked domain hears of the port; a link that fails to take the message belongs
  // to a peer that went away, and is dropped like one.
  std::vector<DomainId> dead;
  for (auto& [peer, link] : links_) {
    try {
      send_offer(peer, link, port, local);
    } catch (const shm::Error&) {
      dead.push_back(peer);
    }
  }
  for (DomainId peer : dead) drop_link(peer);
  return port;
}

Port EventChannels::bind_interdomain(DomainId remote, Port remote_port) {
  process_control();
  const std::string what =
      "bind_interdomain: domain " + std::to_string(self_) + " to " + name_port(remote_port, remote);
  auto found = links_.find(remote);
  if (found == links_.end()) {
    throw Error(ErrorCode::Invalid, what + ": no event-channel link to domain " + std::to_string(remote));
  }
  Link& link = found->second;
  auto offer = link.offers.find(remote_port);
  if (offer == link.offers.end()) {
    if (link.closed.contains(remote_port)) throw Error(ErrorCode::BadPort, what + ": the port was closed by its owner");
    throw Error(ErrorCode::BadPort,
                what + ": the port is not allocated (no offer received from domain " + std::to_string(remote) + ")");
  }
  if (offer->second.for_domain != self_) {
    throw Error(ErrorCode::WrongDomain, what + ": the port is allocated for domain " +
                                            std::to_string(offer->second.for_domain) + ", not for domain " +
                                            std::to_string(self_));
  }
  if (offer->second.bound_here != 0) {
    if (offer->second.released) {
      throw Error(ErrorCode::PortState, what + ": it was bound here to local port " +
                                            std::to_string(offer->second.bound_here) +
                                            " and closed; ask for a new port");
    }
    throw Error(ErrorCode::PortState,
                what + ": already bound to local " + name_port(offer->second.bound_here, self_) + " (double bind)");
  }
  const Port port = take_free_port("bind_interdomain");
  send(link, ControlMessage{ControlKind::Bound, port, remote_port, 0, 0});
  LocalPort& local = ports_[port];
  local.outbound = std::move(offer->second.to_allocator);
  local.inbound = std::move(offer->second.from_allocator);
  local.status = {PortState::Interdomain, remote, remote_port};
  offer->second.bound_here = port;
  return port;
}

void EventChannels::notify(Port port) {
  LocalPort& local = checked_port(port, "notify");
  if (local.status.state == PortState::PeerClosed) {
    throw Error(ErrorCode::PortState, "notify: " + name_port(port, self_) + ": the remote end (" +
                                          name_port(local.status.remote_port, local.status.remote) + ") was closed");
  }
  local.outbound->signal();
  if (trace_ != nullptr) trace_->record({trace::EventKind::EventSent, 0, self_, port});
}

bool EventChannels::wait(Port port, std::chrono::nanoseconds timeout) {
  LocalPort& local = checked_port(port, "wait");
  if (local.status.state == PortState::PeerClosed) {
    throw Error(ErrorCode::PortState, "wait: " + name_port(port, self_) + ": the remote end (" +
                                          name_port(local.status.remote_port, local.status.remote) + ") was closed");
  }
  const bool received = local.inbound->wait(timeout);
  if (received && trace_ != nullptr) trace_->record({trace::EventKind::EventReceived, 0, self_, port});
  return received;
}

int EventChannels::pollable_fd(Port port) const {
  const LocalPort& local = checked_port(port, "pollable_fd");
  if (local.status.state == PortState::PeerClosed) {
    throw Error(ErrorCode::PortState, "pollable_fd: " + name_port(port, self_) + ": the remote end (" +
                                          name_port(local.status.remote_port, local.status.remote) + ") was closed");
  }
  return local.inbound->fd();
}

void EventChannels::close(Port port) {
  LocalPort& local = checked_port(port, "close");
  const PortStatus status = local.status;
  const Port connected = status.state == PortState::Interdomain ? status.remote_port : 0;
  std::vector<DomainId> dead;
  for (auto& [peer, link] : links_) {
    try {
      send(link, ControlMessage{ControlKind::Closed, port, peer == status.remote ? connected : 0, 0, 0});
    } catch (const shm::Error&) {
      dead.push_back(peer);
    }
  }
  // If we were the binding side, remember that this offer was used up.
  if (auto link = links_.find(status.remote); link != links_.end()) {
    auto offer = link->second.offers.find(status.remote_port);
    if (offer != link->second.offers.end() && offer->second.bound_here == port) offer->second.released = true;
  }
  local = LocalPort{};
  for (DomainId peer : dead) drop_link(peer);
}

PortStatus EventChannels::status(Port port) const noexcept {
  if (port == 0 || port >= ports_.size()) return {};
  return ports_[port].status;
}

void EventChannels::process_control() {
  std::vector<DomainId> hung_up;
  for (auto& [peer, link] : links_) {
    try {
      while (read_one(peer, link)) {
      }
    } catch (const Error& error) {
      if (error.code() != ErrorCode::System) {
        const DomainId bad = peer;
        drop_link(bad);
        throw;
      }
      hung_up.push_back(peer);
    }
  }
  for (DomainId peer : hung_up) drop_link(peer);
}

// Returns true after handling one message, false when nothing is waiting; throws
// xen::Error(System) when the peer hung up, Protocol for a bad message.
bool EventChannels::read_one(DomainId peer, Link& link) {
  pollfd entry{link.socket, POLLIN, 0};
  int ready = ::poll(&entry, 1, 0);
  if (ready < 0 && errno == EINTR) ready = 0;
  if (ready < 0) detail::throw_system("process_control: poll on the link to domain " + std::to_string(peer), errno);
  if (ready == 0 || (entry.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return false;
  char probe = 0;
  const ssize_t peeked = ::recv(link.socket, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (peeked <= 0) {
    if (peeked < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    throw Error(ErrorCode::System, "process_control: domain " + std::to_string(peer) + " hung up");
  }
  shm::ReceivedMessage received;
  try {
    received = shm::receive_with_fds(link.socket, sizeof(ControlMessage));
  } catch (const shm::Error& error) {
    throw Error(ErrorCode::Protocol,
                "process_control: bad message from domain " + std::to_string(peer) + ": " + error.what());
  }
  std::vector<detail::FdOwner> fds;
  for (int fd : received.fds) fds.emplace_back(fd);
  ControlMessage message{};
  std::memcpy(&message, received.bytes.data(), sizeof message);
  handle(peer, link, message, fds);
  return true;
}

void EventChannels::handle(DomainId peer, Link& link, const ControlMessage& message,
                           std::vector<detail::FdOwner>& fds) {
  const std::string from = "process_control: " + describe(message) + " from domain " + std::to_string(peer);
  if (message.port == 0 || message.reserved != 0) {
    throw Error(ErrorCode::Protocol, from + ": port 0 or a non-zero reserved field");
  }
  if (message.kind != ControlKind::Offer && !fds.empty()) {
    throw Error(ErrorCode::Protocol,
                from + ": only an offer may carry fds, this one has " + std::to_string(fds.size()));
  }
  switch (message.kind) {
    case ControlKind::Offer:
      handle_offer(peer, link, message, fds);
      return;
    case ControlKind::Bound:
      handle_bound(peer, message);
      return;
    case ControlKind::Closed:
      handle_closed(peer, link, message);
      return;
  }
  throw Error(ErrorCode::Protocol, from + ": unknown kind");
}

void EventChannels::handle_offer(DomainId peer, Link& link, const ControlMessage& message,
                                 std::vector<detail::FdOwner>& fds) {
  const std::string from =
      "process_control: offer of " + name_port(message.port, peer) + " for domain " + std::to_string(message.domid);
  const std::size_t expected = message.domid == self_ ? 2 : 0;
  if (fds.size() != expected) {
    throw Error(ErrorCode::Protocol,
                from + " came with " + std::to_string(fds.size()) + " fds, expected " + std::to_string(expected));
  }
  auto existing = link.offers.find(message.port);
  if (existing != link.offers.end() && existing->second.bound_here != 0 && !existing->second.released) {
    throw Error(ErrorCode::Protocol,
                from + ": the port is still bound to local " + name_port(existing->second.bound_here, self_));
  }
  Offer offer;
  offer.for_domain = message.domid;
  if (expected == 2) {
    // The notifier owns the fd from here on, even when it refuses it.
    try {
      offer.to_allocator = std::make_unique<notify::EventfdNotifier>(fds[0].release());
      offer.from_allocator = std::make_unique<notify::EventfdNotifier>(fds[1].release());
    } catch (const notify::Error& error) {
      throw Error(ErrorCode::Protocol, from + ": " + error.what());
    }
  }
  link.offers[message.port] = std::move(offer);
  link.closed.erase(message.port);
}

void EventChannels::handle_bound(DomainId peer, const ControlMessage& message) {
  const Port port = message.remote_port;
  const std::string from = "process_control: domain " + std::to_string(peer) + " bound its port " +
                           std::to_string(message.port) + " to " + name_port(port, self_);
  if (port == 0 || port >= ports_.size()) throw Error(ErrorCode::Protocol, from + ", which is out of range");
  PortStatus& status = ports_[port].status;
  // A Bound crossing our Closed: the port is free (or PeerClosed) by now, nothing to update.
  if (status.state == PortState::Free || status.state == PortState::PeerClosed) return;
  if (status.state != PortState::Unbound || status.remote != peer) {
    throw Error(ErrorCode::Protocol,
                from + ", which is " + to_string(status.state) + " for domain " + std::to_string(status.remote));
  }
  status.state = PortState::Interdomain;
  status.remote_port = message.port;
}

void EventChannels::handle_closed(DomainId peer, Link& link, const ControlMessage& message) {
  auto offer = link.offers.find(message.port);
  if (offer != link.offers.end()) {
    const Port bound = offer->second.released ? 0 : offer->second.bound_here;
    if (bound != 0) ports_[bound].status.state = PortState::PeerClosed;
    link.offers.erase(offer);
  }
  link.closed.insert(message.port);
  const Port port = message.remote_port;
  if (port == 0 || port >= ports_.size()) return;
  PortStatus& status = ports_[port].status;
  if (status.state == PortState::Interdomain && status.remote == peer && status.remote_port == message.port) {
    status.state = PortState::PeerClosed;
  }
}

void EventChannels::drop_link(DomainId peer) {
  auto found = links_.find(peer);
  if (found == links_.end()) return;
  ::close(found->second.socket);
  links_.erase(found);
  for (LocalPort& local : ports_) {
    const PortState state = local.status.state;
    if (local.status.remote == peer && (state == PortState::Unbound || state == PortState::Interdomain)) {
      local.status.state = PortState::PeerClosed;
    }
  }
}

}  // namespace vgen::xen
