// XenStore daemons through the wire protocol of xen/io/xs_wire.h, vgen-xenstored against
// Debian's C xenstored (run without a hypervisor through vgen's LD_PRELOAD shim), both
// started by this program and measured in the same run:
//  - pipelined throughput: one connection keeps 64 requests in flight, XS_WRITE (a fresh
//    value into one of 64 keys) and XS_READ (one of 64 keys written beforehand): requests/s;
//  - write-to-watch-event latency: one connection watches /bench/watch, another writes
//    under it, one write at a time; p50 and p99 over every sample, in µs.
// Each also reports the daemon's CPU time per request (or per write), which the load of a
// shared machine disturbs far less than rates and latencies.
// Every reply and event is checked (type, req_id, tx_id, payload); a mismatch ends the
// benchmark with an error and the program exits with status 1.
//
// Options (before Google Benchmark's own): --quick (or VGEN_BENCH_QUICK=1) for a smoke run
// of a few seconds; --vgen-xenstored=PATH, --c-xenstored=PATH, --shim=PATH for the
// daemons and the shim (defaults: this build's, Debian's, this build's). Where the C daemon
// is not installed there is nothing to compare with: the program says so and exits with
// status 77 (ctest: skipped).
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "cache_line.hpp"
#include "ratio_reporter.hpp"
#include "store_daemon.hpp"
#include "wire_client.hpp"

namespace vgen::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kInFlight = 64;
constexpr std::uint32_t kKeys = 64;
constexpr std::uint32_t kWatchedKeys = 16;
constexpr const char* kWatchRoot = "/bench/watch";
constexpr const char* kWatchToken = "latency";
constexpr int kSkipped = 77;  // ctest SKIP_RETURN_CODE
const std::string kOk("OK", 3);  // "OK\0"

struct Options {
  bool quick = false;
  std::string vgen_xenstored = VGEN_XENSTORED_PATH;
  std::string c_xenstored = VGEN_C_XENSTORED_PATH;
  std::string shim = VGEN_XENSTORED_SHIM_PATH;
};

// What went wrong in any benchmark; non-empty means the run failed.
std::vector<std::string> failures;

struct Latency {
  double p50_us = 0;
  double p99_us = 0;
};
std::map<std::string, Latency> latencies;  // by daemon name

