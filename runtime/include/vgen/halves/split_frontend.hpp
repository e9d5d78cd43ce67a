// The frontend half of a split pair, written once for every spec: a Xenbus frontend that at
// each handshake grants one page of its grant table to the backend as the shared ring,
// allocates an unbound event channel and publishes both (xenbus-protocol notes,
// "Handshake"), flushes while Closing, and on disconnection drops the ring, closes the port
// and revokes the ring grant once the backend has unmapped it. SplitFrontend<kSpec, Request,
// Response, FrontendNodes, BackendNodes> adds the typed ring and store nodes: the generated
// base of a spec is that instantiation. Everything runs on the thread that calls step().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <vgen/halves/split_spec.hpp>
#include <vgen/halves/store_nodes.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_table.hpp>
#include <vgen/xen/ring.hpp>
#include <vgen/xenbus/frontend.hpp>

namespace vgen::halves {

/// The frontend's grant, event channel and Xenbus handshake, independent of the ring's types.
class SplitFrontendLink : public xenbus::Frontend {
 public:
  /// `table` holds the pages this domain grants; page `ring_frame` becomes the ring. The
  /// client, table and event channels must outlive this object.
  SplitFrontendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                    xen::EventChannels& events, std::uint32_t ring_frame = 0, RingNodes nodes = {});
  /// Closes the port and revokes the ring grant if the backend no longer maps it.
  ~SplitFrontendLink() override;

  /// Runs the state machine and takes every response; true if anything happened.
  bool step();
  /// Takes every response the backend published and hands each to its handler; returns how
  /// many.
  virtual std::size_t collect() = 0;
  /// Requests sent and not answered yet.
  virtual std::uint32_t in_flight() const noexcept = 0;
  /// True while the ring is up and the pair is Connected.
  bool connected() const noexcept { return ring_up_ && state() == xenbus::State::Connected; }
  /// Readable when the backend notified the event channel (-1 without a ring).
  int event_fd() const { return ring_up_ ? events_.pollable_fd(port_) : -1; }

 protected:
  /// The frontend's own nodes, published with the ring at every handshake (none by default).
  virtual xenbus::Nodes own_nodes() { return {}; }
  /// The backend is Connected: read what it published. Requests may be sent from here on.
  virtual void backend_connected() {}
  /// Builds the typed ring in `page` (zeroed).
  virtual void attach_ring(std::span<std::byte> page) = 0;
  /// Drops the typed ring.
  virtual void detach_ring() noexcept = 0;

  /// The pages this domain grants (for data pages beside the ring).
  xen::GrantTable& table() noexcept { return table_; }
  /// Notifies the backend (a backend that closed its port is going away: ignored).
  void notify();
  /// Consumes a pending notification, without waiting.
  void consume_notification();

 private:
  xenbus::Nodes on_initialise() override;
  void on_connect() override { backend_connected(); }
  bool on_flush() override;
  void on_disconnect() override;
  void close_ring() noexcept;
  void revoke_retired() noexcept;

  xen::GrantTable& table_;
  xen::EventChannels& events_;
  std::uint32_t ring_frame_;
  RingNodes nodes_;
  bool ring_up_ = false;
  xen::GrantRef ring_ref_ = 0;
  xen::Port port_ = 0;
  std::vector<xen::GrantRef> retired_;  // ring grants the backend may still map
};

/// The frontend of the device `Spec` describes, whose ring carries `Request`s and
/// `Response`s (trivially copyable structs) and which publishes `FrontendNodes` and reads the
/// backend's `BackendNodes` (structs with for_each_node(), see store_nodes.hpp).
template <const SplitSpec& Spec, class Request, class Response, class FrontendNodes, class BackendNodes>
class SplitFrontend : public SplitFrontendLink {
 public:
  /// The spec this half follows.
  static constexpr const SplitSpec& kSpec = Spec;
  /// The shared ring, frontend end.
  using Ring = xen::FrontRing<Request, Response>;
  static_assert(xen::ring_entries<Request, Response>(xen::ring_bytes(0) * Spec.ring_pages) == Spec.ring_entries,
                "the ring holds the slots the spec computed");

  /// `table` holds the pages this domain grants; page `ring_frame` becomes the ring. The
  /// client, table and event channels must outlive this object.
  SplitFrontend(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
                xen::EventChannels& events, std::uint32_t ring_frame = 0)
      : SplitFrontendLink(client, device, table, events, ring_frame, Spec.ring_nodes) {}

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
  std::size_t collect() override {
    if (!ring_) return 0;
    consume_notification();
    std::size_t taken = 0;
    do {
      while (std::optional<Response> response = ring_->take_response()) {
        ++taken;
        on_response(*response);
      }
    } while (ring_ && ring_->final_check_for_responses());
    return taken;
  }
  std::uint32_t in_flight() const noexcept override { return ring_ ? ring_->outstanding() : 0; }

 protected:
  /// The frontend's own nodes to publish with the ring (called at every handshake; empty
  /// values by default).
  virtual FrontendNodes on_publish() { return FrontendNodes{}; }
  /// The backend is Connected and published `nodes`; requests may be sent from here on.
  virtual void on_connected(const BackendNodes& nodes) = 0;
  /// One response from the backend.
  virtual void on_response(const Response& response) = 0;

 private:
  xenbus::Nodes own_nodes() override { return published_nodes(on_publish()); }
  void backend_connected() override { on_connected(read_nodes<BackendNodes>(client(), other_path())); }
  void attach_ring(std::span<std::byte> page) override {
    ring_.emplace(page);
    ring_->set_trace(trace(), static_cast<std::uint16_t>(devid()));
  }
  void detach_ring() noexcept override { ring_.reset(); }

  std::optional<Ring> ring_;
};

}  // namespace vgen::halves
