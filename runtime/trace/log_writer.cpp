#include "log_writer.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include <vgen/trace/record.hpp>
#include "bytes.hpp"

namespace vgen::trace::detail {
namespace {

constexpr std::uint32_t key_of(Channel channel, std::uint16_t queue) noexcept {
  return (static_cast<std::uint32_t>(channel) << 16) | queue;
}

std::uint32_t load32(const std::byte* at) noexcept {
  std::uint32_t value;
  std::memcpy(&value, at, 4);
  return value;
}

std::uint64_t entry_ticks(const std::byte* entry) noexcept {
  std::uint64_t ticks;
  std::memcpy(&ticks, entry + 16, 8);
  return ticks;
}

// True when a process that claimed a slot is gone.
bool process_gone(pid_t pid) noexcept { return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

std::pair<std::string, std::string> default_interface_name(Channel channel, std::uint16_t queue) {
  const std::string q = std::to_string(queue);
  switch (channel) {
    case Channel::Virtqueue:
      return {"vq" + q, "virtqueue " + q};
    case Channel::Virtio:
      return {"virtio", "VirtIO device status, features and configuration"};
    case Channel::VirtioBus:
      return {"virtio-bus", "virtio bus binding"};
    case Channel::Mmio:
      return {"mmio", "virtio-mmio register accesses"};
    case Channel::XenRing:
      return {"xen-ring" + q, "Xen shared ring of device " + q};
    case Channel::Grant:
      return {"grants", "grant mappings"};
    case Channel::EventChannel:
      return {"evtchn", "event channel notifications"};
    case Channel::Store:
      return {"xenstore" + q, "XenStore messages of connection " + q};
    case Channel::Xenbus:
      return {"xenbus" + q, "Xenbus states of device " + q};
    case Channel::Rpmsg:
      return {"rpmsg", "rpmsg messages and channels"};
    case Channel::VhostUser:
      return {"vhost-user", "vhost-user messages"};
    case Channel::Recorder:
      return {"recorder", "records the recorder lost"};
    case Channel::Auto:
      break;
  }
  return {"channel" + q, "unknown channel"};
}

LogWriter::LogWriter(const std::string& path, const std::string& application, std::size_t slots)
    : file_(path, application), slot_drops_(slots, 0) {}

void LogWriter::name(Channel channel, std::uint16_t queue, const std::string& description) {
  std::lock_guard lock(names_mutex_);
  names_[key_of(channel, queue)] = description;
}

std::uint32_t LogWriter::interface_of(Channel channel, std::uint16_t queue) {
  const std::uint32_t key = key_of(channel, queue);
  if (key == last_key_) return last_interface_;  // runs of records on one queue
  const auto found = interfaces_.find(key);
  if (found != interfaces_.end()) {
    last_key_ = key;
    last_interface_ = found->second;
    return found->second;
  }
  auto [name, description] = default_interface_name(channel, queue);
  {
    std::lock_guard lock(names_mutex_);
    const auto named = names_.find(key);
    if (named != names_.end()) description = named->second;
  }
  const std::uint32_t id = file_.add_interface({name, description});
  interfaces_.emplace(key, id);
  return id;
}

std::vector<LogWriter::Cursor> LogWriter::open_cursors(SlotPool& pool) {
  std::vector<Cursor> cursors;
  for (std::size_t i = 0; i < pool.count(); ++i) {
    Slot& slot = pool.slot(i);
    if (slot.state.load(std::memory_order_acquire) == kFree) continue;
    const std::uint64_t head = slot.head.load(std::memory_order_relaxed);
    const std::uint64_t tail = slot.tail.load(std::memory_order_acquire);
    cursors.push_back({&slot, pool.ring(slot), head, tail});
  }
  return cursors;
}

// Moves `cursor` past wrap markers to its next entry; false when it has none left. An entry
// whose lengths do not fit the ring ends the slot's contents (they are counted as dropped).
bool LogWriter::settle(const SlotPool& pool, Cursor& cursor) const noexcept {
  const std::size_t capacity = pool.capacity();
  while (cursor.position < cursor.end) {
    const std::size_t at = static_cast<std::size_t>(cursor.position & (capacity - 1));
    const std::uint32_t need = load32(cursor.ring + at);
    if (need == kWrap) {
      cursor.position += capacity - at;
      continue;
    }
    const std::uint32_t captured = load32(cursor.ring + at + 4);
    if (need < kEntryPrefix || need % 8 != 0 || at + need > capacity || cursor.position + need > cursor.end ||
        captured + kEntryPrefix > need) {
      cursor.position = cursor.end;
      return false;
    }
    return true;
  }
  return false;
}

void LogWriter::write_entry(const std::byte* entry) {
  const std::uint32_t captured = load32(entry + 4);
  const std::uint32_t original = load32(entry + 8);
  const std::byte* record = entry + kEntryPrefix;
  const auto channel = static_cast<Channel>(record[1]);
  const std::uint16_t queue = detail::load_le<std::uint16_t>(record + 4);
  file_.write_packet(interface_of(channel, queue), clock_.to_epoch_ns(entry_ticks(entry)), {record, captured},
                     original);
  ++written_here_;  // published once per drain: a locked add per record costs the writer dearly
}

void LogWriter::drain(SlotPool& pool, std::uint64_t unslotted) {
  clock_.update();
  std::vector<Cursor> cursors = open_cursors(pool);
  const std::size_t capacity = pool.capacity();
  for (;;) {
    Cursor* earliest = nullptr;
    std::uint64_t earliest_ticks = std::numeric_limits<std::uint64_t>::max();
    for (Cursor& cursor : cursors) {
      if (!settle(pool, cursor)) continue;
      const std::uint64_t ticks = entry_ticks(cursor.ring + (cursor.position & (capacity - 1)));
      if (earliest == nullptr || ticks < earliest_ticks) {
        earliest = &cursor;
        earliest_ticks = ticks;
      }
    }
    if (earliest == nullptr) break;
    const std::byte* entry = earliest->ring + (earliest->position & (capacity - 1));
    write_entry(entry);
    earliest->position += load32(entry);
  }
  release(cursors);
  written_.store(written_here_, std::memory_order_relaxed);
  count_drops(pool, unslotted);
  bytes_.store(file_.bytes(), std::memory_order_relaxed);
}

// Hands the drained space back, and frees slots nobody will write again.
void LogWriter::release(const std::vector<Cursor>& cursors) {
  const bool look_for_dead = ++rounds_ % 256 == 0;
  for (const Cursor& cursor : cursors) {
    Slot& slot = *cursor.slot;
    slot.head.store(cursor.end, std::memory_order_release);
    const std::uint32_t state = slot.state.load(std::memory_order_acquire);
    const bool drained = slot.tail.load(std::memory_order_acquire) == cursor.end;
    const bool abandoned = state == kActive && look_for_dead && process_gone(slot.pid.load(std::memory_order_relaxed));
    if (drained && (state == kRetired || abandoned)) slot.state.store(kFree, std::memory_order_release);
  }
}

void LogWriter::count_drops(SlotPool& pool, std::uint64_t unslotted) {
  std::uint64_t grown = unslotted - unslotted_seen_;
  unslotted_seen_ = unslotted;
  for (std::size_t i = 0; i < pool.count(); ++i) {
    const std::uint64_t drops = pool.slot(i).drops.load(std::memory_order_relaxed);
    grown += drops - slot_drops_[i];
    slot_drops_[i] = drops;
  }
  if (grown == 0) return;
  const std::uint64_t total = dropped_.fetch_add(grown, std::memory_order_relaxed) + grown;
  Event event{EventKind::Dropped};
  event.a = grown;
  event.b = total;
  std::byte record[kRecordHeaderBytes];
  encode(event, 0, record);
  file_.write_packet(interface_of(Channel::Recorder, 0), clock_.to_epoch_ns(now_ticks()), record, sizeof record);
}

}  // namespace vgen::trace::detail
