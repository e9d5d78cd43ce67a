#include "slot_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include <vgen/trace/error.hpp>

namespace vgen::trace::detail {

SlotPool::SlotPool(std::size_t count, std::size_t capacity)
    : count_(count), capacity_(capacity), stride_(sizeof(Slot) + capacity), bytes_(count * (sizeof(Slot) + capacity)) {
  if (count == 0 || capacity < 4096 || capacity > (std::size_t{1} << 30) || (capacity & (capacity - 1)) != 0) {
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

}  // namespace vgen::trace::detail
