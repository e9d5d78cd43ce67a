// The backend half of a split pair, written once for every spec: a Xenbus backend that
// advertises `max-ring-page-order` at probe for each ring of more than one page (blkif.h),
// and, when the frontend has published its rings, reads each ring's page order and grant
// references, maps the pages side by side, binds one event channel per event channel node
// (xenbus-protocol notes, "Handshake"), and on disconnection unmaps and closes them.
//
// The typed rings are BackRingOf<Request, Response> members registered with the link by
// index, each answering every request as xen/io/ring.h prescribes;
// SplitBackend<kSpec, Request, Response, FrontendNodes, BackendNodes> is the one-ring form,
// SplitBackendNodes<kSpec, FrontendNodes, BackendNodes> the base of a generated backend with
// several rings. Everything runs on the thread that calls step().
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
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/ring.hpp>
#include <vgen/xenbus/backend.hpp>

namespace vgen::halves {

class SplitBackendLink;

/// What the backend link asks of a typed ring besides attach() and detach() (see RingEnd).
class BackRingCalls {
 protected:
  virtual ~BackRingCalls() = default;

 private:
  friend class SplitBackendLink;
  /// Answers every waiting request; returns how many.
  virtual std::size_t serve() = 0;
};

/// One ring as the backend link drives it, independent of its message types; pages() are
/// those the frontend set up (2^ring-page-order).
using BackRingEnd = RingEnd<SplitBackendLink, BackRingCalls>;

/// The backend's mappings, event channels and Xenbus handshake, independent of the rings' types.
class SplitBackendLink : public xenbus::Backend {
 public:
  /// `mapper` maps the frontend's grants. The client, mapper, event channels and spec must
  /// outlive this object. Call probe() next (a vbus Bus does it).
  SplitBackendLink(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                   xen::EventChannels& events, const SplitSpec& spec);
  /// Unmaps the rings and closes the ports.
  ~SplitBackendLink() override;

  /// Runs the state machine and answers every waiting request; true if anything happened.
  bool step();
  /// Answers every waiting request on every ring; returns how many.
  std::size_t serve();
  /// True while the rings are mapped.
  bool ring_up() const noexcept { return ring_up_; }
  /// Readable when the frontend notified any of the rings' event channels (-1 without rings).
  int event_fd() const;
  /// Requests answered since construction.
  std::uint64_t served() const noexcept { return served_; }

 protected:
  /// The frontend published its rings: read its nodes and return what the backend publishes
  /// with Connected. Throw xenbus::Error to refuse (the backend then goes Closing).
  virtual xenbus::Nodes frontend_connected() = 0;

  /// Maps the frontend's grants (for data pages beside the rings).
  xen::GrantMapper& mapper() noexcept { return mapper_; }

 private:
  friend BackRingEnd;
  // One ring's mapping; `end` is its typed ring (registered by BackRingEnd).
  struct Ring {
    BackRingEnd* end = nullptr;
    std::optional<xen::GrantMapping> mapping;
  };

  xenbus::Nodes on_probe() override;
  xenbus::Nodes on_connect() override;
  void on_disconnect() override;
  void map_rings();
  void release() noexcept;
  void notify(std::size_t ring);

  xen::GrantMapper& mapper_;
  xen::EventChannels& events_;
  const SplitSpec& spec_;
  std::vector<Ring> rings_;
  RingPorts ports_;  // bound while up
  bool ring_up_ = false;
  std::uint64_t served_ = 0;
};

/// A ring whose backend takes `Request`s and answers each with a `Response` (trivially
/// copyable structs) from a handler.
template <class Request, class Response>
class BackRingOf final : public BackRingEnd {
 public:
  /// The shared ring, backend end.
  using Ring = xen::BackRing<Request, Response>;
  /// The answer to one request.
  using Handler = std::function<Response(const Request&)>;

  /// Ring `index` of `link`'s spec; `handler` answers its requests.
  BackRingOf(SplitBackendLink& link, std::size_t index, Handler handler)
      : BackRingEnd(link, index), handler_(std::move(handler)) {}

  /// Slots of the ring now (0 without a ring).
  std::uint32_t slots() const noexcept { return ring_ ? ring_->size() : 0; }

 private:
  void attach(std::span<std::byte> bytes) override {
    ring_.emplace(bytes);
    ring_->set_trace(trace_sink(), trace_ring(), trace_ends());
  }
  void detach() noexcept override { ring_.reset(); }
  // Answers every waiting request, pushing responses and notifying as xen/io/ring.h
  // prescribes, and looks again for requests that arrived meanwhile.
  std::size_t serve() override {
    if (!ring_) return 0;
    std::size_t answered = 0;
    do {
      while (std::optional<Request> request = ring_->take_request()) {
        ring_->queue_response(handler_(*request));
        ++answered;
      }
      if (ring_->push_responses()) notify();
    } while (ring_->final_check_for_requests());
    return answered;
  }

  Handler handler_;
  std::optional<Ring> ring_;
};

/// The base of a generated backend that reads the frontend's `FrontendNodes` and publishes
/// `BackendNodes` (structs with members() and kNames, see store_nodes.hpp); its rings are
/// BackRingOf members of the generated class.
template <const SplitSpec& Spec, class FrontendNodes, class BackendNodes>
class SplitBackendNodes : public SplitBackendLink {
 public:
  /// The spec this half follows.
  static constexpr const SplitSpec& kSpec = Spec;

  /// `mapper` maps the frontend's grants. The client, mapper and event channels must outlive
  /// this object. Call probe() next (a vbus Bus does it).
  SplitBackendNodes(store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
                    xen::EventChannels& events)
      : SplitBackendLink(client, device, mapper, events, Spec) {}

 protected:
  /// The frontend published its rings and `nodes`; returns what the backend publishes with
  /// Connected. Throw xenbus::Error to refuse (the backend then goes Closing).
  virtual BackendNodes on_connected(const FrontendNodes& nodes) = 0;

 private:
  xenbus::Nodes frontend_connected() override {
    return published_nodes(on_connected(read_nodes<FrontendNodes>(client(), other_path())));
  }
};

/// The backend of the one-ring device `Spec` describes, whose ring carries `Request`s and
/// `Response`s.
template <const SplitSpec& Spec, class Request, class Response, class FrontendNodes, class BackendNodes>
class SplitBackend : public SplitBackendNodes<Spec, FrontendNodes, BackendNodes> {
  static_assert(Spec.rings.size() == 1, "the one-ring form (several rings take BackRingOf members)");

 public:
  /// The shared ring, backend end.
  using Ring = xen::BackRing<Request, Response>;

  using SplitBackendNodes<Spec, FrontendNodes, BackendNodes>::SplitBackendNodes;

  /// Slots of the ring now (0 without a ring).
  std::uint32_t slots() const noexcept { return ring_.slots(); }

 protected:
  /// The answer to one request.
  virtual Response on_request(const Request& request) = 0;

 private:
  BackRingOf<Request, Response> ring_{*this, 0, [this](const Request& request) { return on_request(request); }};
};

}  // namespace vgen::halves
