#include <vgen/shm/allocator.hpp>

#include <bit>
#include <string>

namespace vgen::shm {

Allocator::Allocator(GuestAddress base, std::uint64_t size) : base_(base), next_(base), end_(base + size) {
  if (end_ < base_) {
    throw Error(ErrorCode::Overflow,
                "allocator: base " + std::to_string(base) + " + size " + std::to_string(size) + " overflows 64 bits");
  }
}

GuestAddress Allocator::allocate(std::uint64_t size, std::uint64_t align) {
  if (!std::has_single_bit(align)) {
    throw Error(ErrorCode::Invalid, "allocator: alignment " + std::to_string(align) + " is not a power of two");
  }
  const GuestAddress start = (next_ + align - 1) & ~(align - 1);
  if (start < next_ || start > end_ || size > end_ - start) {
    throw Error(ErrorCode::OutOfBounds, "allocator: " + std::to_string(size) + " bytes aligned to " +
                                            std::to_string(align) + " do not fit in the " +
                                            std::to_string(remaining()) + " bytes left");
  }
  next_ = start + size;
  return start;
}

}  // namespace vgen::shm
