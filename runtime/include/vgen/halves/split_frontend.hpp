// The frontend half of a split pair, written once for every spec: a Xenbus frontend that at
// each handshake sets up every ring of the spec (xenbus-protocol notes, "Handshake"): it
// grants the ring's pages to the backend, allocates an unbound event channel per event
// channel node and publishes them; a ring of more than one page is negotiated as blkif.h
// describes (the backend's `max-ring-page-order` caps the order; the frontend writes
// `ring-page-order` and `<ring-ref>0`..`<ring-ref>N-1`, a one-page ring keeps `<ring-ref>`).
// It flushes while Closing, and on disconnection drops the rings, closes the ports and
// revokes the ring grants once the backend has unmapped them.
//
// The typed rings are FrontRingOf<Request, Response> members registered with the link by
// index; SplitFrontend<kSpec, Request, Response, FrontendNodes, BackendNodes> is the
// one-ring form, SplitFrontendNodes<kSpec, FrontendNodes, BackendNodes> the base of a
// generated frontend with several rings. Everything runs on the thread that calls step().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <vgen/halves/handler_check.hpp>  // for the generated bases' Overrides
#include <vgen/halves/ring_end.hpp>
#include <vgen/halves/ring_ports.hpp>
#include <vgen/halves/split_spec.hpp>
#include <vgen/halves/store_nodes.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_table.hpp>
#include <vgen/xen/ring.hpp>
#include <vgen/xenbus/frontend.hpp>

namespace vgen::halves {

class SplitFrontendLink;

/// What the frontend link asks of a typed ring besides attach() and detach() (see RingEnd).
class FrontRingCalls {
 protected:
  virtual ~FrontRingCalls() = default;

 private:
  friend class SplitFrontendLink;
  /// Takes every response waiting and hands each to the handler; returns how many.
  virtual std::size_t collect() = 0;
  /// Requests sent and not answered yet.
  virtual std::uint32_t in_flight() const noexcept = 0;
};

/// One ring as the frontend link drives it, independent of its message types; attach() gets
/// the ring's pages zeroed.
using FrontRingEnd = RingEnd<SplitFrontendLink, FrontRingCalls>;

/// The frontend's grants, event channels and Xenbus handshake, independent of the rings' types.
class SplitFrontendLink : public xenbus::Frontend {
 public:
  /// `table` holds the pages this domain grants; the rings take frames `first_frame` ..
  /// `first_frame + spec.ring_frames() - 1` (ring after ring, each at its largest). The
  /// client, table, event channels and spec must outlive this object.
  SplitFrontendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                    xen::EventChannels& events, const SplitSpec& spec, std::uint32_t first_frame = 0);
  /// Closes the ports and revokes the ring grants the backend no longer maps.
  ~SplitFrontendLink() override;

  /// Runs the state machine and takes every response; true if anything happened.
  bool step();
  /// Takes every response the backend published on every ring and hands each to its
  /// handler; returns how many.
  std::size_t collect();
  /// Requests sent on every ring and not answered yet.
  std::uint32_t in_flight() const noexcept;
  /// True while the rings are up and the pair is Connected.
  bool connected() const noexcept { return ring_up_ && state() == xenbus::State::Connected; }
  /// Readable when the backend notified any of the rings' event channels (-1 without rings).
  int event_fd() const;
  /// The first grant-table frame after the rings' (where data pages may start).
  std::uint32_t data_frame() const noexcept { return first_frame_ + spec_.ring_frames(); }

 protected:
  /// The frontend's own nodes, published with the rings at every handshake (none by default).
  virtual xenbus::Nodes own_nodes() { return {}; }
  /// The backend is Connected: read what it published. Requests may be sent from here on.
  virtual void backend_connected() {}

  /// The pages this domain grants (for data pages beside the rings).
  xen::GrantTable& table() noexcept { return table_; }

 private:
  friend FrontRingEnd;
  // One ring's grants; `end` is its typed ring (registered by FrontRingEnd).
  struct Ring {
    FrontRingEnd* end = nullptr;
    std::uint32_t frame = 0;          // first frame of its pages
    std::vector<xen::GrantRef> refs;  // granted while up
  };

  xenbus::Nodes on_initialise() override;
  xenbus::Nodes publish_rings();
  void on_connect() override { backend_connected(); }
  bool on_flush() override;
  void on_disconnect() override;
  void close_rings() noexcept;
  void revoke_retired() noexcept;
  void notify(std::size_t ring);
  std::uint32_t negotiated_order(const RingSpec& ring);

  xen::GrantTable& table_;
  xen::EventChannels& events_;
  const SplitSpec& spec_;
  std::uint32_t first_frame_;
  std::vector<Ring> rings_;
  RingPorts ports_;  // allocated while up
  bool ring_up_ = false;
  std::vector<xen::GrantRef> retired_;  // ring grants the backend may still map
};

