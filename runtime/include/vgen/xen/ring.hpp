// Xen shared rings: a frontend pushes requests and a backend pushes responses into the
// same array of entries in shared memory (one page, or 2^order pages side by side).
//
// Byte layout (host byte order, as both ends share the CPU), identical to the Xen
// interface's shared ring page (xen/io/ring.h):
//
//   offset  size  field
//        0     4  req_prod    requests published by the frontend (free-running)
//        4     4  req_event   the backend wants a notification when req_prod passes this
//        8     4  rsp_prod    responses published by the backend (free-running)
//       12     4  rsp_event   the frontend wants a notification when rsp_prod passes this
//       16    48  private/padding, zeroed by the frontend
//       64     -  entries: each holds a request or a response (the size of the larger,
//                 rounded up to the stricter alignment); their number is the largest
//                 power of two that fits; index i lives in entry i & (count - 1)
//
// Protocol (xenbus-protocol notes, "Shared ring"):
// - Only the frontend initialises the ring: producers 0, events 1.
// - Push: write barrier, publish the producer index, full barrier, then notify only if
//   (new - event) < (new - old) in 32-bit arithmetic, i.e. the peer's event index lies in
//   (old, new].
// - Final check before sleeping: if nothing is waiting, set event = consumer + 1, full
//   barrier, look again.
// - No flow control in the ring: the frontend keeps at most `size()` requests outstanding.
// - Consume (as ring.h's users do): read the peer's producer index, read barrier, take the
//   entries up to it, and read the index again only once they are all taken. The peer
//   writes that cache line on every push, so it is read once per batch, not per entry.
//
// What vgen adds: a consumer copies each entry to private memory before using it, and
// checks each producer index it reads before following it. A backend that publishes more
// responses than there are requests outstanding, or a frontend that claims more unconsumed
// requests than the ring holds, gets xen::Error(RingOverflow) naming the indexes; the ring
// is then broken and every later call throws xen::Error(RingBroken). A bad index is caught
// when it is read: entries seen at the earlier, valid read are taken first (a consumer
// reads afresh in unconsumed_*() and the final check, and in take_* once it catches up).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include <vgen/trace/hooks.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xen/types.hpp>

namespace vgen::xen {

/// A free-running ring index (wraps at 2^32).
using RingIndex = std::uint32_t;

/// Byte offsets of the shared indexes and of the first entry.
inline constexpr std::size_t kRingReqProdOffset = 0;
inline constexpr std::size_t kRingReqEventOffset = 4;
inline constexpr std::size_t kRingRspProdOffset = 8;
inline constexpr std::size_t kRingRspEventOffset = 12;
inline constexpr std::size_t kRingEntriesOffset = 64;
/// Largest ring page order accepted (2^order pages).
inline constexpr unsigned kMaxRingPageOrder = 8;

/// Bytes of a ring made of 2^order pages.
constexpr std::size_t ring_bytes(unsigned order) noexcept { return kPageSize << order; }

/// The largest power of two <= n (0 for 0).
constexpr std::uint64_t round_down_to_power_of_two(std::uint64_t n) noexcept {
  return n == 0 ? 0 : std::uint64_t{1} << (63 - std::countl_zero(n));
}

/// Bytes one entry takes: the larger of the two messages, rounded up to the stricter
/// alignment of the two (the size of a union of them).
template <class Request, class Response>
inline constexpr std::size_t ring_entry_size = [] {
  const std::size_t align = std::max(alignof(Request), alignof(Response));
  const std::size_t size = std::max(sizeof(Request), sizeof(Response));
  return (size + align - 1) / align * align;
}();

/// Entries in a ring of `bytes` bytes whose entries take `entry_size` bytes (0 if none fit).
constexpr std::uint32_t ring_entry_count(std::size_t bytes, std::size_t entry_size) noexcept {
  if (entry_size == 0 || bytes < kRingEntriesOffset) return 0;
  const std::uint64_t fit = (bytes - kRingEntriesOffset) / entry_size;
  return static_cast<std::uint32_t>(round_down_to_power_of_two(std::min<std::uint64_t>(fit, std::uint64_t{1} << 31)));
}

/// Entries of a Request/Response ring in `bytes` bytes.
template <class Request, class Response>
constexpr std::uint32_t ring_entries(std::size_t bytes) noexcept {
  return ring_entry_count(bytes, ring_entry_size<Request, Response>);
}

namespace detail {

/// The type-independent part of both ring ends: the shared indexes, entry addressing, and
/// the broken state.
class SharedRing {
 public:
  /// Throws xen::Error(Invalid) unless `shared` holds at least one entry and is aligned
  /// for the indexes and entries.
  SharedRing(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align, const char* side);

