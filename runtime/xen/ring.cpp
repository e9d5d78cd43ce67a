#include <vgen/xen/ring.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

namespace vgen::xen::detail {
namespace {

std::string indexes(const char* a, RingIndex va, const char* b, RingIndex vb, const char* c, RingIndex vc) {
  return std::string(a) + "=" + std::to_string(va) + ", " + b + "=" + std::to_string(vb) + ", " + c + "=" +
         std::to_string(vc);
}

}  // namespace

// ---- SharedRing ----

SharedRing::SharedRing(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align, const char* side)
    : side_(side),
      base_(shared.data()),
      entries_(shared.data() + kRingEntriesOffset),
      entry_size_(entry_size),
      size_(ring_entry_count(shared.size(), entry_size)) {
  const std::string what = std::string(side) + " ring over " + std::to_string(shared.size()) + " bytes";
  if (size_ == 0) {
    throw Error(ErrorCode::Invalid, what + ": no entry of " + std::to_string(entry_size) + " bytes fits after the " +
                                        std::to_string(kRingEntriesOffset) + "-byte header");
  }
  if (entry_align > kRingEntriesOffset) {
    throw Error(ErrorCode::Invalid, what + ": entries aligned to " + std::to_string(entry_align) +
                                        " bytes cannot start at offset " + std::to_string(kRingEntriesOffset));
  }
  const auto address = reinterpret_cast<std::uintptr_t>(shared.data());
  const std::size_t align = std::max(entry_align, std::atomic_ref<RingIndex>::required_alignment);
  if (address % align != 0) {
    throw Error(ErrorCode::Invalid, what + ": address " + std::to_string(address) + " is not aligned to " +
                                        std::to_string(align) + " bytes");
  }
}

RingIndex SharedRing::load(std::size_t offset, std::memory_order order) const noexcept {
  return std::atomic_ref<RingIndex>(*reinterpret_cast<RingIndex*>(base_ + offset)).load(order);
}

void SharedRing::store(std::size_t offset, RingIndex value, std::memory_order order) noexcept {
  std::atomic_ref<RingIndex>(*reinterpret_cast<RingIndex*>(base_ + offset)).store(value, order);
}

void SharedRing::check_usable(const char* operation) const {
  if (broken()) {
    throw Error(ErrorCode::RingBroken,
                std::string(side_) + " ring: " + operation + " refused, the ring is broken: " + failure_);
  }
}

void SharedRing::fail(const std::string& what) {
  failure_ = what;
  throw Error(ErrorCode::RingOverflow, std::string(side_) + " ring: " + what + "; the ring is now broken");
}

bool SharedRing::publish(std::size_t prod_offset, std::size_t event_offset, RingIndex published,
                         RingIndex produced) noexcept {
  // Write barrier + publish + full barrier, as one seq_cst store:
  // - as a release store it is the write barrier: the entries written before it are
  //   visible to a consumer whose acquire load (in take) reads this index;
  // - as a seq_cst store followed by the seq_cst load of the event index below, it is the
  //   full barrier: it pairs with the consumer's final check (seq_cst store of its event
  //   index, then seq_cst re-load of this producer index, see arm_event), so either the
  //   consumer sees the new entries or we see its new event index and notify it.
  store(prod_offset, produced, std::memory_order_seq_cst);
  const RingIndex event = load(event_offset, std::memory_order_seq_cst);
  // Notify only if the event index lies in (published, produced]: the consumer asked to
  // be woken by one of the entries just published.
  return static_cast<RingIndex>(produced - event) < static_cast<RingIndex>(produced - published);
}

void SharedRing::emit_entry(trace::EventKind kind, std::uint16_t side, RingIndex index, const void* bytes,
                            std::size_t size) const noexcept {
  trace::Event event{kind, trace_ring_, side, index};
  event.bytes = std::span(static_cast<const std::byte*>(bytes), size);
  trace_->record_in_group(event);
}

void SharedRing::trace_push(std::uint16_t side, RingIndex published, RingIndex produced, bool notify) const noexcept {
  if (trace_ == nullptr) return;
  if (produced != published) {
    trace_->record_in_group({trace::EventKind::XenPushed, trace_ring_, side, produced, notify ? 1u : 0u});
  }
  trace_->end_group();
}

void SharedRing::end_trace_group() const noexcept {
  if (trace_ != nullptr) trace_->end_group();
}

RingIndex SharedRing::arm_event(std::size_t event_offset, std::size_t prod_offset, RingIndex consumed) noexcept {
  // Full barrier between the event store and the producer re-load, as a seq_cst pair; it
  // pairs with the producer's seq_cst publish/event load in publish(). Seq_cst also makes
  // the re-load an acquire: entries behind a newer index are visible.
  store(event_offset, consumed + 1, std::memory_order_seq_cst);
  return load(prod_offset, std::memory_order_seq_cst);
}

// ---- FrontRingCore ----

FrontRingCore::FrontRingCore(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align)
    : SharedRing(shared, entry_size, entry_align, "front") {
  // Only the frontend initialises: producers 0, events 1 (the first entry published by
  // either side notifies), private area zeroed. Release stores, though the backend should
  // attach only after learning of the ring through another synchronised channel.
  std::memset(shared.data() + 16, 0, kRingEntriesOffset - 16);
  store(kRingReqProdOffset, 0, std::memory_order_relaxed);
  store(kRingRspProdOffset, 0, std::memory_order_relaxed);
  store(kRingReqEventOffset, 1, std::memory_order_release);
  store(kRingRspEventOffset, 1, std::memory_order_release);
}

void FrontRingCore::refuse_queue() const {
  check_usable("queue_request");
  throw Error(ErrorCode::RingFull, "front ring: queue_request refused, all " + std::to_string(size()) +
                                       " entries hold outstanding requests (" +
                                       indexes("req_prod_pvt", req_prod_pvt_, "rsp_cons", rsp_cons_, "size", size()) +
                                       ")");
}

bool FrontRingCore::push() {
  check_usable("push_requests");
  // The old value is our own record, not a re-read of shared memory the backend could change.
  const bool notify = publish(kRingReqProdOffset, kRingReqEventOffset, req_published_, req_prod_pvt_);
  trace_push(0, req_published_, req_prod_pvt_, notify);
  req_published_ = req_prod_pvt_;
  return notify;
}

std::uint32_t FrontRingCore::accept(RingIndex rsp_prod) {
  const std::uint32_t available = rsp_prod - rsp_cons_;
  const std::uint32_t requested = req_published_ - rsp_cons_;
  if (available > requested) {
    fail("backend published " + std::to_string(available) + " responses but only " + std::to_string(requested) +
         " requests are outstanding (" +
         indexes("rsp_prod", rsp_prod, "rsp_cons", rsp_cons_, "req_prod", req_published_) +
         ", size=" + std::to_string(size()) + ")");
  }
  rsp_prod_seen_ = rsp_prod;
  return available;
}

std::uint32_t FrontRingCore::reload(const char* operation) {
  check_usable(operation);
  // Acquire is ring.h's read barrier after reading the producer index: it pairs with the
  // release half of the backend's publish() (ring.h's write barrier before it updates
  // rsp_prod), so responses up to rsp_prod are visible before take_entry hands them out.
  // Until rsp_cons reaches the value remembered here, those entries stay visible without
  // another load.
  const std::uint32_t waiting = accept(load(kRingRspProdOffset, std::memory_order_acquire));
  if (waiting == 0) end_trace_group();
  return waiting;
}

bool FrontRingCore::final_check() {
  if (reload("final_check_for_responses") != 0) return true;
  return accept(arm_event(kRingRspEventOffset, kRingRspProdOffset, rsp_cons_)) != 0;
}

// ---- BackRingCore ----

BackRingCore::BackRingCore(std::span<std::byte> shared, std::size_t entry_size, std::size_t entry_align)
    : SharedRing(shared, entry_size, entry_align, "back") {}

std::uint32_t BackRingCore::accept(RingIndex req_prod) {
  const std::uint32_t available = req_prod - req_cons_;
  const std::uint32_t unanswered = req_prod - rsp_prod_pvt_;
  if (available > size() || unanswered > size()) {
    fail("frontend published req_prod=" + std::to_string(req_prod) + ": " + std::to_string(available) +
         " unconsumed and " + std::to_string(unanswered) + " unanswered requests, more than the ring's " +
         std::to_string(size()) + " entries (" +
         indexes("req_cons", req_cons_, "rsp_prod_pvt", rsp_prod_pvt_, "size", size()) + ")");
  }
  req_prod_seen_ = req_prod;
  return available;
}

std::uint32_t BackRingCore::reload(const char* operation) {
  check_usable(operation);
  // Acquire is ring.h's read barrier after reading the producer index: it pairs with the
  // release half of the frontend's publish() (ring.h's write barrier before it updates
  // req_prod), so requests up to req_prod are visible before take_entry hands them out.
  // Until req_cons reaches the value remembered here, those entries stay visible without
  // another load.
  const std::uint32_t waiting = accept(load(kRingReqProdOffset, std::memory_order_acquire));
  if (waiting == 0) end_trace_group();
  return waiting;
}

void BackRingCore::refuse_queue() const {
  check_usable("queue_response");
  throw Error(ErrorCode::Invalid, "back ring: queue_response refused, every request taken has been answered (" +
                                      indexes("req_cons", req_cons_, "rsp_prod_pvt", rsp_prod_pvt_, "size", size()) +
                                      ")");
}

bool BackRingCore::push() {
  check_usable("push_responses");
  const bool notify = publish(kRingRspProdOffset, kRingRspEventOffset, rsp_published_, rsp_prod_pvt_);
  trace_push(1, rsp_published_, rsp_prod_pvt_, notify);
  rsp_published_ = rsp_prod_pvt_;
  return notify;
}

bool BackRingCore::final_check() {
  if (reload("final_check_for_requests") != 0) return true;
  return accept(arm_event(kRingReqEventOffset, kRingReqProdOffset, req_cons_)) != 0;
}

}  // namespace vgen::xen::detail
