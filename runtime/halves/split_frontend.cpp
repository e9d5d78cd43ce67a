#include "vgen/halves/split_frontend.hpp"

#include <chrono>
#include <cstring>
#include <string>

#include <vgen/xen/error.hpp>

namespace vgen::halves {

SplitFrontendLink::SplitFrontendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                                     xen::EventChannels& events, std::uint32_t ring_frame, RingNodes nodes)
    : Frontend(client, device), table_(table), events_(events), ring_frame_(ring_frame), nodes_(nodes) {}

SplitFrontendLink::~SplitFrontendLink() {
  close_ring();
  revoke_retired();
}

bool SplitFrontendLink::step() {
  const bool changed = process();
  if (!retired_.empty()) revoke_retired();  // the backend may have let go of an old ring
  return collect() > 0 || changed;
}

void SplitFrontendLink::notify() {
  try {
    events_.notify(port_);
  } catch (const xen::Error&) {
    // The backend closed its port: it is going away and the ring with it.
  }
}

void SplitFrontendLink::consume_notification() {
  if (ring_up_) events_.wait(port_, std::chrono::nanoseconds(0));
}

// Xenbus: the frontend grants the ring page, allocates the port and publishes both with
// its own nodes.
xenbus::Nodes SplitFrontendLink::on_initialise() {
  on_disconnect();  // a ring from an earlier handshake goes first
  revoke_retired();
  const std::span<std::byte> page = table_.page(ring_frame_);
  std::memset(page.data(), 0, page.size());
  ring_ref_ = table_.grant_access(other_id(), ring_frame_, xen::Access::ReadWrite);
  attach_ring(page);
  port_ = events_.alloc_unbound(other_id());
  ring_up_ = true;
  xenbus::Nodes nodes{{std::string(nodes_.ring_ref), std::to_string(ring_ref_)},
                      {std::string(nodes_.event_channel), std::to_string(port_)}};
  for (auto& own : own_nodes()) nodes.push_back(std::move(own));
  return nodes;
}

// Xenbus: while Closing, the frontend waits until every request is answered.
bool SplitFrontendLink::on_flush() {
  collect();
  return in_flight() == 0;
}

void SplitFrontendLink::on_disconnect() {
  if (!ring_up_) return;
  detach_ring();
  close_ring();
  revoke_retired();
}

// The port closes at once; the ring grant is revoked once the backend unmapped it.
void SplitFrontendLink::close_ring() noexcept {
  if (!ring_up_) return;
  ring_up_ = false;
  try {
    events_.close(port_);
  } catch (const xen::Error&) {
    // Already closed by a failed handshake: nothing to release.
  }
  retired_.push_back(ring_ref_);
}

void SplitFrontendLink::revoke_retired() noexcept {
  for (auto ref = retired_.begin(); ref != retired_.end();) {
    try {
      if (table_.is_mapped(*ref)) {
        ++ref;
        continue;
      }
      table_.end_access(*ref);
    } catch (const xen::Error&) {
      // A reference the table no longer knows: nothing to revoke.
    }
    ref = retired_.erase(ref);
  }
}

}  // namespace vgen::halves