  std::uint32_t size() const noexcept { return size_; }
  bool broken() const noexcept { return !failure_.empty(); }
  const std::string& failure() const noexcept { return failure_; }
  /// Where this end's requests, responses and pushes go (XenRequest, XenResponse, XenPushed
  /// on the XenRing channel, queue = `ring`, the device id); null stops tracing. With
  /// trace::Ends::Both (the other end records into `sink` too) an entry this end takes is
  /// recorded without its bytes: the other end's record of it queued holds them.
  void set_trace(trace::TraceSink* sink, std::uint16_t ring, trace::Ends ends = trace::Ends::One) noexcept {
    trace_ = sink;
    trace_ring_ = ring;
    trace_both_ends_ = ends == trace::Ends::Both;
  }

 protected:
  /// Hands the message `bytes` at ring index `index` to the sink, if any.
  void trace_entry(trace::EventKind kind, std::uint16_t side, RingIndex index, const void* bytes,
                   std::size_t size) const noexcept {
    if (trace_ != nullptr) emit_entry(kind, side, index, bytes, size);
  }
  /// Hands the entry this end just took, at ring index `index`, to the sink, if any: with its
  /// `bytes` unless the other end records into the same sink (set_trace()).
  void trace_taken_entry(trace::EventKind kind, RingIndex index, const void* bytes, std::size_t size) const noexcept {
    if (trace_ != nullptr) emit_entry(kind, 1, index, bytes, trace_both_ends_ ? 0 : size);
  }
  /// Records a push that moved the producer index from `published` to `produced` (side 0
  /// requests, 1 responses) and whether it notifies; a push with nothing new records nothing.
  /// The entries queued or taken since the last push or empty poll and the push share one trace
  /// group (trace::TraceSink::record_in_group()), which the push ends either way.
  void trace_push(std::uint16_t side, RingIndex published, RingIndex produced, bool notify) const noexcept;
  /// Ends the trace group: when a poll finds nothing waiting.
  void end_trace_group() const noexcept;
  RingIndex load(std::size_t offset, std::memory_order order) const noexcept;
  void store(std::size_t offset, RingIndex value, std::memory_order order) noexcept;
  std::byte* entry(RingIndex index) const noexcept { return entries_ + (index & (size_ - 1)) * entry_size_; }
  /// Throws RingBroken, naming `operation`, if an earlier check failed.
  void check_usable(const char* operation) const;
  /// Marks the ring broken and throws RingOverflow with `what`.
  [[noreturn]] void fail(const std::string& what);
  /// Publishes `produced` at `prod_offset` and decides whether the peer must be notified,
  /// given the previous value `published` and the peer's event index at `event_offset`.
  bool publish(std::size_t prod_offset, std::size_t event_offset, RingIndex published, RingIndex produced) noexcept;
  /// Sets the event index at `event_offset` to consumed + 1, then re-reads the peer's
  /// producer index at `prod_offset` (the second look of the final check).
  RingIndex arm_event(std::size_t event_offset, std::size_t prod_offset, RingIndex consumed) noexcept;

  const char* side_;

 private:
  void emit_entry(trace::EventKind kind, std::uint16_t side, RingIndex index, const void* bytes,
                  std::size_t size) const noexcept;

  trace::TraceSink* trace_ = nullptr;
  std::uint16_t trace_ring_ = 0;
  bool trace_both_ends_ = false;  // the other end records into trace_ too
  std::byte* base_;
  std::byte* entries_;
  std::size_t entry_size_;
  std::uint32_t size_;
  std::string failure_;
};

/// Frontend logic on raw entries (see FrontRing). The typed ring copies whole messages in
/// and out of the entries this hands out, so each copy has a size known at compile time.
class FrontRingCore : public SharedRing {
 public:
  FrontRingCore(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align);
  std::uint32_t outstanding() const noexcept { return req_prod_pvt_ - rsp_cons_; }
  /// The entry the next request goes into, counted as queued (published by push). Throws
  /// RingBroken or RingFull.
  std::byte* queue_entry() {
    if (broken() || outstanding() >= size()) refuse_queue();
    return entry(req_prod_pvt_++);
  }
  bool push();
  /// Traces the request just queued (`size` bytes at `message`).
  void trace_queued(const void* message, std::size_t size) const noexcept {
    trace_entry(trace::EventKind::XenRequest, 0, req_prod_pvt_ - 1, message, size);
  }
  /// Traces the response just taken.
  void trace_taken(const void* message, std::size_t size) const noexcept {
    trace_taken_entry(trace::EventKind::XenResponse, rsp_cons_ - 1, message, size);
  }
  /// Reads rsp_prod afresh and checks it; throws RingBroken or RingOverflow.
  std::uint32_t unconsumed() { return reload("unconsumed_responses"); }
  /// The next response's entry, counted as taken, or nullptr if none is waiting. Reads
  /// rsp_prod (checked) only once every response seen at the last read has been taken.
  const std::byte* take_entry() {
    if ((rsp_cons_ == rsp_prod_seen_ || broken()) && reload("take_response") == 0) return nullptr;
    return entry(rsp_cons_++);
  }
  bool final_check();

