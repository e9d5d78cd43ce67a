#include "spsc_peer.hpp"

#include <atomic>
#include <memory>
#include <thread>

#include <boost/lockfree/spsc_queue.hpp>

#include <vgen/cache_line.hpp>

#include "message.hpp"

namespace vgen::bench {
namespace {

using SpscQueue = boost::lockfree::spsc_queue<Message, boost::lockfree::capacity<256>>;

}  // namespace

void spsc_oneway(benchmark::State& state) {
  auto queue = std::make_unique<SpscQueue>();
  alignas(kCacheLinePair) std::atomic<bool> stop{false};  // read by the far side's every poll
  std::atomic<std::uint64_t> checksum{0};
  std::thread consumer([&] {
    Message m;
    std::uint64_t s = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      if (queue->pop(m)) s += sum(m.data());
    }
    checksum = s;
  });
  std::uint64_t seq = 0;
  Message m;
  for (auto _ : state) {
    fill(m.data(), seq++);
    while (!queue->push(m)) {
    }
  }
  stop = true;
  consumer.join();
  benchmark::DoNotOptimize(checksum.load());
  set_rate(state);
}

void spsc_echo(benchmark::State& state, std::uint32_t window) {
  auto outbound = std::make_unique<SpscQueue>();
  auto inbound = std::make_unique<SpscQueue>();
  alignas(kCacheLinePair) std::atomic<bool> stop{false};  // read by the far side's every poll
  std::thread far_side([&] {
    Message m;
    while (!stop.load(std::memory_order_relaxed)) {
      if (!outbound->pop(m)) continue;
      fill(m.data(), sum(m.data()));
      while (!inbound->push(m)) {
      }
    }
  });
  std::uint32_t in_flight = 0;
  std::uint64_t seq = 0;
  Message m;
  for (auto _ : state) {
    while (in_flight < window) {
      fill(m.data(), seq++);
      if (!outbound->push(m)) break;
      ++in_flight;
    }
    while (!inbound->pop(m)) {
    }
    benchmark::DoNotOptimize(sum(m.data()));
    --in_flight;
  }
  stop = true;
  far_side.join();
  set_rate(state);
}

}  // namespace vgen::bench