/// A ring whose frontend sends `Request`s and takes `Response`s (trivially copyable structs),
/// handing each response to a handler.
template <class Request, class Response>
class FrontRingOf final : public FrontRingEnd {
 public:
  /// The shared ring, frontend end.
  using Ring = xen::FrontRing<Request, Response>;
  /// Receives one response.
  using Handler = std::function<void(const Response&)>;

  /// Ring `index` of `link`'s spec; `handler` receives its responses.
  FrontRingOf(SplitFrontendLink& link, std::size_t index, Handler handler)
      : FrontRingEnd(link, index), handler_(std::move(handler)) {}

  /// Queues `request`, publishes it and notifies the backend. False (nothing sent) without a
  /// ring (before the backend connects, after a disconnection) or when every slot holds a
  /// request not yet answered.
  bool send(const Request& request) {
    if (!can_send()) return false;
    ring_->queue_request(request);
    if (ring_->push_requests()) notify();
    return true;
  }
  /// True if send() would find a free slot now.
  bool can_send() const noexcept { return ring_.has_value() && ring_->free_requests() > 0; }
  /// Slots of the ring now (0 without a ring).
  std::uint32_t slots() const noexcept { return ring_ ? ring_->size() : 0; }

 private:
  void attach(std::span<std::byte> bytes) override {
    ring_.emplace(bytes);
    ring_->set_trace(trace_sink(), trace_ring(), trace_ends());
  }
  void detach() noexcept override { ring_.reset(); }
  std::size_t collect() override {
    std::size_t taken = 0;
    do {
      while (ring_) {
        std::optional<Response> response = ring_->take_response();
        if (!response) break;
        ++taken;
        handler_(*response);
      }
    } while (ring_ && ring_->final_check_for_responses());
    return taken;
  }
  std::uint32_t in_flight() const noexcept override { return ring_ ? ring_->outstanding() : 0; }

  Handler handler_;
  std::optional<Ring> ring_;
};

/// The base of a generated frontend that publishes `FrontendNodes` and reads the backend's
/// `BackendNodes` (structs with members() and kNames, see store_nodes.hpp); its rings are
/// FrontRingOf members of the generated class.
template <const SplitSpec& Spec, class FrontendNodes, class BackendNodes>
class SplitFrontendNodes : public SplitFrontendLink {
 public:
  /// The spec this half follows.
  static constexpr const SplitSpec& kSpec = Spec;

  /// `table` holds the pages this domain grants; the rings take frames `first_frame` and up.
  /// The client, table and event channels must outlive this object.
  SplitFrontendNodes(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                     xen::EventChannels& events, std::uint32_t first_frame = 0)
      : SplitFrontendLink(client, device, table, events, Spec, first_frame) {}

 protected:
  /// The frontend's own nodes to publish with the rings (called at every handshake; empty
  /// values by default).
  virtual FrontendNodes on_publish() { return FrontendNodes{}; }
  /// The backend is Connected and published `nodes`; requests may be sent from here on.
  virtual void on_connected(const BackendNodes& nodes) = 0;

 private:
  xenbus::Nodes own_nodes() override { return published_nodes(on_publish()); }
  void backend_connected() override { on_connected(read_nodes<BackendNodes>(client(), other_path())); }
};

/// The frontend of the one-ring device `Spec` describes, whose ring carries `Request`s and
/// `Response`s.
template <const SplitSpec& Spec, class Request, class Response, class FrontendNodes, class BackendNodes>
class SplitFrontend : public SplitFrontendNodes<Spec, FrontendNodes, BackendNodes> {
  static_assert(Spec.rings.size() == 1, "the one-ring form (several rings take FrontRingOf members)");
  static_assert(xen::ring_entries<Request, Response>(xen::ring_bytes(0) * Spec.rings[0].pages) == Spec.rings[0].entries,
                "the ring holds the slots the spec computed");

 public:
  /// The shared ring, frontend end.
  using Ring = xen::FrontRing<Request, Response>;

  /// `table` holds the pages this domain grants; the ring takes frames `ring_frame` and up.
  SplitFrontend(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                xen::EventChannels& events, std::uint32_t ring_frame = 0)
      : SplitFrontendNodes<Spec, FrontendNodes, BackendNodes>(client, device, table, events, ring_frame) {}

  /// Queues `request`, publishes it and notifies the backend (see FrontRingOf::send()).
  bool send(const Request& request) { return ring_.send(request); }
  /// True if send() would find a free slot now.
  bool can_send() const noexcept { return ring_.can_send(); }
  /// Slots of the ring now (0 without a ring).
  std::uint32_t slots() const noexcept { return ring_.slots(); }

 protected:
  /// One response from the backend.
  virtual void on_response(const Response& response) = 0;

 private:
  FrontRingOf<Request, Response> ring_{*this, 0, [this](const Response& response) { on_response(response); }};
};

}  // namespace vgen::halves
