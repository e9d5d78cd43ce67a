// Watching a driver's accesses and rings.
#include "driver_observer.hpp"

#include <cstring>

#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/features.hpp>

namespace vgen::conform::virtio_checks {
namespace {

namespace m = virtio::mmio;
using virtqueue::Descriptor;
using virtqueue::feature_bit;
using virtqueue::kDescIndirect;
using virtqueue::kDescNext;
using virtqueue::kDescWrite;

constexpr std::size_t kDetailsKept = 4;

std::string q_(std::uint32_t index) { return "queue " + std::to_string(index) + ": "; }

void set_low(std::uint64_t& address, std::uint32_t value) { address = (address & ~0xffffffffull) | value; }
void set_high(std::uint64_t& address, std::uint32_t value) {
  address = (address & 0xffffffffull) | (std::uint64_t{value} << 32);
}

}  // namespace

DriverObserver::DriverObserver(const shm::GuestMemory& memory, std::vector<std::uint32_t> max_sizes)
    : memory_(memory), max_sizes_(std::move(max_sizes)) {}

QueueWatch* DriverObserver::queue(std::uint32_t index) {
  const auto it = queues_.find(index);
  return it == queues_.end() ? nullptr : &it->second;
}

void DriverObserver::note(const std::string& finding, const std::string& detail) {
  auto& details = findings_[finding];
  if (details.size() < kDetailsKept) details.push_back(detail);
}

void DriverObserver::before(Access& a) {
  a.queue = queue_sel_;
  if (a.offset == m::kDeviceFeatures) a.select = device_select_;
  if (a.offset == m::kDriverFeatures) a.select = driver_select_;
  sample();
  if (a.write) follow_write(a);
}

void DriverObserver::after(const Access& a) { log_.push_back(a); }

void DriverObserver::finish() {
  sample();
  for (auto& [index, q] : queues_) check_notified(index, q);
}

void DriverObserver::follow_write(const Access& a) {
  switch (a.offset) {
    case m::kQueueSel:
      queue_sel_ = a.value;
      return;
    case m::kDeviceFeaturesSel:
      device_select_ = a.value;
      return;
    case m::kDriverFeaturesSel:
      driver_select_ = a.value;
      return;
    case m::kDriverFeatures:
      if (driver_select_ == 0) set_low(driver_features_, a.value);
      if (driver_select_ == 1) set_high(driver_features_, a.value);
      return;
    case m::kQueueNotify:
      if (QueueWatch* q = queue(a.value))
        q->notified_avail = q->ring ? q->ring->load_avail_idx(std::memory_order_acquire) : 0;
      return;
    case m::kStatus:
      if (a.value == 0) {
        for (auto& [index, q] : queues_) check_notified(index, q);
        queues_.clear();
        driver_features_ = 0;
      }
      if ((a.value & virtio::kStatusFeaturesOk) != 0 && (status_ & virtio::kStatusFeaturesOk) == 0) {
        accepted_at_features_ok_ = driver_features_;
        features_ok_written_ = true;
      }
      status_ = static_cast<std::uint8_t>(a.value);
      return;
    default:
      queue_register(a);
  }
}

void DriverObserver::queue_register(const Access& a) {
  QueueWatch& q = queues_[queue_sel_];
  switch (a.offset) {
    case m::kQueueNum:
      q.size = a.value;
      if (queue_sel_ < max_sizes_.size() && a.value > max_sizes_[queue_sel_]) {
        note("queue-num-max", q_(queue_sel_) + "QueueNum " + std::to_string(a.value) + " above QueueNumMax " +
                                  std::to_string(max_sizes_[queue_sel_]));
      }
      return;
    case m::kQueueReady:
      if (a.value == 1)
        enable(queue_sel_);
      else
        q.ready = false;
      return;
    case m::kQueueReset:
      if (a.value == 1) q.ready = false;
      return;
    default:
      m::set_queue_address(q.addresses, a.offset, a.value);
      return;
  }
}

// QueueReady 1: §2.7.1 alignment and §2.7.10.1 used flags, then the ring is watched.
void DriverObserver::enable(std::uint32_t index) {
  QueueWatch& q = queues_[index];
  if (q.size == 0 && index < max_sizes_.size()) q.size = max_sizes_[index];
  const auto& a = q.addresses;
  if (a.desc % virtqueue::kDescAlign != 0 || a.avail % virtqueue::kAvailAlign != 0 ||
      a.used % virtqueue::kUsedAlign != 0) {
    note("ring-alignment", q_(index) + "rings at desc " + std::to_string(a.desc) + ", avail " +
                               std::to_string(a.avail) + ", used " + std::to_string(a.used));
  }
  q.ready = true;
  q.exposed.clear();
  q.avail_seen = 0;
  q.used_seen = 0;
  q.notified_avail = 0;
  try {
    q.ring = std::make_unique<virtqueue::SplitRing>(memory_, q.size, a);
  } catch (const std::exception& error) {
    q.ring.reset();
    note("ring-unusable", q_(index) + error.what());
    return;
  }
  if (const std::uint16_t flags = q.ring->load_used_flags(); flags != 0) {
    note("used-flags-initialised", q_(index) + "used flags " + std::to_string(flags) + " when the queue was enabled");
  }
}

void DriverObserver::sample() {
  for (auto& [index, q] : queues_) {
    if (q.ready && q.ring) sample_queue(index, q);
  }
}

void DriverObserver::sample_queue(std::uint32_t index, QueueWatch& q) {
  const virtqueue::SplitRing& r = *q.ring;
  const std::uint16_t used = r.load_used_idx(std::memory_order_acquire);
  for (std::uint16_t i = q.used_seen; i != used; ++i)
    q.exposed.erase(static_cast<std::uint16_t>(r.load_used_entry(i & r.mask()).id));
  q.used_seen = used;
  for (auto it = q.exposed.begin(); it != q.exposed.end();) {
    if (walk(index, q, it->first, false) != it->second) {
      note("no-alter-exposed", q_(index) + "descriptors of available head " + std::to_string(it->first) +
                                   " changed before the device used them");
      it = q.exposed.erase(it);
    } else {
      ++it;
    }
  }
  const std::uint16_t avail = r.load_avail_idx(std::memory_order_acquire);
  const auto moved = static_cast<std::uint16_t>(avail - q.avail_seen);
  if (moved > q.size) {
    note(static_cast<std::int16_t>(moved) < 0 ? "avail-no-decrement" : "avail-idx-jump",
         q_(index) + "available idx went from " + std::to_string(q.avail_seen) + " to " + std::to_string(avail));
  } else {
    for (std::uint16_t k = 0; k < moved; ++k) {
      const std::uint16_t head = r.load_avail_entry((q.avail_seen + k) & r.mask());
      ++chains_seen_;
      if (head >= q.size) {
        note("head-in-table", q_(index) + "available head " + std::to_string(head) + " past the table");
        continue;
      }
      q.exposed[head] = walk(index, q, head, true);
    }
  }
  q.avail_seen = avail;
  const std::uint16_t flags = r.load_avail_flags();
  const bool event_idx = (negotiated() & feature_bit(virtqueue::kFeatureEventIdx)) != 0;
  if (event_idx ? flags != 0 : flags > 1) {
    note("avail-flags", q_(index) + "available flags " + std::to_string(flags) + (event_idx ? " with" : " without") +
                            " VIRTIO_F_EVENT_IDX");
  }
}

// §2.7.10.1: buffers made available after the last notification must have been notified
// unless the device suppressed it (flags, or avail_event with EVENT_IDX).
void DriverObserver::check_notified(std::uint32_t index, QueueWatch& q) {
  if (!q.ready || !q.ring || (status_ & virtio::kStatusDriverOk) == 0) return;
  const virtqueue::SplitRing& r = *q.ring;
  const std::uint16_t avail = r.load_avail_idx(std::memory_order_acquire);
  if (avail == q.notified_avail) return;
  const bool event_idx = (negotiated() & feature_bit(virtqueue::kFeatureEventIdx)) != 0;
  const bool required =
      event_idx ? virtqueue::need_event(r.load_avail_event(), avail, q.notified_avail) : r.load_used_flags() == 0;
  if (required) {
    note("notify-required", q_(index) + "available idx " + std::to_string(avail) +
                                " never notified (last notification at " + std::to_string(q.notified_avail) + ")");
  }
  q.notified_avail = avail;
}

// Walks the chain at `head` (§2.7.4.2, §2.7.5.2, §2.7.5.3.1); with `report`, notes each rule it
// breaks. Returns the bytes of every descriptor it passed (indirect tables included).
std::vector<std::byte> DriverObserver::walk(std::uint32_t index, const QueueWatch& q, std::uint16_t head, bool report) {
  const virtqueue::SplitRing& r = *q.ring;
  const std::uint64_t features = negotiated();
  const bool indirect_ok = (features & feature_bit(virtqueue::kFeatureIndirectDesc)) != 0;
  const bool in_order = (features & feature_bit(virtqueue::kFeatureInOrder)) != 0;
  auto problem = [&](const char* finding, const std::string& detail) {
    if (report) note(finding, q_(index) + "chain at head " + std::to_string(head) + ": " + detail);
  };
  std::vector<std::byte> bytes;
  bool writable_seen = false;
  std::uint64_t total = 0;
  auto visit = [&](const Descriptor& d) {
    const auto* raw = reinterpret_cast<const std::byte*>(&d);
    bytes.insert(bytes.end(), raw, raw + sizeof d);
    if ((d.flags & kDescWrite) != 0)
      writable_seen = true;
    else if (writable_seen)
      problem("writable-after-readable", "a device-readable descriptor after a device-writable one");
    total += d.len;
    if (memory_.find(d.addr, d.len) == nullptr) problem("buffer-in-guest-memory", "buffer outside guest memory");
  };
  std::uint32_t count = 0;
  for (std::uint32_t i = head;;) {
    if (i >= q.size) return problem("next-in-table", "next index " + std::to_string(i) + " past the table"), bytes;
    if (++count > q.size) return problem("no-loops", "more descriptors than the table holds: a loop"), bytes;
    const Descriptor d = r.read_descriptor(i);
    if ((d.flags & kDescIndirect) != 0) {
      if (!indirect_ok) problem("indirect-only-if-negotiated", "INDIRECT without VIRTIO_F_INDIRECT_DESC");
      if ((d.flags & kDescNext) != 0) problem("not-indirect-and-next", "INDIRECT together with NEXT");
      const auto* raw = reinterpret_cast<const std::byte*>(&d);
      bytes.insert(bytes.end(), raw, raw + sizeof d);
      const std::uint32_t entries = d.len / 16;
      if (d.len % 16 != 0 || entries == 0)
        problem("table-length-multiple-of-16", "indirect table of " + std::to_string(d.len) + " bytes");
      if (entries > q.size)
        problem("chain-within-queue-size", std::to_string(entries) + " indirect descriptors, more than the queue size");
      const std::byte* table = memory_.find(d.addr, d.len);
      if (table == nullptr) return problem("buffer-in-guest-memory", "indirect table outside guest memory"), bytes;
      std::uint32_t walked = 0;
      for (std::uint32_t j = 0; j < entries;) {
        Descriptor e;
        std::memcpy(&e, table + 16 * j, sizeof e);
        if ((e.flags & kDescIndirect) != 0) problem("no-nested-indirect", "INDIRECT inside an indirect table");
        visit(e);
        if (++walked > entries) return problem("no-loops", "an indirect table that loops"), bytes;
        if ((e.flags & kDescNext) == 0) break;
        if (in_order && e.next != j + 1)
          problem("in-order-next", "indirect next " + std::to_string(e.next) + " after entry " + std::to_string(j));
        j = e.next;
      }
    } else {
      visit(d);
    }
    if ((d.flags & kDescNext) == 0) break;
    if (in_order && d.next != (i + 1) % q.size)
      problem("in-order-next", "next " + std::to_string(d.next) + " after descriptor " + std::to_string(i));
    i = d.next;
  }
  if (total > (std::uint64_t{1} << 32)) problem("chain-at-most-4-gib", std::to_string(total) + " bytes in one chain");
  return bytes;
}

}  // namespace vgen::conform::virtio_checks
