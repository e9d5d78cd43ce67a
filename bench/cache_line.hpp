// The machine's cache-line round trip: two threads bounce one cache line. The figures of the
// other benchmarks are also printed in units of this round trip, since this machine's vCPUs
// switch between a fast and a slow state.
#pragma once

#include <benchmark/benchmark.h>

namespace vgen::bench {

/// Registers "cache_line_round_trip" with counter "msgs/s" = round trips per second.
void register_cache_line_benchmark();

}  // namespace vgen::bench
