#include "cache_line.hpp"

#include <atomic>
#include <cstdint>
#include <thread>

namespace vgen::bench {
namespace {

void cache_line_round_trip(benchmark::State& state) {
  alignas(64) std::atomic<std::uint64_t> line{0};
  std::atomic<bool> stop{false};
  // The peer answers every odd value with the next even one.
  std::thread peer([&] {
    std::uint64_t seen = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      const std::uint64_t v = line.load(std::memory_order_acquire);
      if (v != seen && (v & 1) == 1) {
        line.store(v + 1, std::memory_order_release);
        seen = v + 1;
      }
    }
  });
  std::uint64_t value = 0;
  for (auto _ : state) {
    line.store(value + 1, std::memory_order_release);
    while (line.load(std::memory_order_acquire) != value + 2) {
    }
    value += 2;
  }
  stop = true;
  peer.join();
  state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

void register_cache_line_benchmark() {
  benchmark::RegisterBenchmark("cache_line_round_trip", cache_line_round_trip)->UseRealTime()->MinTime(0.3);
}

}  // namespace vgen::bench
