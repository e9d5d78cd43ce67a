// Little-endian loads and stores and small copies for the trace layer's on-disk formats; public
// for the inline record encoder (encode.hpp). The trace layer is the runtime's lowest, so it
// keeps these few lines instead of depending on the wire codec.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include <vgen/endian.hpp>

namespace vgen::trace::detail {

/// The little-endian integer stored at `bytes`.
template <std::integral T>
T load_le(const std::byte* bytes) noexcept {
  using U = std::make_unsigned_t<T>;
  U value;
  std::memcpy(&value, bytes, sizeof(U));
  return static_cast<T>(little_endian(value));
}

/// Stores `value` little-endian at `bytes`.
template <std::integral T>
void store_le(std::byte* bytes, T value) noexcept {
  using U = std::make_unsigned_t<T>;
  const U stored = little_endian(static_cast<U>(value));
  std::memcpy(bytes, &stored, sizeof(U));
}

/// Copies `count` bytes from `from` to `to` (not overlapping). Payload pieces are mostly a few
/// dozen bytes: up to 64 are copied inline by two overlapping fixed-size copies, which read and
/// write only the `count` bytes, rather than by a call into the C library.
[[gnu::always_inline]] inline void copy_bytes(std::byte* to, const std::byte* from, std::size_t count) noexcept {
  const auto ends = [&]<std::size_t n>() {
    unsigned char first[n];
    unsigned char last[n];
    std::memcpy(first, from, n);
    std::memcpy(last, from + count - n, n);
    std::memcpy(to, first, n);
    std::memcpy(to + count - n, last, n);
  };
  if (count > 64) {
    std::memcpy(to, from, count);
  } else if (count >= 32) {
    ends.template operator()<32>();
  } else if (count >= 16) {
    ends.template operator()<16>();
  } else if (count >= 8) {
    ends.template operator()<8>();
  } else if (count >= 4) {
    ends.template operator()<4>();
  } else if (count != 0) {
    to[0] = from[0];
    to[count / 2] = from[count / 2];
    to[count - 1] = from[count - 1];
  }
}

}  // namespace vgen::trace::detail
