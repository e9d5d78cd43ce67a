#include "slot_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include <vgen/trace/error.hpp>
#include <vgen/trace/recorder.hpp>

namespace vgen::trace::detail {

SlotPool::SlotPool(std::size_t count, std::size_t capacity, bool overwrite)
    : count_(count),
      capacity_(capacity),
      overwrite_(overwrite),
      stride_(sizeof(Slot) + capacity),
      bytes_(count * (sizeof(Slot) + capacity)) {
  if (count == 0 || !valid_buffer_bytes(capacity)) {
    throw Error(ErrorCode::Invalid, "trace buffers: " + std::to_string(count) + " of " + std::to_string(capacity) +
                                        " bytes (a power of two from 4 KiB to 1 GiB, at least one)");
  }
  void* mapped = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) {
    throw Error(ErrorCode::System,
                "trace buffers: mmap of " + std::to_string(bytes_) + " bytes: " + std::strerror(errno));
  }
  base_ = static_cast<std::byte*>(mapped);
  for (std::size_t i = 0; i < count_; ++i) new (base_ + i * stride_) Slot;
}

SlotPool::~SlotPool() { munmap(base_, bytes_); }

Slot* SlotPool::claim() noexcept {
  const pid_t self = getpid();
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& s = slot(i);
    std::uint32_t expected = kFree;
    if (s.state.load(std::memory_order_relaxed) != kFree) continue;
    if (!s.state.compare_exchange_strong(expected, kActive, std::memory_order_acq_rel)) continue;
    s.pid.store(self, std::memory_order_relaxed);
    s.cached_head = s.head.load(std::memory_order_acquire);
    return &s;
  }
  return nullptr;
}

void SlotPool::populate(const Slot& slot) const noexcept {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto ring_start = reinterpret_cast<std::uintptr_t>(ring(slot));
  const auto begin = reinterpret_cast<std::uintptr_t>(&slot) & ~(page - 1);
  const auto end = ring_start + capacity_;
#ifdef MADV_POPULATE_WRITE
  // Maps the pages without touching their bytes, those shared with the slots beside too.
  if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0 || errno != EINVAL) return;
#endif
  // A kernel before 5.14: a read maps a page of a shared mapping writable and changes nothing.
  // Only the pages wholly in this ring: a page it shares with the slot beside is that slot's
  // producer's to write, and was mapped when the pool wrote the slot headers.
  for (std::uintptr_t at = (ring_start + page - 1) & ~(page - 1); at + page <= end; at += page) {
    (void)*reinterpret_cast<const volatile std::byte*>(at);
  }
}

bool reclaim(const SlotPool& pool, Slot& slot, std::uint64_t wanted) noexcept {
  slot.reclaiming.store(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with the writer's in begin_snapshot()
  if (slot.snapshot.load(std::memory_order_acquire) != 0) {
    slot.reclaiming.store(0, std::memory_order_release);
    return false;
  }
  const std::size_t capacity = pool.capacity();
  const std::size_t chunk = pool.chunk();
  const std::byte* ring = pool.ring(slot);
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  std::uint64_t head = slot.head.load(std::memory_order_acquire);
  std::uint64_t count = 0;
  while (head < wanted) {
    const std::size_t at = static_cast<std::size_t>(head & (capacity - 1));
    if ((at & (chunk - 1)) == 0 && head + chunk <= tail) {
      count += slot.chunk_entries[pool.chunk_of(at)];  // a whole chunk, unread
      head += chunk;
      continue;
    }
    // Part of a chunk (the writer drained up to its middle): entry by entry.
    std::uint32_t word[2];
    std::memcpy(word, ring + at, sizeof word);
    if (word[0] == kWrap) {
      head += chunk - (at & (chunk - 1));
      continue;
    }
    if (word[1] < kEntryOverhead || word[1] % 8 != 0 || (at & (chunk - 1)) + word[1] > chunk) {
      head = tail;  // not an entry: nothing after it can be read either
      break;
    }
    count += records_in_entry(ring + at);
    head += word[1];
  }
  slot.head.store(head, std::memory_order_release);
  slot.cached_head = head;
  slot.overwritten.store(slot.overwritten.load(std::memory_order_relaxed) + count, std::memory_order_relaxed);
  slot.reclaiming.store(0, std::memory_order_release);
  return true;
}

bool begin_snapshot(Slot& slot) noexcept {
  slot.snapshot.store(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with the producer's in reclaim()
  // A reclaim takes microseconds; a producer that stays inside far longer has died there.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  while (slot.reclaiming.load(std::memory_order_acquire) != 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      slot.snapshot.store(0, std::memory_order_release);
      return false;
    }
    std::this_thread::yield();
  }
  return true;
}

void end_snapshot(Slot& slot) noexcept { slot.snapshot.store(0, std::memory_order_release); }

bool open_group(const SlotPool& pool, Slot& slot, OpenGroup& group, std::uint32_t key, std::size_t first) noexcept {
  const std::size_t capacity = pool.capacity();
  const std::size_t chunk = pool.chunk();
  const std::size_t most = std::min({kGroupBytes, chunk, capacity / 2});
  const std::size_t least = kGroupOverhead + first;
  if (least > most) return false;
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  const std::size_t in_chunk = static_cast<std::size_t>(tail & (capacity - 1)) & (chunk - 1);
  const std::size_t waste = in_chunk + least > chunk ? chunk - in_chunk : 0;
  const std::uint64_t start = tail + waste;
  std::size_t limit = std::min(most, chunk - (static_cast<std::size_t>(start & (capacity - 1)) & (chunk - 1)));
  if (start + limit - slot.cached_head > capacity) {
    slot.cached_head = slot.head.load(std::memory_order_acquire);
    if (start + limit - slot.cached_head > capacity) {
      if (pool.overwrite()) {
        if (!reclaim(pool, slot, start + limit - capacity)) return false;
      } else {
        // A streaming ring gives the group what is free, if that holds the first record.
        const std::uint64_t used = start - slot.cached_head;
        if (used + least > capacity) return false;
        limit = std::min<std::size_t>(limit, static_cast<std::size_t>(capacity - used));
      }
    }
  }
  if (waste != 0) std::memcpy(pool.ring(slot) + (tail & (capacity - 1)), &kWrap, 4);
  group.open = true;
  group.key = key;
  group.count = 0;
  group.bytes = static_cast<std::uint32_t>(kEntryPrefix + kRecordHeaderBytes);
  group.limit = static_cast<std::uint32_t>(limit);
  group.start = start;
  group.cut = 0;
  group.entry = pool.ring(slot) + (start & (capacity - 1));
  return true;
}

void commit_group(const SlotPool& pool, Slot& slot, OpenGroup& group) noexcept {
  const std::size_t entry_at = static_cast<std::size_t>(group.start & (pool.capacity() - 1));
  const std::uint32_t total = group.bytes + 4;
  const std::uint32_t captured = group.bytes - static_cast<std::uint32_t>(kEntryPrefix);
  frame_entry(pool, slot, entry_at, {group.key, total, captured, captured + group.cut, group.count}, now_ticks());
  encode_group_header(static_cast<Channel>(group.key >> 16), static_cast<std::uint16_t>(group.key), group.count,
                      pool.ring(slot) + entry_at + kEntryPrefix);
  slot.tail.store(group.start + total, std::memory_order_release);
  group.open = false;
}

}  // namespace vgen::trace::detail
