#include "log_writer.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <vgen/trace/detail/bytes.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/pcapng.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace::detail {
namespace {

std::uint32_t load32(const std::byte* at) noexcept {
  std::uint32_t value;
  std::memcpy(&value, at, 4);
  return value;
}

std::uint64_t entry_ticks(const std::byte* entry) noexcept {
  std::uint64_t ticks;
  std::memcpy(&ticks, entry + 12, 8);
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
    : file_(path, application), slot_drops_(slots, 0), slot_overwritten_(slots, 0) {}

void LogWriter::name(Channel channel, std::uint16_t queue, const std::string& description) {
  std::lock_guard lock(names_mutex_);
  names_[entry_key(channel, queue)] = description;
}

std::uint32_t LogWriter::interface_of(Channel channel, std::uint16_t queue) {
  const std::uint32_t key = entry_key(channel, queue);
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
    if (pool.overwrite() && !begin_snapshot(slot)) continue;
    const std::uint64_t head = slot.head.load(std::memory_order_relaxed);
    const std::uint64_t tail = slot.tail.load(std::memory_order_acquire);
    cursors.push_back({&slot, pool.ring(slot), head, tail});
  }
  return cursors;
}

// Moves `cursor` past wrap markers to its next entry; false when it has none left. An entry
// whose type or lengths do not fit the ring ends the slot's contents.
bool LogWriter::settle(const SlotPool& pool, Cursor& cursor) const noexcept {
  const std::size_t capacity = pool.capacity();
  const std::size_t chunk = pool.chunk();
  while (cursor.position < cursor.end) {
    const std::size_t at = static_cast<std::size_t>(cursor.position & (capacity - 1));
    const std::uint32_t type = load32(cursor.ring + at);
    if (type == kWrap) {
      cursor.position += chunk - (at & (chunk - 1));
      continue;
    }
    const std::uint32_t need = load32(cursor.ring + at + 4);
    const std::uint32_t captured = load32(cursor.ring + at + 20);
    if (type != pcapng::kEnhancedPacket || need < kEntryOverhead || need % 8 != 0 ||
        (at & (chunk - 1)) + need > chunk || cursor.position + need > cursor.end || captured + kEntryOverhead > need) {
      cursor.position = cursor.end;
      return false;
    }
    return true;
  }
  return false;
}

// Turns `entry` into the block the log stores: its interface id and its timestamp in nanoseconds.
void LogWriter::patch(std::byte* entry) {
  const std::uint32_t key = load32(entry + 8);
  const std::uint32_t interface = interface_of(static_cast<Channel>(key >> 16), static_cast<std::uint16_t>(key));
  const std::uint64_t ns = clock_.to_epoch_ns(entry_ticks(entry));
  const std::uint32_t words[3] = {interface, static_cast<std::uint32_t>(ns >> 32), static_cast<std::uint32_t>(ns)};
  std::memcpy(entry + 8, words, sizeof words);
  written_here_ += records_in_entry(entry);  // published once per drain: a locked add per record costs dearly
}

void LogWriter::drain(SlotPool& pool, std::uint64_t unslotted, bool everything) {
  clock_.update();
  const std::uint64_t now = now_ticks();
  const std::uint64_t settle_ticks = clock_.ticks_in_ns(kSettleTimeNs);
  const std::uint64_t until = everything || now < settle_ticks ? ~std::uint64_t{0} : now - settle_ticks;
  std::vector<Cursor> cursors = open_cursors(pool);
  // A flight recorder's losses come before the records it kept: its Dropped record goes first,
  // stamped with the time of the oldest of them.
  const bool losses_first = pool.overwrite();
  if (losses_first) count_drops(pool, unslotted, oldest_ticks(pool, cursors));
  if (failure_.empty()) {
    try {
      write_merged(pool, cursors, until);
    } catch (const Error& error) {
      fail(error);
    }
  }
  if (!failure_.empty()) {
    for (Cursor& cursor : cursors) cursor.position = cursor.end;  // emptied without writing
  }
  release(pool, cursors);
  written_.store(written_here_, std::memory_order_relaxed);
  if (!losses_first) count_drops(pool, unslotted, now_ticks());
  bytes_.store(file_.bytes(), std::memory_order_relaxed);
}

// The log cannot take more: later records are lost, their buffers keep being emptied.
void LogWriter::fail(const Error& error) {
  failure_ = error.what();
  std::fprintf(stderr, "vgen trace: %s; the records after it are lost\n", failure_.c_str());
}

// The cursor whose next entry is the oldest, settled on it; null when none has an entry left
// stamped at `until` or before.
LogWriter::Cursor* LogWriter::earliest(const SlotPool& pool, std::vector<Cursor>& cursors,
                                       std::uint64_t until) const noexcept {
  Cursor* found = nullptr;
  std::uint64_t found_ticks = 0;
  for (Cursor& cursor : cursors) {
    if (!settle(pool, cursor)) continue;
    const std::uint64_t ticks = entry_ticks(entry_at(pool, cursor));
    if (ticks > until) continue;  // left for the next drain, with what follows it in this ring
    if (found == nullptr || ticks < found_ticks) {
      found = &cursor;
      found_ticks = ticks;
    }
  }
  return found;
}

// Writes every entry the cursors hold up to tick count `until`, in time order.
void LogWriter::write_merged(const SlotPool& pool, std::vector<Cursor>& cursors, std::uint64_t until) {
  while (Cursor* next = earliest(pool, cursors, until)) {
    std::byte* entry = entry_at(pool, *next);
    const std::uint32_t need = load32(entry + 4);
    patch(entry);
    file_.write_block({entry, need});
    next->position += need;
  }
}

// Hands the drained space back, and frees slots nobody will write again.
void LogWriter::release(const SlotPool& pool, const std::vector<Cursor>& cursors) {
  // A flight recorder drains seldom, so it looks every time.
  const bool look_for_dead = ++rounds_ % 256 == 0 || pool.overwrite();
  for (const Cursor& cursor : cursors) {
    Slot& slot = *cursor.slot;
    slot.head.store(cursor.position, std::memory_order_release);  // up to what was written
    if (pool.overwrite()) end_snapshot(slot);
    const std::uint32_t state = slot.state.load(std::memory_order_acquire);
    const bool drained = slot.tail.load(std::memory_order_acquire) == cursor.position;
    const bool abandoned = state == kActive && look_for_dead && process_gone(slot.pid.load(std::memory_order_relaxed));
    if (drained && (state == kRetired || abandoned)) {
      // The next claimer stores its pid after it has taken the slot: until then a later round
      // must read no pid (0: never judged gone), not this owner's, or it would free the slot
      // under the new owner as abandoned.
      slot.pid.store(0, std::memory_order_relaxed);
      slot.state.store(kFree, std::memory_order_release);
    }
  }
}

// The tick count of the oldest entry the cursors hold; now when they hold none.
std::uint64_t LogWriter::oldest_ticks(const SlotPool& pool, std::vector<Cursor>& cursors) const noexcept {
  const Cursor* oldest = earliest(pool, cursors);
  return oldest != nullptr ? entry_ticks(entry_at(pool, *oldest)) : now_ticks();
}

void LogWriter::count_drops(SlotPool& pool, std::uint64_t unslotted, std::uint64_t ticks) {
  std::uint64_t grown = unslotted - unslotted_seen_;
  unslotted_seen_ = unslotted;
  std::uint64_t overwritten = 0;
  for (std::size_t i = 0; i < pool.count(); ++i) {
    const Slot& slot = pool.slot(i);
    const std::uint64_t drops = slot.drops.load(std::memory_order_relaxed);
    const std::uint64_t reclaimed = slot.overwritten.load(std::memory_order_relaxed);
    grown += drops - slot_drops_[i];
    overwritten += reclaimed - slot_overwritten_[i];
    slot_drops_[i] = drops;
    slot_overwritten_[i] = reclaimed;
  }
  if (grown + overwritten == 0) return;
  dropped_.fetch_add(grown, std::memory_order_relaxed);
  overwritten_.fetch_add(overwritten, std::memory_order_relaxed);
  lost_ += grown + overwritten;
  // The log counts both: records dropped for want of room and those a flight recorder overwrote.
  Event event{EventKind::Dropped};
  event.a = grown + overwritten;
  event.b = lost_;
  std::byte record[kRecordHeaderBytes];
  encode(event, 0, record);
  if (!failure_.empty()) return;
  try {
    file_.write_packet(interface_of(Channel::Recorder, 0), clock_.to_epoch_ns(ticks), record, sizeof record);
  } catch (const Error& error) {
    fail(error);
  }
}

}  // namespace vgen::trace::detail