 private:
  [[noreturn]] void refuse_queue() const;
  /// Loads rsp_prod, checks it and remembers it; returns the responses waiting.
  std::uint32_t reload(const char* operation);
  std::uint32_t accept(RingIndex rsp_prod);

  RingIndex req_prod_pvt_ = 0;   // requests queued (published or not)
  RingIndex req_published_ = 0;  // what we last stored in req_prod
  RingIndex rsp_cons_ = 0;       // responses taken
  RingIndex rsp_prod_seen_ = 0;  // the last rsp_prod read and accepted
};

/// Backend logic on raw entries (see BackRing); hands out entries as FrontRingCore does.
class BackRingCore : public SharedRing {
 public:
  BackRingCore(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align);
  std::uint32_t awaiting_response() const noexcept { return req_cons_ - rsp_prod_pvt_; }
  /// Reads req_prod afresh and checks it; throws RingBroken or RingOverflow.
  std::uint32_t unconsumed() { return reload("unconsumed_requests"); }
  /// The next request's entry, counted as taken, or nullptr if none is waiting. Reads
  /// req_prod (checked) only once every request seen at the last read has been taken.
  const std::byte* take_entry() {
    if ((req_cons_ == req_prod_seen_ || broken()) && reload("take_request") == 0) return nullptr;
    return entry(req_cons_++);
  }
  /// The entry the next response goes into, counted as queued (published by push). Throws
  /// RingBroken, or Invalid when every taken request has been answered.
  std::byte* queue_entry() {
    if (broken() || awaiting_response() == 0) refuse_queue();
    return entry(rsp_prod_pvt_++);
  }
  bool push();
  bool final_check();
  /// Traces the request just taken (`size` bytes at `message`).
  void trace_taken(const void* message, std::size_t size) const noexcept {
    trace_taken_entry(trace::EventKind::XenRequest, req_cons_ - 1, message, size);
  }
  /// Traces the response just queued.
  void trace_queued(const void* message, std::size_t size) const noexcept {
    trace_entry(trace::EventKind::XenResponse, 0, rsp_prod_pvt_ - 1, message, size);
  }

 private:
  [[noreturn]] void refuse_queue() const;
  /// Loads req_prod, checks it and remembers it; returns the requests waiting.
  std::uint32_t reload(const char* operation);
  std::uint32_t accept(RingIndex req_prod);

  RingIndex req_cons_ = 0;       // requests taken
  RingIndex req_prod_seen_ = 0;  // the last req_prod read and accepted
  RingIndex rsp_prod_pvt_ = 0;   // responses queued (published or not)
  RingIndex rsp_published_ = 0;  // what we last stored in rsp_prod
};

/// A private copy of the message in `entry` (nothing for nullptr). The copy has a size known
/// at compile time, so it is inlined rather than a call into the C library.
template <class Message>
std::optional<Message> copy_out(const std::byte* entry) {
  if (entry == nullptr) return std::nullopt;
  std::optional<Message> message(std::in_place);
  std::memcpy(&*message, entry, sizeof(Message));
  // Compiler barrier: the entry is read here, once. Without it the optimiser could drop
  // the copy and read a field from shared memory again where it is used, after the peer
  // changed it (the check of a field and its use would see different values).
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return message;
}

}  // namespace detail

/// The frontend end: initialises the shared ring, queues and pushes requests, takes
/// responses. Request and Response must be trivially copyable. Not thread-safe: one thread
/// per end (the backend runs concurrently elsewhere).
template <class Request, class Response>
class FrontRing {
  static_assert(std::is_trivially_copyable_v<Request> && std::is_trivially_copyable_v<Response>);

 public:
  /// Initialises the ring in `shared` (producers 0, events 1, padding zeroed). Throws
  /// xen::Error(Invalid) if no entry fits or the memory is misaligned.
  explicit FrontRing(std::span<std::byte> shared)
      : core_(shared, ring_entry_size<Request, Response>, std::max(alignof(Request), alignof(Response))) {}

