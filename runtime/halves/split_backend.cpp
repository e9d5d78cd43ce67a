#include "vgen/halves/split_backend.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>
#include <string>
#include <system_error>

#include <vgen/xen/error.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::halves {

BackRingEnd::BackRingEnd(SplitBackendLink& link, std::size_t index) : link_(link), index_(index) {
  if (index >= link.rings_.size()) {
    throw xen::Error(xen::ErrorCode::Invalid, "ring " + std::to_string(index) + " of " + std::string(link.spec_.name) +
                                                  ", which has " + std::to_string(link.rings_.size()) + " ring(s)");
  }
  link.rings_[index].end = this;
}

BackRingEnd::~BackRingEnd() { link_.rings_[index_].end = nullptr; }

void BackRingEnd::notify() { link_.notify(index_); }

trace::TraceSink* BackRingEnd::trace_sink() const noexcept { return link_.trace(); }

std::uint16_t BackRingEnd::trace_ring() const noexcept {
  return ring_trace_number(link_.devid(), link_.spec_.rings.size(), index_);
}

SplitBackendLink::SplitBackendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                                   xen::EventChannels& events, const SplitSpec& spec)
    : Backend(client, device), mapper_(mapper), events_(events), spec_(spec) {
  for (const RingSpec& ring : spec.rings) {
    if (std::find(port_nodes_.begin(), port_nodes_.end(), ring.event_channel) == port_nodes_.end()) {
      port_nodes_.push_back(ring.event_channel);
    }
    rings_.push_back(
        Ring{nullptr, std::nullopt,
             static_cast<std::size_t>(std::find(port_nodes_.begin(), port_nodes_.end(), ring.event_channel) -
                                      port_nodes_.begin())});
  }
}

SplitBackendLink::~SplitBackendLink() { release(); }

bool SplitBackendLink::step() {
  const bool changed = process();
  return serve() > 0 || changed;
}

std::size_t SplitBackendLink::serve() {
  if (!ring_up_) return 0;
  // Every port's notification is consumed before any ring is read (see the frontend).
  for (xen::Port port : ports_) events_.wait(port, std::chrono::nanoseconds(0));
  std::size_t answered = 0;
  for (Ring& ring : rings_) {
    if (ring.end != nullptr) answered += ring.end->serve();
  }
  served_ += answered;
  return answered;
}

int SplitBackendLink::event_fd() const {
  if (!ring_up_) return -1;
  return ports_.size() == 1 ? events_.pollable_fd(ports_.front()) : epoll_fd_;
}

void SplitBackendLink::notify(std::size_t ring) {
  if (!ring_up_) return;
  try {
    events_.notify(ports_[rings_[ring].port]);
  } catch (const xen::Error&) {
    // The frontend closed its port: it is going away and the ring with it.
  }
}

// blkif.h: a backend that takes rings of more than one page says how many at probe.
xenbus::Nodes SplitBackendLink::on_probe() {
  xenbus::Nodes nodes;
  for (const RingSpec& ring : spec_.rings) {
    if (ring.pages > 1) nodes.emplace_back(std::string(ring.max_page_order), std::to_string(page_order_of(ring.pages)));
  }
  return nodes;
}

// Xenbus: the backend reads each ring's page order and grant references and each port,
// maps the rings, binds the channels, then reads the frontend's other nodes
// (frontend_connected()); a refusal there undoes the mappings.
xenbus::Nodes SplitBackendLink::on_connect() {
  release();
  ring_up_ = true;  // from here a failure is undone by release()
  try {
    map_rings();
  } catch (...) {
    on_disconnect();
    throw;
  }
  try {
    return frontend_connected();
  } catch (...) {
    on_disconnect();
    throw;
  }
}

void SplitBackendLink::map_rings() {
  const std::string& frontend = other_path();
  for (std::size_t index = 0; index < rings_.size(); ++index) {
    const RingSpec& spec = spec_.rings[index];
    Ring& ring = rings_[index];
    // blkif.h: ring-page-order absent is 0; more than this backend advertised is refused.
    const std::string order_path = xenbus::node_path(frontend, spec.page_order);
    const std::uint32_t order =
        spec.pages > 1 && client().exists(order_path)
            ? static_cast<std::uint32_t>(xenbus::read_number(client(), order_path, page_order_of(spec.pages)))
            : 0;
    std::vector<xen::GrantRef> refs;
    const auto read_ref = [&](const std::string& node) {
      refs.push_back(static_cast<xen::GrantRef>(
          xenbus::read_number(client(), xenbus::node_path(frontend, node), std::numeric_limits<xen::GrantRef>::max())));
    };
    if (order == 0) {
      read_ref(std::string(spec.ring_ref));
    } else {
      for (std::uint32_t page = 0; page < (std::uint32_t{1} << order); ++page) {
        read_ref(std::string(spec.ring_ref) + std::to_string(page));
      }
    }
    ring.mapping.emplace(mapper_.map_contiguous(refs, xen::Access::ReadWrite));
    if (ring.end != nullptr) {
      ring.end->attach(ring.mapping->writable_bytes());
      ring.end->pages_ = static_cast<std::uint32_t>(refs.size());
    }
  }
  for (std::string_view node : port_nodes_) {
    const auto remote = static_cast<xen::Port>(
        xenbus::read_number(client(), xenbus::node_path(frontend, node), std::numeric_limits<xen::Port>::max()));
    ports_.push_back(events_.bind_interdomain(other_id(), remote));
  }
  if (ports_.size() > 1) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    for (xen::Port port : ports_) {
      epoll_event event{};
      event.events = EPOLLIN;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, events_.pollable_fd(port), &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
      }
    }
  }
}

void SplitBackendLink::on_disconnect() {
  if (!ring_up_) return;
  release();
}

void SplitBackendLink::release() noexcept {
  if (!ring_up_) return;
  ring_up_ = false;
  for (Ring& ring : rings_) {
    if (ring.end != nullptr) {
      ring.end->detach();
      ring.end->pages_ = 0;
    }
    ring.mapping.reset();
  }
  if (epoll_fd_ >= 0) {
    ::close(epoll_fd_);
    epoll_fd_ = -1;
  }
  for (xen::Port port : ports_) {
    try {
      events_.close(port);
    } catch (const xen::Error&) {
      // The port is closed already.
    }
  }
  ports_.clear();
}

}  // namespace vgen::halves
