#include "vgen/halves/slot_pool.hpp"

#include <stdexcept>
#include <string>

namespace vgen::halves {

SlotPool::SlotPool(shm::Allocator& allocator, std::uint32_t count, std::uint32_t slot_bytes)
    : base_(allocator.allocate(std::uint64_t{count} * slot_bytes, 64)), count_(count), slot_bytes_(slot_bytes) {
  reset();
}

void SlotPool::reset() {
  free_.clear();
  for (std::uint32_t number = count_; number > 0; --number) free_.push_back(number - 1);
  lent_.assign(count_, false);
}

std::optional<std::uint32_t> SlotPool::peek() const noexcept {
  if (free_.empty()) return std::nullopt;
  return free_.back();
}

void SlotPool::give_back(std::uint64_t number) {
  if (number >= count_ || !lent_[number]) {
    throw std::out_of_range("slot " + std::to_string(number) + " is not lent (pool of " + std::to_string(count_) +
                            " slots)");
  }
  lent_[number] = false;
  free_.push_back(static_cast<std::uint32_t>(number));
}

std::span<std::byte> SlotPool::bytes(const shm::GuestMemory& memory, std::uint64_t number) const {
  if (number >= count_) {
    throw std::out_of_range("slot " + std::to_string(number) + " of a pool of " + std::to_string(count_));
  }
  return {memory.translate(address(static_cast<std::uint32_t>(number)), slot_bytes_), slot_bytes_};
}

}  // namespace vgen::halves
