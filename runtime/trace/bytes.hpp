// Little-endian loads and stores for the trace layer's on-disk formats. The trace layer is
// the runtime's lowest, so it keeps these few lines instead of depending on the wire codec.
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

}  // namespace vgen::trace::detail
