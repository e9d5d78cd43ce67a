// The byte stream the guest virtio-rng test device produces, which the test runner recomputes
// (scripts/guest/run_guest_test.py): byte p is byte p % 8 (little-endian) of mix(seed + p / 8),
// where mix is the SplitMix64 finaliser.
#pragma once

#include <cstdint>

namespace vgen::guest {

/// SplitMix64's output function of `x`.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  std::uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Byte `position` of the stream for `seed`.
constexpr std::uint8_t stream_byte(std::uint64_t seed, std::uint64_t position) noexcept {
  return static_cast<std::uint8_t>(mix(seed + position / 8) >> (8 * (position % 8)));
}

}  // namespace vgen::guest
