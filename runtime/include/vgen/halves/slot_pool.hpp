// The driver's buffers of one virtqueue: equal slots carved once from guest memory, each
// lent to one chain at a time and returned when the device gives the chain back. A slot's
// number travels as the chain's token, so a used buffer names its slot.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/memory.hpp>

namespace vgen::halves {

/// A fixed set of equal buffers in guest memory. Not thread-safe.
class SlotPool {
 public:
  /// An empty pool (no slots).
  SlotPool() = default;
  /// Carves `count` slots of `slot_bytes` each from `allocator`, 64-byte aligned; all free.
  /// Throws shm::Error when the allocator is too small.
  SlotPool(shm::Allocator& allocator, std::uint32_t count, std::uint32_t slot_bytes);

  /// Number of slots.
  std::uint32_t count() const noexcept { return count_; }
  /// Bytes of each slot.
  std::uint32_t slot_bytes() const noexcept { return slot_bytes_; }
  /// Slots free now.
  std::uint32_t free_count() const noexcept { return static_cast<std::uint32_t>(free_.size()); }

  /// Makes every slot free again (after a reset, when the device holds none).
  void reset();
  /// The slot the next take() returns, or nothing when every slot is lent.
  std::optional<std::uint32_t> peek() const noexcept;
  /// Lends the slot peek() named.
  void take() noexcept {
    lent_[free_.back()] = true;
    free_.pop_back();
  }
  /// Returns slot `number`. Throws std::out_of_range for a number that is no lent slot.
  void give_back(std::uint64_t number);

  /// Guest address of slot `number` (no check: numbers come from peek()).
  shm::GuestAddress address(std::uint32_t number) const noexcept { return base_ + std::uint64_t{number} * slot_bytes_; }
  /// The bytes of slot `number` in this process. Throws std::out_of_range for a bad number.
  std::span<std::byte> bytes(const shm::GuestMemory& memory, std::uint64_t number) const;

 private:
  shm::GuestAddress base_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t slot_bytes_ = 0;
  std::vector<std::uint32_t> free_;  // the next slot to lend last
  std::vector<bool> lent_;
};

}  // namespace vgen::halves
