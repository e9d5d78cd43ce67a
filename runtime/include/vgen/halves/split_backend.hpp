// The backend half of a split pair, written once for every spec: a Xenbus backend that,
// when the frontend has published its ring, reads the ring's grant reference and port, maps
// the ring page and binds the event channel (xenbus-protocol notes, "Handshake"), and on
// disconnection unmaps and closes both. SplitBackend<kSpec, Request, Response, FrontendNodes,
// BackendNodes> adds the typed ring, answering every request as xen/io/ring.h prescribes, and
// the typed store nodes: the generated base of a spec is that instantiation. Everything runs
// on the thread that calls step().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <vgen/halves/split_spec.hpp>
#include <vgen/halves/store_nodes.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/ring.hpp>
#include <vgen/xenbus/backend.hpp>

namespace vgen::halves {

/// The backend's mapping, event channel and Xenbus handshake, independent of the ring's types.
class SplitBackendLink : public xenbus::Backend {
 public:
  /// `mapper` maps the frontend's grants. The client, mapper and event channels must outlive
  /// this object. Call probe() next (a vbus Bus does it).
  SplitBackendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                   xen::EventChannels& events, RingNodes nodes = {});
  /// Unmaps the ring and closes the port.
  ~SplitBackendLink() override;

  /// Runs the state machine and answers every waiting request; true if anything happened.
  bool step();
  /// Answers every waiting request; returns how many.
  virtual std::size_t serve() = 0;
  /// True while the ring is mapped.
  bool ring_up() const noexcept { return mapping_.has_value(); }
  /// Readable when the frontend notified the event channel (-1 without a ring).
  int event_fd() const { return ring_up() ? events_.pollable_fd(port_) : -1; }
  /// Requests answered since construction.
  std::uint64_t served() const noexcept { return served_; }

 protected:
  /// The frontend published its ring: read its nodes and return what the backend publishes
  /// with Connected. Throw xenbus::Error to refuse (the backend then goes Closing).
  virtual xenbus::Nodes frontend_connected() = 0;
  /// Builds the typed ring in the mapped `page`.
  virtual void attach_ring(std::span<std::byte> page) = 0;
  /// Drops the typed ring.
  virtual void detach_ring() noexcept = 0;

  /// Maps the frontend's grants (for data pages beside the ring).
  xen::GrantMapper& mapper() noexcept { return mapper_; }
  /// Notifies the frontend (a frontend that closed its port is going away: ignored).
  void notify();
  /// Consumes a pending notification, without waiting.
  void consume_notification();
  /// Adds `count` to served().
  void count_served(std::size_t count) noexcept { served_ += count; }

 private:
  xenbus::Nodes on_connect() override;
  void on_disconnect() override;
  void release() noexcept;

  xen::GrantMapper& mapper_;
  xen::EventChannels& events_;
  RingNodes nodes_;
  std::optional<xen::GrantMapping> mapping_;
  xen::Port port_ = 0;
  std::uint64_t served_ = 0;
};

/// The backend of the device `Spec` describes, whose ring carries `Request`s and
/// `Response`s (trivially copyable structs) and which reads the frontend's `FrontendNodes`
/// and publishes `BackendNodes` (structs with for_each_node(), see store_nodes.hpp).
template <const SplitSpec& Spec, class Request, class Response, class FrontendNodes, class BackendNodes>
class SplitBackend : public SplitBackendLink {
 public:
  /// The spec this half follows.
  static constexpr const SplitSpec& kSpec = Spec;
  /// The shared ring, backend end.
  using Ring = xen::BackRing<Request, Response>;

  /// `mapper` maps the frontend's grants. The client, mapper and event channels must outlive
  /// this object. Call probe() next (a vbus Bus does it).
  SplitBackend(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
               xen::EventChannels& events)
      : SplitBackendLink(client, device, mapper, events, Spec.ring_nodes) {}

  /// Answers every waiting request with on_request(), pushing responses and notifying as
  /// xen/io/ring.h prescribes, and looks again for requests that arrived meanwhile.
  std::size_t serve() override {
    if (!ring_) return 0;
    consume_notification();
    std::size_t answered = 0;
    do {
      while (std::optional<Request> request = ring_->take_request()) {
        ring_->queue_response(on_request(*request));
        ++answered;
      }
      if (ring_->push_responses()) notify();
    } while (ring_->final_check_for_requests());
    count_served(answered);
    return answered;
  }

 protected:
  /// The frontend published its ring and `nodes`; returns what the backend publishes with
  /// Connected. Throw xenbus::Error to refuse (the backend then goes Closing).
  virtual BackendNodes on_connected(const FrontendNodes& nodes) = 0;
  /// The answer to one request.
  virtual Response on_request(const Request& request) = 0;

 private:
  xenbus::Nodes frontend_connected() override {
    return published_nodes(on_connected(read_nodes<FrontendNodes>(client(), other_path())));
  }
  void attach_ring(std::span<std::byte> page) override {
    ring_.emplace(page);
    ring_->set_trace(trace(), static_cast<std::uint16_t>(devid()));
  }
  void detach_ring() noexcept override { ring_.reset(); }

  std::optional<Ring> ring_;
};

}  // namespace vgen::halves
