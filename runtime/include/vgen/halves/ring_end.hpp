// One typed ring of a split link as either half's link drives it: what the frontend's
// FrontRingOf and the backend's BackRingOf have in common beside their message types. A
// ring registers with its link by index when made and unregisters when destroyed, notifies
// the peer on its ring's port through the link, records into the link's trace sink, and
// keeps the pages the link set it up over.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <vgen/halves/split_spec.hpp>
#include <vgen/trace/hooks.hpp>

namespace vgen::halves {

/// `index` if `spec` has a ring `index`; else throws xen::Error(Invalid) naming the spec and
/// how many rings it has.
std::size_t checked_ring_index(const SplitSpec& spec, std::size_t index);

/// One ring as `Link` (SplitFrontendLink, SplitBackendLink) drives it, independent of its
/// message types. `Calls` declares what that link asks of a ring besides attach() and
/// detach() (the backend: serve(); the frontend: collect(), in_flight()). `Link` holds a
/// `std::vector<Ring> rings_` whose `end` points at the ring registered by index, the spec
/// as `spec_`, and `notify(index)`; it sets pages_ when it attaches and detaches the ring.
template <class Link, class Calls>
class RingEnd : public Calls {
 public:
  RingEnd(const RingEnd&) = delete;
  RingEnd& operator=(const RingEnd&) = delete;
  /// Unregisters from the link (which outlives it: the typed rings are members of a class
  /// derived from the link, destroyed before it).
  virtual ~RingEnd() { link_.rings_[index_].end = nullptr; }

  /// Pages of the ring now (the negotiated 2^ring-page-order); 0 without a ring.
  std::uint32_t pages() const noexcept { return pages_; }

 protected:
  /// Registers this ring as ring `index` of `link`'s spec; throws xen::Error(Invalid) when
  /// the spec has no such ring.
  RingEnd(Link& link, std::size_t index) : link_(link), index_(checked_ring_index(link.spec_, index)) {
    link.rings_[index_].end = this;
  }
  /// Notifies the peer on this ring's port.
  void notify() { link_.notify(index_); }
  /// The link's trace sink (null: none), which the typed ring records its entries into.
  trace::TraceSink* trace_sink() const noexcept { return link_.trace(); }
  /// Whether the other end records into the same sink (xenbus::Driver::set_trace()).
  trace::Ends trace_ends() const noexcept { return link_.trace_ends(); }
  /// The ring's number in the log: ring_trace_number() of the link's devid and this ring.
  std::uint16_t trace_ring() const noexcept {
    return ring_trace_number(link_.devid(), link_.spec_.rings.size(), index_);
  }

 private:
  friend Link;
  /// Builds the typed ring in `bytes`, the ring's pages side by side.
  virtual void attach(std::span<std::byte> bytes) = 0;
  /// Drops the typed ring.
  virtual void detach() noexcept = 0;

  Link& link_;
  std::size_t index_;
  std::uint32_t pages_ = 0;
};

}  // namespace vgen::halves
