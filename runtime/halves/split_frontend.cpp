#include "vgen/halves/split_frontend.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include <vgen/xen/error.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::halves {

SplitFrontendLink::SplitFrontendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                                     xen::EventChannels& events, const SplitSpec& spec, std::uint32_t first_frame)
    : Frontend(client, device),
      table_(table),
      events_(events),
      spec_(spec),
      first_frame_(first_frame),
      ports_(events, spec) {
  std::uint32_t frame = first_frame;
  for (const RingSpec& ring : spec.rings) {
    rings_.push_back(Ring{nullptr, frame, {}});
    frame += ring.pages;
  }
}

SplitFrontendLink::~SplitFrontendLink() {
  close_rings();
  revoke_retired();
}

bool SplitFrontendLink::step() {
  const bool changed = process();
  if (!retired_.empty()) revoke_retired();  // the backend may have let go of an old ring
  return collect() > 0 || changed;
}

std::size_t SplitFrontendLink::collect() {
  if (!ring_up_) return 0;
  ports_.consume();
  std::size_t taken = 0;
  for (Ring& ring : rings_) {
    if (ring.end != nullptr) taken += ring.end->collect();
  }
  return taken;
}

std::uint32_t SplitFrontendLink::in_flight() const noexcept {
  std::uint32_t flying = 0;
  for (const Ring& ring : rings_) {
    if (ring.end != nullptr) flying += ring.end->in_flight();
  }
  return flying;
}

int SplitFrontendLink::event_fd() const { return ring_up_ ? ports_.event_fd() : -1; }

void SplitFrontendLink::notify(std::size_t ring) {
  if (ring_up_) ports_.notify(ring);
}

// blkif.h: the ring's order is the smaller of what the spec asks for and what the backend
// advertises in max-ring-page-order (absent: 0, one page).
std::uint32_t SplitFrontendLink::negotiated_order(const RingSpec& ring) {
  const std::uint32_t wanted = page_order_of(ring.pages);
  if (wanted == 0) return 0;
  const std::string path = xenbus::node_path(other_path(), ring.max_page_order);
  const std::optional<std::string> advertised = client().try_read(path);
  if (!advertised) return 0;
  const std::uint64_t order = xenbus::parse_number(*advertised, path, std::numeric_limits<std::uint32_t>::max());
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(order, wanted));
}

// Xenbus: the frontend grants each ring's pages, allocates the ports and publishes them all
// with its own nodes.
xenbus::Nodes SplitFrontendLink::on_initialise() {
  on_disconnect();  // rings from an earlier handshake go first
  revoke_retired();
  ring_up_ = true;  // from here a failure is undone by on_disconnect()
  try {
    return publish_rings();
  } catch (...) {
    on_disconnect();
    throw;
  }
}

xenbus::Nodes SplitFrontendLink::publish_rings() {
  xenbus::Nodes nodes;
  for (std::size_t index = 0; index < rings_.size(); ++index) {
    Ring& ring = rings_[index];
    const RingSpec& spec = spec_.rings[index];
    if (ring.end == nullptr) {
      throw xen::Error(xen::ErrorCode::Invalid,
                       std::string(spec_.name) + ": ring " + std::to_string(index) + " has no typed ring");
    }
    const std::uint32_t order = negotiated_order(spec);
    const std::uint32_t pages = std::uint32_t{1} << order;
    // The ring's pages side by side in this domain's memory: frames frame .. frame + pages - 1.
    const std::span<std::byte> bytes(table_.page(ring.frame).data(), xen::ring_bytes(order));
    table_.page(ring.frame + pages - 1);  // BadFrame if the table is too small
    std::memset(bytes.data(), 0, bytes.size());
    for (std::uint32_t page = 0; page < pages; ++page) {
      ring.refs.push_back(table_.grant_access(other_id(), ring.frame + page, xen::Access::ReadWrite));
    }
    ring.end->attach(bytes);
    ring.end->pages_ = pages;
    if (order == 0) {
      nodes.emplace_back(std::string(spec.ring_ref), std::to_string(ring.refs.front()));
    } else {
      nodes.emplace_back(std::string(spec.page_order), std::to_string(order));
      for (std::uint32_t page = 0; page < pages; ++page) {
        nodes.emplace_back(std::string(spec.ring_ref) + std::to_string(page), std::to_string(ring.refs[page]));
      }
    }
  }
  ports_.open([&](std::string_view node) {
    const xen::Port port = events_.alloc_unbound(other_id());
    nodes.emplace_back(std::string(node), std::to_string(port));
    return port;
  });
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
  for (Ring& ring : rings_) {
    if (ring.end != nullptr) {
      ring.end->detach();
      ring.end->pages_ = 0;
    }
  }
  close_rings();
  revoke_retired();
}

// The ports close at once; the ring grants are revoked once the backend unmapped them.
void SplitFrontendLink::close_rings() noexcept {
  ports_.close();
  for (Ring& ring : rings_) {
    retired_.insert(retired_.end(), ring.refs.begin(), ring.refs.end());
    ring.refs.clear();
  }
  ring_up_ = false;
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