void set_rate(benchmark::State& state) {
  state.counters["reqs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Daemon CPU time per benchmark iteration, from the daemon's CPU time at the start.
void set_daemon_cpu(benchmark::State& state, const StoreDaemon& daemon, std::uint64_t cpu_at_start) {
  const double ns = static_cast<double>(daemon.cpu_ns() - cpu_at_start);
  state.counters["daemon_cpu_us/req"] = ns / 1000.0 / static_cast<double>(state.iterations());
}

void fail(benchmark::State& state, const std::string& what) {
  failures.push_back(what);
  state.SkipWithError(what.c_str());
}

// --- pipelined throughput ----------------------------------------------------------------

std::string key_path(const char* group, std::uint32_t seq) {
  return std::string("/bench/") + group + "/key" + std::to_string(seq % kKeys);
}
// The value request `seq` writes: different for every request.
std::string written_value(std::uint32_t seq) { return "value-" + std::to_string(seq) + "-of-the-write-benchmark"; }
// The value key k of the read benchmark holds.
std::string stored_value(std::uint32_t key) { return "stored-value-" + std::to_string(key) + "-for-reading"; }

// One request stream: the payload of request `seq` and the reply payload it must get.
class Stream {
 public:
  explicit Stream(std::uint32_t type) : type_(type) {
    for (std::uint32_t k = 0; k < kKeys; ++k) {
      read_requests_.push_back(nul_terminated(key_path("read", k)));
      write_paths_.push_back(key_path("write", k));
    }
  }
  std::uint32_t type() const { return type_; }
  std::string request(std::uint32_t seq) const {
    return type_ == XS_READ ? read_requests_[seq % kKeys] : write_payload(write_paths_[seq % kKeys], written_value(seq));
  }
  std::string reply(std::uint32_t seq) const { return type_ == XS_READ ? stored_value(seq % kKeys) : kOk; }

 private:
  std::uint32_t type_;
  std::vector<std::string> read_requests_;
  std::vector<std::string> write_paths_;
};

// Gives every key of the read benchmark its value (checked), before any timing.
void store_read_keys(WireClient& client) {
  for (std::uint32_t k = 0; k < kKeys; ++k) client.queue(XS_WRITE, k, write_payload(key_path("read", k), stored_value(k)));
  client.flush();
  for (std::uint32_t k = 0; k < kKeys; ++k) client.expect(XS_WRITE, k, kOk);
}

// After the write benchmark: each key holds the value of the last request that wrote it,
// so a daemon that answers OK without storing fails.
void check_written_keys(WireClient& client, std::uint32_t last_seq) {
  for (std::uint32_t k = 0; k < kKeys; ++k) client.queue(XS_READ, k, nul_terminated(key_path("write", k)));
  client.flush();
  for (std::uint32_t k = 0; k < kKeys; ++k) {
    const std::uint32_t last_for_key = last_seq - (last_seq % kKeys + kKeys - k) % kKeys;
    client.expect(XS_READ, k, written_value(last_for_key));
  }
}

void pipelined(benchmark::State& state, StoreDaemon& daemon, std::uint32_t type) {
  try {
    WireClient client(daemon.socket_path(), daemon.name());
    if (type == XS_READ) store_read_keys(client);
    const Stream stream(type);
    std::uint32_t sent = 0;
    std::uint32_t checked = 0;
    auto send_next = [&] {
      ++sent;
      client.queue(type, sent, stream.request(sent));
    };
    auto check_next = [&] {
      ++checked;
      client.expect(type, checked, stream.reply(checked));
    };
    for (std::uint32_t i = 0; i < kInFlight; ++i) send_next();
    client.flush();
    const std::uint64_t cpu_at_start = daemon.cpu_ns();
    for (auto _ : state) {
      check_next();
      send_next();
      if (!client.has_buffered_message()) client.flush();  // about to block: send the batch
    }
    set_daemon_cpu(state, daemon, cpu_at_start);
    client.flush();
    while (checked < sent) check_next();
    set_rate(state);
    if (type == XS_WRITE) check_written_keys(client, sent);
  } catch (const std::exception& error) {
    fail(state, error.what());
  }
}

// --- write-to-watch-event latency -----------------------------------------------------------

// XS_WATCH answers OK and fires one event for the watched path at once, in either order.
void register_watch(WireClient& watcher) {
  watcher.queue(XS_WATCH, 1, watch_payload(kWatchRoot, kWatchToken));
  watcher.flush();
  bool ok = false;
  bool fired = false;
  for (int i = 0; i < 2; ++i) {
    const WireMessage message = watcher.receive();
    if (message.type == XS_WATCH && message.req_id == 1 && message.payload == kOk && !ok) {
      ok = true;
    } else if (message.type == XS_WATCH_EVENT && message.payload == watch_payload(kWatchRoot, kWatchToken) && !fired) {
      fired = true;
    } else {
      throw WireError("registering the watch: unexpected message type " + std::to_string(message.type) + " req_id " +
                      std::to_string(message.req_id) + " payload \"" + printable(message.payload) + "\"");
    }
  }
}

double percentile_us(std::vector<double>& samples_ns, double fraction) {
  const auto at = std::min(samples_ns.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(samples_ns.size())));
  std::nth_element(samples_ns.begin(), samples_ns.begin() + static_cast<std::ptrdiff_t>(at), samples_ns.end());
  return samples_ns[at] / 1000.0;
}

void watch_latency(benchmark::State& state, StoreDaemon& daemon) {
  try {
    WireClient watcher(daemon.socket_path(), daemon.name() + " (watcher)");
    WireClient writer(daemon.socket_path(), daemon.name() + " (writer)");
    register_watch(watcher);
    std::vector<double> samples_ns;
    samples_ns.reserve(static_cast<std::size_t>(state.max_iterations));
    std::uint32_t seq = 0;
    const std::uint64_t cpu_at_start = daemon.cpu_ns();
    for (auto _ : state) {
      ++seq;
      const std::string path = std::string(kWatchRoot) + "/key" + std::to_string(seq % kWatchedKeys);
      writer.queue(XS_WRITE, seq, write_payload(path, written_value(seq)));
      const auto start = Clock::now();
      writer.flush();
      watcher.expect(XS_WATCH_EVENT, 0, watch_payload(path, kWatchToken));
      samples_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
      writer.expect(XS_WRITE, seq, kOk);
    }
    set_daemon_cpu(state, daemon, cpu_at_start);
    const Latency latency{percentile_us(samples_ns, 0.50), percentile_us(samples_ns, 0.99)};
    latencies[daemon.name()] = latency;
    state.counters["p50_us"] = latency.p50_us;
    state.counters["p99_us"] = latency.p99_us;
    state.counters["samples"] = static_cast<double>(samples_ns.size());
  } catch (const std::exception& error) {
    fail(state, error.what());
  }
}

// --- driver ------------------------------------------------------------------------------

struct Daemons {
  StoreDaemon vgen;
  StoreDaemon c;
};

std::string prefix(const StoreDaemon& daemon) { return daemon.name() == "vgen-xenstored" ? "vgen_xenstored" : "c_xenstored"; }

void register_benchmarks(Daemons& daemons, bool quick) {
  if (!quick) register_cache_line_benchmark();
  const double min_time = quick ? 0.2 : 2.0;
  const int samples = quick ? 300 : 5000;
  for (StoreDaemon* daemon : {&daemons.c, &daemons.vgen}) {
    const std::string name = prefix(*daemon);
    benchmark::RegisterBenchmark((name + "/write/inflight:64").c_str(),
                                 [daemon](benchmark::State& s) { pipelined(s, *daemon, XS_WRITE); })
        ->UseRealTime()
        ->MinTime(min_time);
    benchmark::RegisterBenchmark((name + "/read/inflight:64").c_str(),
                                 [daemon](benchmark::State& s) { pipelined(s, *daemon, XS_READ); })
        ->UseRealTime()
        ->MinTime(min_time);
    benchmark::RegisterBenchmark((name + "/watch_latency").c_str(),
                                 [daemon](benchmark::State& s) { watch_latency(s, *daemon); })
        ->UseRealTime()
        ->Iterations(samples);
  }
}

void print_latency_summary() {
  const auto v = latencies.find("vgen-xenstored");
  const auto c = latencies.find("C xenstored");
  if (v == latencies.end() || c == latencies.end()) return;
  std::printf("\n%-34s %10s %10s %7s %6s\n", "write-to-watch-event latency", "vgen µs", "C µs", "ratio", "goal");
  std::printf("%-34s %10.1f %10.1f %7.3f %6s\n", "p50", v->second.p50_us, c->second.p50_us,
              v->second.p50_us / c->second.p50_us, "<1");
  std::printf("%-34s %10.1f %10.1f %7.3f %6s\n", "p99", v->second.p99_us, c->second.p99_us,
              v->second.p99_us / c->second.p99_us, "-");
}

// Takes this program's options out of argv (Google Benchmark rejects what it does not know).
Options parse_options(int& argc, char** argv) {
  Options options;
  const char* quick_env = std::getenv("VGEN_BENCH_QUICK");
  options.quick = quick_env != nullptr && std::strcmp(quick_env, "0") != 0 && *quick_env != '\0';
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value_of = [&](const std::string& option) -> std::optional<std::string> {
      if (arg.rfind(option + "=", 0) != 0) return std::nullopt;
      return arg.substr(option.size() + 1);
    };
    if (arg == "--quick") {
      options.quick = true;
    } else if (auto v = value_of("--vgen-xenstored")) {
      options.vgen_xenstored = *v;
    } else if (auto c = value_of("--c-xenstored")) {
      options.c_xenstored = *c;
    } else if (auto f = value_of("--shim")) {
      options.shim = *f;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return options;
}

int run(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (::access(options.c_xenstored.c_str(), X_OK) != 0) {
    std::printf("bench_store: SKIPPED: no C xenstored to compare with at %s (%s; package xen-utils-4.17)\n",
                options.c_xenstored.c_str(), std::strerror(errno));
    return kSkipped;
  }
  std::optional<Daemons> daemons;
  try {
    daemons.emplace(Daemons{StoreDaemon::start_vgen(options.vgen_xenstored),
                            StoreDaemon::start_c(options.c_xenstored, options.shim)});
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_store: cannot start the daemons: %s\n", error.what());
    return 1;
  }
  std::printf("vgen-xenstored: %s (pid %d)\nC xenstored:    %s -N, LD_PRELOAD=%s (pid %d)\n",
              options.vgen_xenstored.c_str(), daemons->vgen.pid(), options.c_xenstored.c_str(),
              options.shim.c_str(), daemons->c.pid());
  std::fflush(stdout);
  register_benchmarks(*daemons, options.quick);
  RatioReporter reporter("reqs/s");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary({{"vgen_xenstored/write/inflight:64", "c_xenstored/write/inflight:64", 4.0},
                         {"vgen_xenstored/read/inflight:64", "c_xenstored/read/inflight:64", 4.0}},
                        "cache_line_round_trip");
  print_latency_summary();
  benchmark::Shutdown();
  for (StoreDaemon* daemon : {&daemons->vgen, &daemons->c}) {
    if (!daemon->running()) failures.push_back(daemon->name() + " died during the run; log:\n" + daemon->log());
  }
  for (const std::string& failure : failures) std::fprintf(stderr, "bench_store: FAILED: %s\n", failure.c_str());
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace vgen::bench

int main(int argc, char** argv) { return vgen::bench::run(argc, argv); }
