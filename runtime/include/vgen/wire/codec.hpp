// The wire codec every generated message type uses: byte-order conversion of integer fields,
// loads and stores of integers at a byte position, and whole-message encoding and decoding.
// A message type is a trivially copyable, standard-layout struct whose members hold the bytes
// as they travel (vgen's generated structs); its accessors convert with le() and be(). The
// standard headers such structs use (fixed arrays, text for logs) come with this one.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include <vgen/endian.hpp>

namespace vgen::wire {

/// A type that travels as its bytes: copied to and from buffers with memcpy.
template <class T>
concept Message = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>;

/// Host order to little-endian and back (the same operation both ways); signed values keep
/// their two's-complement bits.
template <std::integral T>
constexpr T le(T value) noexcept {
  return static_cast<T>(little_endian(static_cast<std::make_unsigned_t<T>>(value)));
}

/// Host order to big-endian and back.
template <std::integral T>
constexpr T be(T value) noexcept {
  return static_cast<T>(big_endian(static_cast<std::make_unsigned_t<T>>(value)));
}

/// The little-endian integer stored at `bytes` (no alignment needed).
template <std::integral T>
T load_le(const std::byte* bytes) noexcept {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return le(value);
}

/// The big-endian integer stored at `bytes`.
template <std::integral T>
T load_be(const std::byte* bytes) noexcept {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return be(value);
}

/// Stores `value` little-endian at `bytes`.
template <std::integral T>
void store_le(std::byte* bytes, T value) noexcept {
  const T stored = le(value);
  std::memcpy(bytes, &stored, sizeof(T));
}

/// Stores `value` big-endian at `bytes`.
template <std::integral T>
void store_be(std::byte* bytes, T value) noexcept {
  const T stored = be(value);
  std::memcpy(bytes, &stored, sizeof(T));
}

/// The bytes of a message as they travel.
template <Message M>
std::span<const std::byte> bytes_of(const M& message) noexcept {
  return std::as_bytes(std::span(&message, 1));
}

/// Copies `message` to the front of `out`; returns the bytes written (fewer when `out` is
/// shorter than the message, which then travels cut short).
template <Message M>
std::size_t encode(const M& message, std::span<std::byte> out) noexcept {
  const std::size_t count = std::min(out.size(), sizeof(M));
  std::memcpy(out.data(), &message, count);
  return count;
}

/// A message from the first sizeof(M) bytes of `bytes`; bytes missing at the end read as
/// zero (use try_decode() to refuse short input).
template <Message M>
M decode(std::span<const std::byte> bytes) noexcept {
  M message;
  std::memset(static_cast<void*>(&message), 0, sizeof(M));
  std::memcpy(static_cast<void*>(&message), bytes.data(), std::min(bytes.size(), sizeof(M)));
  return message;
}

/// A message from the first sizeof(M) bytes of `bytes`, or nothing when there are fewer.
template <Message M>
std::optional<M> try_decode(std::span<const std::byte> bytes) noexcept {
  if (bytes.size() < sizeof(M)) return std::nullopt;
  return decode<M>(bytes);
}

/// The same bytes seen as another message type of the same size: a generated struct and the
/// runtime's own view of a protocol (blkif), whose layouts the spec loader checked to agree.
template <Message To, Message From>
To convert(const From& message) noexcept {
  static_assert(sizeof(To) == sizeof(From), "both views of a message have the same size");
  To converted;
  std::memcpy(static_cast<void*>(&converted), &message, sizeof(To));
  return converted;
}

}  // namespace vgen::wire
