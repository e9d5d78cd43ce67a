#include "vgen/halves/split_backend.hpp"

#include <chrono>
#include <limits>

#include <vgen/xen/error.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::halves {

SplitBackendLink::SplitBackendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                                   xen::EventChannels& events, RingNodes nodes)
    : Backend(client, device), mapper_(mapper), events_(events), nodes_(nodes) {}

SplitBackendLink::~SplitBackendLink() { release(); }

bool SplitBackendLink::step() {
  const bool changed = process();
  return serve() > 0 || changed;
}

void SplitBackendLink::notify() {
  try {
    events_.notify(port_);
  } catch (const xen::Error&) {
    // The frontend closed its port: it is going away and the ring with it.
  }
}

void SplitBackendLink::consume_notification() {
  if (ring_up()) events_.wait(port_, std::chrono::nanoseconds(0));
}

// Xenbus: the backend reads the ring's grant reference and port, maps the ring, binds the
// channel, then reads the frontend's other nodes (frontend_connected()); a refusal there
// undoes the mapping.
xenbus::Nodes SplitBackendLink::on_connect() {
  const auto ring_ref = static_cast<xen::GrantRef>(xenbus::read_number(
      client(), xenbus::node_path(other_path(), nodes_.ring_ref), std::numeric_limits<xen::GrantRef>::max()));
  const auto remote = static_cast<xen::Port>(xenbus::read_number(
      client(), xenbus::node_path(other_path(), nodes_.event_channel), std::numeric_limits<xen::Port>::max()));
  release();
  mapping_.emplace(mapper_.map(ring_ref, xen::Access::ReadWrite));
  try {
    attach_ring(mapping_->writable_bytes());
    port_ = events_.bind_interdomain(other_id(), remote);
  } catch (...) {
    detach_ring();
    mapping_.reset();
    throw;
  }
  try {
    return frontend_connected();
  } catch (...) {
    on_disconnect();
    throw;
  }
}

void SplitBackendLink::on_disconnect() {
  if (!ring_up()) return;
  detach_ring();
  release();
}

void SplitBackendLink::release() noexcept {
  if (!mapping_) return;
  mapping_.reset();
  try {
    events_.close(port_);
  } catch (const xen::Error&) {
    // The port was never bound or is closed already.
  }
}

}  // namespace vgen::halves