  /// Number of entries.
  std::uint32_t size() const noexcept { return core_.size(); }
  /// Requests queued and not yet answered (taken responses excluded).
  std::uint32_t outstanding() const noexcept { return core_.outstanding(); }
  /// Requests that can still be queued: size() - outstanding().
  std::uint32_t free_requests() const noexcept { return size() - outstanding(); }
  /// True when a checked producer index went wrong; every call then throws RingBroken.
  bool broken() const noexcept { return core_.broken(); }

  /// Writes `request` into the next entry (not yet visible to the backend). Throws
  /// xen::Error(RingFull) when size() requests are outstanding.
  void queue_request(const Request& request) {
    std::memcpy(core_.queue_entry(), &request, sizeof request);
    core_.trace_queued(&request, sizeof request);
  }
  /// Publishes the queued requests; true if the backend must be notified.
  bool push_requests() { return core_.push(); }
  /// Responses published and not yet taken, from a fresh read of rsp_prod (checked: throws
  /// RingOverflow for a backend that answered more requests than are outstanding).
  std::uint32_t unconsumed_responses() { return core_.unconsumed(); }
  /// A private copy of the next response, or nothing if none is waiting. Reads rsp_prod
  /// (same check) only when every response seen at the last read has been taken.
  std::optional<Response> take_response() {
    std::optional<Response> response = detail::copy_out<Response>(core_.take_entry());
    if (response) core_.trace_taken(&*response, sizeof *response);
    return response;
  }
  /// The final check before sleeping: true if responses are waiting; otherwise asks for a
  /// notification on the next response and looks once more.
  bool final_check_for_responses() { return core_.final_check(); }
  /// Traces the requests queued, the responses taken and each push to `sink` as ring
  /// `ring` (the device id); null stops tracing.
  void set_trace(trace::TraceSink* sink, std::uint16_t ring, trace::Ends ends = trace::Ends::One) noexcept {
    core_.set_trace(sink, ring, ends);
  }

 private:
  detail::FrontRingCore core_;
};

/// The backend end: takes requests, queues and pushes responses. Does not write the
/// shared ring until it pushes or arms an event. Same type rules as FrontRing.
template <class Request, class Response>
class BackRing {
  static_assert(std::is_trivially_copyable_v<Request> && std::is_trivially_copyable_v<Response>);

 public:
  /// Attaches to a ring the frontend initialised. Throws xen::Error(Invalid) as FrontRing.
  explicit BackRing(std::span<std::byte> shared)
      : core_(shared, ring_entry_size<Request, Response>, std::max(alignof(Request), alignof(Response))) {}

  /// Number of entries.
  std::uint32_t size() const noexcept { return core_.size(); }
  /// Requests taken and not yet answered.
  std::uint32_t awaiting_response() const noexcept { return core_.awaiting_response(); }
  /// True when a checked producer index went wrong; every call then throws RingBroken.
  bool broken() const noexcept { return core_.broken(); }

  /// Requests published and not yet taken, from a fresh read of req_prod (checked: throws
  /// RingOverflow for a frontend that claims more unconsumed or unanswered requests than
  /// the ring holds).
  std::uint32_t unconsumed_requests() { return core_.unconsumed(); }
  /// A private copy of the next request, or nothing if none is waiting. Reads req_prod
  /// (same check) only when every request seen at the last read has been taken.
  std::optional<Request> take_request() {
    std::optional<Request> request = detail::copy_out<Request>(core_.take_entry());
    if (request) core_.trace_taken(&*request, sizeof *request);
    return request;
  }
  /// Writes `response` into the next entry (not yet visible). Throws xen::Error(Invalid)
  /// when every taken request has been answered already.
  void queue_response(const Response& response) {
    std::memcpy(core_.queue_entry(), &response, sizeof response);
    core_.trace_queued(&response, sizeof response);
  }
  /// Publishes the queued responses; true if the frontend must be notified.
  bool push_responses() { return core_.push(); }
  /// The final check before sleeping: true if requests are waiting; otherwise asks for a
  /// notification on the next request and looks once more.
  bool final_check_for_requests() { return core_.final_check(); }
  /// Traces the requests taken, the responses queued and each push to `sink` as ring
  /// `ring` (the device id); null stops tracing.
  void set_trace(trace::TraceSink* sink, std::uint16_t ring, trace::Ends ends = trace::Ends::One) noexcept {
    core_.set_trace(sink, ring, ends);
  }

 private:
  detail::BackRingCore core_;
};

}  // namespace vgen::xen
