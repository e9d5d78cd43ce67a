// The 64-byte message every throughput benchmark moves: the sender writes all its bytes and
// the receiver reads all of them, so no side gets away without touching the cache lines.
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vgen::bench {

/// Payload bytes of one message.
inline constexpr std::uint32_t kPayload = 64;

/// One message as the peers carry it.
using Message = std::array<std::byte, kPayload>;

/// Writes kPayload bytes derived from `seed` at `p`.
inline void fill(std::byte* p, std::uint64_t seed) {
  for (std::uint32_t i = 0; i < kPayload; i += 8) {
    const std::uint64_t v = seed + i;
    std::memcpy(p + i, &v, 8);
  }
}

/// A checksum of the kPayload bytes at `p`: what a reader computes from them.
inline std::uint64_t sum(const std::byte* p) {
  std::uint64_t s = 0;
  for (std::uint32_t i = 0; i < kPayload; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, p + i, 8);
    s += v;
  }
  return s;
}

/// Reports the iterations of `state` as the "msgs/s" rate the ratio reporter compares.
inline void set_rate(benchmark::State& state) {
  state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace vgen::bench
