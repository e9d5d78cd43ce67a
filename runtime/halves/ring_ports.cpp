#include "vgen/halves/ring_ports.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

#include <vgen/xen/error.hpp>

namespace vgen::halves {

RingPorts::RingPorts(xen::EventChannels& events, const SplitSpec& spec) : events_(events) {
  for (const RingSpec& ring : spec.rings) {
    const auto known = std::find(nodes_.begin(), nodes_.end(), ring.event_channel);
    ring_port_.push_back(static_cast<std::size_t>(known - nodes_.begin()));
    if (known == nodes_.end()) nodes_.push_back(ring.event_channel);
  }
}

void RingPorts::open(const std::function<xen::Port(std::string_view node)>& open_port) {
  for (std::string_view node : nodes_) ports_.push_back(open_port(node));
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

void RingPorts::consume() {
  for (xen::Port port : ports_) events_.wait(port, std::chrono::nanoseconds(0));
}

void RingPorts::notify(std::size_t ring) {
  try {
    events_.notify(ports_[ring_port_[ring]]);
  } catch (const xen::Error&) {
    // The peer closed its port: it is going away and the ring with it.
  }
}

int RingPorts::event_fd() const { return ports_.size() == 1 ? events_.pollable_fd(ports_.front()) : epoll_fd_; }

void RingPorts::close() noexcept {
  if (epoll_fd_ >= 0) {
    ::close(epoll_fd_);
    epoll_fd_ = -1;
  }
  for (xen::Port port : ports_) {
    try {
      events_.close(port);
    } catch (const xen::Error&) {
      // Closed already (by a failed handshake, or by its owner): nothing to release.
    }
  }
  ports_.clear();
}

}  // namespace vgen::halves
