// The peer the ring benchmarks are compared with: the same workloads over
// boost::lockfree::spsc_queue (capacity 256, 64-byte items), two threads, busy polling.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace vgen::bench {

/// One-way: a producer pushes messages, a consumer pops and reads them; one iteration a message.
void spsc_oneway(benchmark::State& state);

/// Echo over two queues: up to `window` messages in flight, the far thread reads each and
/// writes a reply derived from it; one iteration a round trip. window 1 is pingpong.
void spsc_echo(benchmark::State& state, std::uint32_t window);

}  // namespace vgen::bench
