#include "vgen/halves/split_backend.hpp"

#include <limits>
#include <string>

#include <vgen/xenbus/nodes.hpp>

namespace vgen::halves {

SplitBackendLink::SplitBackendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                                   xen::EventChannels& events, const SplitSpec& spec)
    : Backend(client, device),
      mapper_(mapper),
      events_(events),
      spec_(spec),
      rings_(spec.rings.size()),
      ports_(events, spec) {}

SplitBackendLink::~SplitBackendLink() { release(); }

bool SplitBackendLink::step() {
  const bool changed = process();
  return serve() > 0 || changed;
}

std::size_t SplitBackendLink::serve() {
  if (!ring_up_) return 0;
  ports_.consume();
  std::size_t answered = 0;
  for (Ring& ring : rings_) {
    if (ring.end != nullptr) answered += ring.end->serve();
  }
  served_ += answered;
  return answered;
}

int SplitBackendLink::event_fd() const { return ring_up_ ? ports_.event_fd() : -1; }

void SplitBackendLink::notify(std::size_t ring) {
  if (ring_up_) ports_.notify(ring);
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
  ports_.open([&](std::string_view node) {
    const auto remote = static_cast<xen::Port>(
        xenbus::read_number(client(), xenbus::node_path(frontend, node), std::numeric_limits<xen::Port>::max()));
    return events_.bind_interdomain(other_id(), remote);
  });
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
  ports_.close();
}

}  // namespace vgen::halves
