#include <vgen/virtqueue/split_device.hpp>

#include <vgen/format.hpp>

#include <atomic>

namespace vgen::virtqueue {
namespace {}  // namespace

SplitDeviceQueue::SplitDeviceQueue(const shm::GuestMemory& memory, const QueueConfig& config)
    : memory_(memory),
      ring_(memory, config.size, config.addresses),
      features_(config.features),
      next_avail_(config.start.avail),
      seen_avail_idx_(config.start.avail),
      used_idx_(config.start.used),
      published_idx_(config.start.used) {
  queue_index_ = config.index;
}

std::uint16_t SplitDeviceQueue::refresh_avail() {
  // Acquire pairs with the driver's release of avail idx (§2.7.13.3.1): the ring entries and
  // descriptors it covers are visible once the new idx is.
  const std::uint16_t idx = ring_.load_avail_idx(std::memory_order_acquire);
  const std::uint16_t pending = static_cast<std::uint16_t>(idx - next_avail_);
  if (pending > ring_.size()) {
    fail(ErrorCode::AvailIndexJump, "avail idx " + std::to_string(idx) + " is " + std::to_string(pending) +
                                        " ahead of the next entry " + std::to_string(next_avail_) +
                                        ", more than queue size " + std::to_string(ring_.size()));
  }
  seen_avail_idx_ = idx;
  return pending;
}

std::uint32_t SplitDeviceQueue::available() {
  check_usable();
  return refresh_avail();
}

bool SplitDeviceQueue::take(DescriptorChain& chain) {
  check_usable();
  if (next_avail_ == seen_avail_idx_ && refresh_avail() == 0) {
    end_trace_group();
    return false;
  }
  const std::uint16_t head = ring_.load_avail_entry(next_avail_ & ring_.mask());
  walk_chain(head, chain);
  ++next_avail_;
  if (trace_ != nullptr) {
    trace::Event event{trace::EventKind::ChainTaken, queue_index_,          head, next_avail_,
                       chain.readable_bytes(),       chain.writable_bytes()};
    if (trace_both_ends_) {
      chain_trace_.keep_writable(chain);  // the driver's ChainAdded holds the chain
    } else {
      event.buffers = chain_trace_.taken(chain);
    }
    trace_->record_in_group(event);
  }
  return true;
}

void SplitDeviceQueue::walk_chain(std::uint16_t head, DescriptorChain& chain) {
  const std::uint32_t size = ring_.size();
  if (head >= size) {
    fail(ErrorCode::HeadOutOfRange, "avail ring entry " + std::to_string(next_avail_ & ring_.mask()) + ": head " +
                                        std::to_string(head) + " >= queue size " + std::to_string(size));
  }
  chain.reset(head);
  chain_bytes_ = 0;
  std::uint32_t index = head;
  for (std::uint32_t walked = 1;; ++walked) {
    if (walked > size) {
      fail(ErrorCode::ChainTooLong,
           "chain " + std::to_string(head) + " has more than " + std::to_string(size) + " descriptors (a loop)");
    }
    const Descriptor d = ring_.read_descriptor(index);  // one private copy, then only that
    if ((d.flags & kDescIndirect) != 0) {
      walk_indirect(d, index, chain);
      return;  // an indirect descriptor ends the chain (§2.7.5.3.2)
    }
    add_segment(d, chain, "descriptor", index);
    if ((d.flags & kDescNext) == 0) return;
    if (d.next >= size) {
      fail(ErrorCode::NextOutOfRange, "descriptor " + std::to_string(index) + ": next " + std::to_string(d.next) +
                                          " >= queue size " + std::to_string(size));
    }
    index = d.next;
  }
}

void SplitDeviceQueue::walk_indirect(const Descriptor& table, std::uint32_t position, DescriptorChain& chain) {
  // The location is built only on failure: this runs for every indirect chain.
  const auto where = [position] { return "descriptor " + std::to_string(position) + ": "; };
  if (!features_.indirect) {
    fail(ErrorCode::IndirectNotNegotiated, where() + "INDIRECT flag but VIRTIO_F_INDIRECT_DESC was not negotiated");
  }
  if ((table.flags & kDescNext) != 0) {
    fail(ErrorCode::IndirectWithNext, where() + "INDIRECT together with NEXT (§2.7.5.3.1)");
  }
  if (table.len == 0 || table.len % sizeof(Descriptor) != 0) {
    fail(ErrorCode::IndirectBadSize,
         where() + "indirect table len " + std::to_string(table.len) + " is not a non-zero multiple of 16");
  }
  const std::uint32_t entries = table.len / sizeof(Descriptor);
  if (entries > ring_.size()) {
    fail(ErrorCode::IndirectBadSize, where() + "indirect table of " + std::to_string(entries) +
                                         " entries exceeds queue size " + std::to_string(ring_.size()));
  }
  const std::byte* host = memory_.find(table.addr, table.len);
  if (host == nullptr) {
    fail(ErrorCode::IndirectOutOfMemory, where() + "indirect table [" + hex(table.addr) + ", +" +
                                             std::to_string(table.len) + ") is outside guest memory");
  }
  std::uint32_t index = 0;
  for (std::uint32_t walked = 1;; ++walked) {
    if (walked > entries) {
      fail(ErrorCode::ChainTooLong,
           where() + "indirect chain has more than " + std::to_string(entries) + " descriptors (a loop)");
    }
    Descriptor raw;
    std::memcpy(&raw, host + std::uint64_t{index} * sizeof(Descriptor), sizeof raw);  // one private copy
    const Descriptor d{little_endian(raw.addr), little_endian(raw.len), little_endian(raw.flags),
                       little_endian(raw.next)};
    if ((d.flags & kDescIndirect) != 0) {
      fail(ErrorCode::NestedIndirect,
           where() + "indirect entry " + std::to_string(index) + " is INDIRECT itself (§2.7.5.3.1)");
    }
    add_segment(d, chain, "indirect entry", index);
    if ((d.flags & kDescNext) == 0) return;
    if (d.next >= entries) {
      fail(ErrorCode::NextOutOfRange, where() + "indirect entry " + std::to_string(index) + ": next " +
                                          std::to_string(d.next) + " >= table entries " + std::to_string(entries));
    }
    index = d.next;
  }
}

void SplitDeviceQueue::add_segment(const Descriptor& d, DescriptorChain& chain, const char* where,
                                   std::uint32_t index) {
  // The location is built only on failure: this runs for every descriptor.
  const auto name = [where, index] { return std::string(where) + " " + std::to_string(index); };
  std::byte* host = memory_.find(d.addr, d.len);
  if (host == nullptr) {
    fail(ErrorCode::BufferOutOfMemory,
         name() + ": buffer [" + hex(d.addr) + ", +" + std::to_string(d.len) + ") is outside guest memory");
  }
  chain_bytes_ += d.len;
  // §2.7.5.2: exactly 2^32 bytes is allowed; ChainWriter::written() saturates for that case.
  if (chain_bytes_ > kMaxChainBytes) {
    fail(ErrorCode::ChainTooLarge, name() + ": chain " + std::to_string(chain.head()) + " totals " +
                                       std::to_string(chain_bytes_) + " bytes, more than 2^32 (§2.7.5.2)");
  }
  const Segment s{host, d.len, d.addr};
  chain.count_descriptor();
  if ((d.flags & kDescWrite) != 0) {
    chain.add_writable(s);
  } else if (!chain.writable().empty()) {
    fail(ErrorCode::ReadableAfterWritable, name() + ": device-readable buffer after a device-writable one (§2.7.4)");
  } else {
    // Tracing: the first line of a buffer the caller is about to read, asked for now. The
    // driver wrote it, so it is a miss, which then overlaps with the trace records made before
    // take() returns instead of following them. A hint: it never faults. Untraced, the caller
    // reads at once, and the same hint measured slower (docs/virtqueue.md).
    if (trace_ != nullptr && d.len != 0) __builtin_prefetch(host, 0, 3);
    chain.add_readable(s);
  }
}

void SplitDeviceQueue::put(std::uint16_t head, std::uint32_t written) {
  check_usable();
  if (head >= ring_.size()) {
    throw Error(ErrorCode::InvalidConfig,
                "put: head " + std::to_string(head) + " >= queue size " + std::to_string(ring_.size()));
  }
  // §2.7.8.2: len is set (and the data written) before used idx moves in publish().
  ring_.store_used_entry(used_idx_ & ring_.mask(), {head, written});
  ++used_idx_;
  if (trace_ != nullptr) {
    trace::Event event{trace::EventKind::UsedPushed, queue_index_, head, used_idx_, written, 0};
    event.buffers = chain_trace_.used(head);
    trace_->record_in_group(event);
  }
}

// Moves used idx to cover every returned chain; false if there was nothing to publish.
bool SplitDeviceQueue::expose() {
  check_usable();
  if (used_idx_ == published_idx_) return false;
  // §2.7.8.2 / §2.7.13: used entries and buffer data visible before the used idx update.
  ring_.store_used_idx(used_idx_, std::memory_order_release);
  emit_in_group({trace::EventKind::UsedPublished, queue_index_, 0, used_idx_, 0, 0});
  return true;
}

void SplitDeviceQueue::publish_unchecked() {
  if (expose()) published_idx_ = used_idx_;
  end_trace_group();
}

bool SplitDeviceQueue::publish() {
  const std::uint16_t old_idx = published_idx_;
  if (!expose()) {
    end_trace_group();
    return false;
  }
  published_idx_ = used_idx_;
  // Full barrier before reading the driver's suppression fields; pairs with the barrier in
  // the driver's enable_interrupts() between writing them and re-reading used idx.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const bool needed = features_.event_idx ? need_event(ring_.load_used_event(), used_idx_, old_idx)  // §2.7.7.2
                                          : (ring_.load_avail_flags() & kAvailNoInterrupt) == 0;
  emit_in_group(
      {needed ? trace::EventKind::NotifySent : trace::EventKind::NotifySuppressed, queue_index_, 1, used_idx_, 0, 0});
  end_trace_group();
  return needed;
}

bool SplitDeviceQueue::enable_notifications() {
  check_usable();
  if (features_.event_idx) {
    ring_.store_avail_event(next_avail_);  // §2.7.10: kick once avail idx passes this
  } else {
    ring_.store_used_flags(0);
  }
  // Pairs with the driver's barrier between publishing avail idx and reading the fields above.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return refresh_avail() != 0;
}

void SplitDeviceQueue::disable_notifications() {
  check_usable();
  // With EVENT_IDX the flags stay 0 (§2.7.10.2); avail_event is simply not advanced.
  if (!features_.event_idx) ring_.store_used_flags(kUsedNoNotify);
}

}  // namespace vgen::virtqueue
