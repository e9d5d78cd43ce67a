// Byte-order conversion for wire and ring fields (little-endian VirtIO/Xen/rpmsg layouts,
// big-endian message fields where a spec asks for them).
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>

namespace vgen {

/// Reverses the bytes of an unsigned integer.
template <std::unsigned_integral T>
constexpr T byte_swap(T value) noexcept {
  if constexpr (sizeof(T) == 1) {
    return value;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(value));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(value));
  } else {
    static_assert(sizeof(T) == 8);
    return static_cast<T>(__builtin_bswap64(value));
  }
}

/// Converts between host order and little-endian (the same function both ways).
template <std::unsigned_integral T>
constexpr T little_endian(T value) noexcept {
  if constexpr (std::endian::native == std::endian::little)
    return value;
  else
    return byte_swap(value);
}

/// Converts between host order and big-endian (the same function both ways).
template <std::unsigned_integral T>
constexpr T big_endian(T value) noexcept {
  if constexpr (std::endian::native == std::endian::big)
    return value;
  else
    return byte_swap(value);
}

}  // namespace vgen
