#include <vgen/virtqueue/split_driver.hpp>

#include <vgen/format.hpp>

#include <atomic>

namespace vgen::virtqueue {
namespace {

// The error for a chain add() must not place; names the part that does not fit.
[[noreturn]] void refuse_chain(std::size_t buffers, std::uint64_t readable, std::uint64_t writable) {
  const std::string chain = "add: chain of " + std::to_string(buffers) + " buffers ";
  if (readable <= kMaxUsedLength && writable <= kMaxUsedLength) {
    throw Error(ErrorCode::ChainTooLarge,
                chain + "totals " + std::to_string(readable + writable) + " bytes, more than 2^32 (§2.7.5.2)");
  }
  const bool in_writable = writable > kMaxUsedLength;
  throw Error(ErrorCode::ChainTooLarge, chain + "has " + std::to_string(in_writable ? writable : readable) +
                                            (in_writable ? " device-writable" : " device-readable") +
                                            " bytes, more than the " + std::to_string(kMaxUsedLength) +
                                            " a 32-bit length can state (§2.7.8)");
}

}  // namespace

SplitDriverQueue::SplitDriverQueue(const shm::GuestMemory& memory, const QueueConfig& config, IndirectPool pool)
    : memory_(memory), ring_(memory, config.size, config.addresses), features_(config.features), pool_(pool) {
  queue_index_ = config.index;
  if (features_.indirect && pool_.capacity > 0) {
    if (pool_.base % kDescAlign != 0 || pool_.capacity > ring_.size()) {
      throw Error(ErrorCode::InvalidConfig, "indirect pool at " + hex(pool_.base) + " with " +
                                                std::to_string(pool_.capacity) +
                                                " entries per table must be 16-aligned and at most the queue size");
    }
    pool_host_ = memory.find(pool_.base, std::uint64_t{ring_.size()} * pool_.capacity * sizeof(Descriptor));
    if (pool_host_ == nullptr) {
      throw Error(ErrorCode::InvalidConfig, "indirect pool at " + hex(pool_.base) + " is not inside guest memory");
    }
  }
  const std::uint32_t size = ring_.size();
  next_free_.resize(size);
  for (std::uint32_t i = 0; i < size; ++i) next_free_[i] = static_cast<std::uint16_t>((i + 1) & ring_.mask());
  heads_.resize(size);
  free_count_ = size;
  // §2.7.10.1: the driver initialises the used flags to 0; the rest starts at 0 too.
  ring_.store_avail_flags(0);
  ring_.store_avail_idx(0, std::memory_order_relaxed);
  ring_.store_used_event(0);
  ring_.store_used_flags(0);
  ring_.store_used_idx(0, std::memory_order_relaxed);
  ring_.store_avail_event(0);
  std::atomic_thread_fence(std::memory_order_release);
}

std::uint32_t SplitDriverQueue::add_chain(std::span<const Buffer> readable, std::span<const Buffer> writable,
                                          std::uint64_t token) {
  check_usable();
  const std::size_t count = readable.size() + writable.size();
  if (count == 0) throw Error(ErrorCode::InvalidConfig, "add: a chain needs at least one buffer");
  const bool indirect = pool_host_ != nullptr && count > 1 && count <= pool_.capacity;
  if (!indirect && count > ring_.size()) {
    throw Error(ErrorCode::InvalidConfig, "add: chain of " + std::to_string(count) + " buffers exceeds queue size " +
                                              std::to_string(ring_.size()));
  }
  const std::uint32_t writable_bytes = checked_chain_bytes(readable, writable);
  const std::uint32_t needed = indirect ? 1 : static_cast<std::uint32_t>(count);
  if (needed > free_count_) return kNoRoom;

  // Noted first (the head to be is free_head_), so that a note that cannot be made leaves
  // nothing placed.
  if (trace_ != nullptr) note_added(free_head_, readable, writable);
  const std::uint16_t head = indirect ? place_indirect(readable, writable) : place_direct(readable, writable);
  heads_[head] = {token, added_count_++, writable_bytes, static_cast<std::uint16_t>(needed), true};
  ++in_flight_;
  // The slot is written now; the device cannot see it until publish() moves the idx.
  ring_.store_avail_entry(avail_idx_ & ring_.mask(), head);
  ++avail_idx_;
  return head;
}

void SplitDriverQueue::note_added(std::uint16_t head, std::span<const Buffer> readable,
                                  std::span<const Buffer> writable) {
  // record_deferred() makes the record where an exception cannot be reported: its room now.
  chain_trace_.reserve_added(head, readable.size(), writable.size(), !trace_both_ends_);
  const auto first = static_cast<std::uint32_t>(added_buffers_.size());
  // Field by field: a caller that has just built its Buffers in pieces cannot forward them to
  // one 16-byte load, which would wait for every store before it (split_ring.hpp).
  for (const Buffer& b : readable) added_buffers_.push_back({b.addr, b.length});
  for (const Buffer& b : writable) added_buffers_.push_back({b.addr, b.length});
  const auto index = static_cast<std::uint16_t>(avail_idx_ + 1);  // the avail idx just after the chain
  added_chains_.push_back(
      {head, index, first, static_cast<std::uint32_t>(readable.size()), static_cast<std::uint32_t>(writable.size())});
}

// The ChainAdded records of the chains noted since the last call, in the order they were added.
bool SplitDriverQueue::record_deferred() noexcept {
  if (added_chains_.empty()) return false;
  for (const AddedChain& chain : added_chains_) {
    const Buffer* buffers = added_buffers_.data() + chain.first;
    const std::span<const Buffer> readable{buffers, chain.readable};
    const std::span<const Buffer> writable{buffers + chain.readable, chain.writable};
    std::uint64_t readable_bytes = 0;
    for (const Buffer& b : readable) readable_bytes += b.length;
    // The chain is still in flight: add() kept its writable total under its head.
    const std::uint64_t writable_bytes = heads_[chain.head].writable_bytes;
    trace::Event event{
        trace::EventKind::ChainAdded, queue_index_, chain.head, chain.index, readable_bytes, writable_bytes};
    event.buffers = chain_trace_.added(chain.head, readable, writable, memory_, !trace_both_ends_);
    trace_->record_in_group(event);
  }
  added_chains_.clear();
  added_buffers_.clear();
  return true;
}

// §2.7.5.2: a chain totals at most 2^32 bytes. Beyond that, each part must fit 32 bits: the
// used len (§2.7.8) could not state more writable bytes, and no device needs more readable
// ones in one chain. Returns the writable bytes.
std::uint32_t SplitDriverQueue::checked_chain_bytes(std::span<const Buffer> readable,
                                                    std::span<const Buffer> writable) const {
  std::uint64_t in = 0;
  std::uint64_t out = 0;
  for (const Buffer& b : readable) in += b.length;
  for (const Buffer& b : writable) out += b.length;
  if (in > kMaxUsedLength || out > kMaxUsedLength || in + out > kMaxChainBytes) {
    refuse_chain(readable.size() + writable.size(), in, out);
  }
  return static_cast<std::uint32_t>(out);
}

std::uint16_t SplitDriverQueue::place_direct(std::span<const Buffer> readable, std::span<const Buffer> writable) {
  const std::uint16_t head = free_head_;
  std::uint16_t index = head;
  const std::size_t count = readable.size() + writable.size();
  for (std::size_t i = 0; i < count; ++i) {
    const bool is_writable = i >= readable.size();
    const Buffer& b = is_writable ? writable[i - readable.size()] : readable[i];
    const bool last = i + 1 == count;
    const std::uint16_t next = next_free_[index];
    std::uint16_t flags = is_writable ? kDescWrite : 0;
    if (!last) flags |= kDescNext;
    ring_.write_descriptor(index, {b.addr, b.length, flags, last ? std::uint16_t{0} : next});
    if (!last) index = next;
  }
  free_head_ = next_free_[index];
  free_count_ -= static_cast<std::uint32_t>(count);
  return head;
}

std::uint16_t SplitDriverQueue::place_indirect(std::span<const Buffer> readable, std::span<const Buffer> writable) {
  const std::uint16_t head = free_head_;
  const std::size_t count = readable.size() + writable.size();
  std::byte* table = pool_host_ + std::uint64_t{head} * pool_.capacity * sizeof(Descriptor);
  for (std::size_t i = 0; i < count; ++i) {
    const bool is_writable = i >= readable.size();
    const Buffer& b = is_writable ? writable[i - readable.size()] : readable[i];
    const bool last = i + 1 == count;
    std::uint16_t flags = is_writable ? kDescWrite : 0;
    if (!last) flags |= kDescNext;
    const Descriptor le{little_endian(b.addr), little_endian(b.length), little_endian(flags),
                        little_endian(static_cast<std::uint16_t>(last ? 0 : i + 1))};
    std::memcpy(table + i * sizeof(Descriptor), &le, sizeof le);
  }
  const shm::GuestAddress table_addr = pool_.base + std::uint64_t{head} * pool_.capacity * sizeof(Descriptor);
  ring_.write_descriptor(head, {table_addr, static_cast<std::uint32_t>(count * sizeof(Descriptor)), kDescIndirect, 0});
  free_head_ = next_free_[head];
  --free_count_;
  return head;
}

// Moves avail idx to cover every added chain; false if there was nothing to publish.
bool SplitDriverQueue::expose() {
  check_usable();
  if (avail_idx_ == published_idx_) return false;
  // VirtIO 1.2 §2.7.13.3.1: descriptors and ring entries visible before the idx update.
  ring_.store_avail_idx(avail_idx_, std::memory_order_release);
  published_count_ = added_count_;
  // After the idx: the device starts on the chains while their records are made.
  record_added();
  emit_in_group({trace::EventKind::AvailPublished, queue_index_, 0, avail_idx_, 0, 0});
  return true;
}

void SplitDriverQueue::publish_unchecked() {
  if (expose()) published_idx_ = avail_idx_;
  end_trace_group();
}

bool SplitDriverQueue::publish() {
  const std::uint16_t old_idx = published_idx_;
  if (!expose()) {
    end_trace_group();
    return false;
  }
  published_idx_ = avail_idx_;
  // §2.7.13.4.1: full barrier between the idx update and reading the suppression fields,
  // pairing with the device's barrier between its re-enable and its re-check of avail idx.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const bool needed = features_.event_idx ? need_event(ring_.load_avail_event(), avail_idx_, old_idx)
                                          : (ring_.load_used_flags() & kUsedNoNotify) == 0;  // §2.7.10.1
  emit_in_group(
      {needed ? trace::EventKind::NotifySent : trace::EventKind::NotifySuppressed, queue_index_, 0, avail_idx_, 0, 0});
  end_trace_group();
  return needed;
}

std::optional<UsedBuffer> SplitDriverQueue::reclaim() {
  check_usable();
  record_added();  // the chains added before this call, before its records
  if (last_used_ == seen_used_idx_) {
    // Acquire pairs with the device's release of used idx: entries are complete (§2.7.8.2).
    const std::uint16_t idx = ring_.load_used_idx(std::memory_order_acquire);
    if (idx == last_used_) {
      end_trace_group();
      return std::nullopt;
    }
    check_used_idx(idx);
    seen_used_idx_ = idx;
  }
  const UsedElement e = ring_.load_used_entry(last_used_ & ring_.mask());
  const std::uint32_t length = validate_used(e, last_used_);
  ++last_used_;
  const std::uint16_t head = static_cast<std::uint16_t>(e.id);
  const UsedBuffer used{heads_[head].token, length};
  release(head);
  if (trace_ != nullptr) {
    trace::Event event{trace::EventKind::UsedReclaimed, queue_index_, head, last_used_, length, 0};
    if (!trace_both_ends_) event.buffers = chain_trace_.used(head);  // else the device's UsedPushed has them
    trace_->record_in_group(event);
  }
  return used;
}

// §2.7.8: used idx covers only chains the device saw, i.e. published and not yet reclaimed.
void SplitDriverQueue::check_used_idx(std::uint16_t idx) {
  const std::uint16_t pending = static_cast<std::uint16_t>(idx - last_used_);
  const std::uint64_t published = in_flight_ - (added_count_ - published_count_);
  if (pending > published) {
    fail(ErrorCode::UsedIndexJump, "used idx " + std::to_string(idx) + " is " + std::to_string(pending) +
                                       " ahead of the last reclaimed " + std::to_string(last_used_) + " but only " +
                                       std::to_string(published) + " published chains are in flight");
  }
}

// Checks a used entry and returns the length to hand out (§2.7.8).
std::uint32_t SplitDriverQueue::validate_used(const UsedElement& e, std::uint16_t slot_index) {
  // The location is built only on failure: this runs for every used entry.
  const auto where = [&] { return "used ring entry " + std::to_string(slot_index & ring_.mask()) + ": "; };
  if (e.id >= ring_.size()) {
    fail(ErrorCode::UsedIdOutOfRange,
         where() + "id " + std::to_string(e.id) + " >= queue size " + std::to_string(ring_.size()));
  }
  const Head& h = heads_[e.id];
  if (!h.in_flight) fail(ErrorCode::UsedIdNotInFlight, where() + "id " + std::to_string(e.id) + " is not in flight");
  if (h.sequence >= published_count_) {
    fail(ErrorCode::UsedIdNotPublished,
         where() + "id " + std::to_string(e.id) +
             " was added but is not published (avail idx the device sees: " + std::to_string(published_idx_) + ")");
  }
  if (e.len <= h.writable_bytes) return e.len;
  if (h.writable_bytes == 0) {
    ignore_length(e, slot_index);
    return 0;
  }
  fail(ErrorCode::UsedLengthTooLarge, where() + "len " + std::to_string(e.len) + " exceeds the " +
                                          std::to_string(h.writable_bytes) + " writable bytes of chain " +
                                          std::to_string(e.id));
}

// §2.7.8: len counts the bytes written into the chain's device-writable part. A device that
// puts the buffer's length there for a chain without one bends that rule harmlessly: it wrote
// nothing the driver could read. Counted, traced, and logged the first time only.
void SplitDriverQueue::ignore_length(const UsedElement& e, std::uint16_t slot_index) {
  ++ignored_lengths_;
  emit({trace::EventKind::UsedLengthIgnored, queue_index_, static_cast<std::uint16_t>(e.id), slot_index, e.len, 0});
  if (ignored_lengths_ != 1) return;
  log("used ring entry " + std::to_string(slot_index & ring_.mask()) + ": len " + std::to_string(e.len) +
      " for chain " + std::to_string(e.id) +
      ", which has no device-writable bytes, taken as 0 (the device reports the buffer length, "
      "against VirtIO 1.2 §2.7.8); later cases are only counted");
}

void SplitDriverQueue::release(std::uint16_t head) {
  Head& h = heads_[head];
  std::uint16_t tail = head;
  for (std::uint16_t i = 1; i < h.descriptors; ++i) tail = next_free_[tail];
  next_free_[tail] = free_head_;
  free_head_ = head;
  // The next add() writes this head's descriptors, whose lines the device read last: ask for
  // them now, so that those stores do not wait for the lines to come back.
  ring_.prefetch_descriptor_for_write(head);
  free_count_ += h.descriptors;
  h.in_flight = false;
  --in_flight_;
}

bool SplitDriverQueue::enable_interrupts() {
  check_usable();
  record_added_now();  // a driver about to sleep: the chains it added are in the log
  if (features_.event_idx) {
    ring_.store_used_event(last_used_);  // §2.7.10: interrupt once used idx passes this
  } else {
    ring_.store_avail_flags(0);
  }
  // Pairs with the device's barrier between publishing used idx and reading the fields above.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return ring_.load_used_idx(std::memory_order_acquire) != last_used_;
}

void SplitDriverQueue::disable_interrupts() {
  check_usable();
  record_added_now();
  // With EVENT_IDX the flags stay 0 (§2.7.7.1); used_event is simply not advanced.
  if (!features_.event_idx) ring_.store_avail_flags(kAvailNoInterrupt);
}

std::vector<std::uint64_t> SplitDriverQueue::detach_unused() {
  record_added_now();  // they were added, even if never published
  std::vector<std::uint64_t> tokens;
  for (std::uint32_t head = 0; head < heads_.size(); ++head) {
    if (!heads_[head].in_flight) continue;
    tokens.push_back(heads_[head].token);
    release(static_cast<std::uint16_t>(head));
  }
  // Chains added but not published are gone too: the next publish() must not expose them.
  avail_idx_ = published_idx_;
  published_count_ = added_count_;
  return tokens;
}

}  // namespace vgen::virtqueue
