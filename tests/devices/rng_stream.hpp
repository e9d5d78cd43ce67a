// The stream the reference virtio-rng device (devices/virtio-rng) promises, computed here on
// the test's side from its description: byte p of the stream for seed s is byte p % 8
// (little-endian) of mix(s + p / 8), mix being SplitMix64's output function.
// scripts/guest/run_guest_test.py computes the same stream in Python.
#pragma once

#include <cstdint>

namespace rng_test {

/// SplitMix64's output function of `x`.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  std::uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The generator's published first outputs from state 0 (state steps by 0x9e3779b97f4a7c15).
static_assert(mix(0) == 0xe220a8397b1dcdafull && mix(0x9e3779b97f4a7c15ull) == 0x6e789e6aa1b965f4ull);

/// Byte `position` of the stream for `seed`.
constexpr std::uint8_t stream_byte(std::uint64_t seed, std::uint64_t position) noexcept {
  return static_cast<std::uint8_t>(mix(seed + position / 8) >> (8 * (position % 8)));
}

}  // namespace rng_test
