// Decoding speed of trace logs (docs/trace.md, "Cost"): how fast trace::LogReader turns a log
// into records, and that its memory stays flat however long the log is.
//  - The bench writes four logs itself: the records of a split-ring stream (per message: the
//    driver adds a chain and publishes it, the device takes it, pushes it and publishes the
//    used idx, an interrupt is sent, the driver reclaims the chain; chains carry their
//    descriptors and 32 bytes of payload), 1/10 of the records and all of them (default 10
//    million), each once with a packet per record and once in group records as the queues
//    make them (three groups a message).
//  - Each log is decoded in a child process of its own, so that the child's peak resident
//    memory (getrusage via wait4) is the decoder's alone: every record is read with
//    LogReader::next() and its fields and payload are touched.
//  - Peer, in the same run: a plain read() of the same file in 64 KiB pieces (the disk and
//    page-cache ceiling); the ratio says how close decoding comes to it.
// Reported: records/s (goal: at least 5 M/s), MB/s, the child's CPU time (user and system),
// peak RSS of both logs (flat: the long log's within 1 MiB of the short one's).
//
// --records N (default 10000000), --dir DIR (default $TMPDIR or /tmp), --quick (200000
// records, or VGEN_BENCH_QUICK=1): a short smoke run. Exit 1 when a log does not decode to
// the records written or memory grows with the log; the speed goal is reported, not enforced.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/pcapng_writer.hpp>
#include <vgen/trace/record.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using vgen::trace::EventKind;

constexpr double kGoalRecordsPerSecond = 5e6;
constexpr long kFlatSlackKiB = 1024;
constexpr std::size_t kPayload = 32;

// What a child reports through its pipe.
struct Outcome {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  std::uint64_t checksum = 0;
  double seconds = 0;
  int failed = 0;  // 1: the reader threw
  char error[200] = {};
};

// A measured run: the child's outcome and its peak resident memory.
struct Measured {
  Outcome outcome;
  long peak_kib = 0;
  double cpu_seconds = 0;  // the child's user and system time, which a loaded machine disturbs less
};

// Collects records into a group record, as the recorder does with the queues' chain events.
class GroupWriter {
 public:
  explicit GroupWriter(vgen::trace::PcapngWriter& writer, std::uint32_t interface)
      : writer_(writer), interface_(interface), bytes_(vgen::trace::kRecordHeaderBytes) {}
  void add(const vgen::trace::Event& event) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + vgen::trace::group_member_bound(event, 256));
    std::uint64_t cut = 0;
    bytes_.resize(at + vgen::trace::encode_group_member(event, 256, bytes_.data() + at, cut));
    cut_ += cut;
    ++count_;
  }
  void write(std::uint64_t ns) {
    vgen::trace::encode_group_header(vgen::trace::Channel::Virtqueue, 0, count_, bytes_.data());
    writer_.write_packet(interface_, ns, bytes_, bytes_.size() + cut_);
    bytes_.resize(vgen::trace::kRecordHeaderBytes);
    count_ = 0;
    cut_ = 0;
  }

 private:
  vgen::trace::PcapngWriter& writer_;
  std::uint32_t interface_;
  std::vector<std::byte> bytes_;
  std::uint32_t count_ = 0;
  std::uint64_t cut_ = 0;
};

// Writes `records` records of a split-ring stream to `path`; returns the file's bytes. With
// `grouped`, the records go in groups as the queues make them: the driver's chain and publish,
// the device's take, push, publish and interrupt, the driver's reclaim.
std::uint64_t write_log(const std::string& path, std::uint64_t records, bool grouped) {
  vgen::trace::PcapngWriter writer(path, "bench_trace_decode");
  const std::uint32_t vq0 = writer.add_interface({"vq0", "virtqueue 0"});
  GroupWriter group(writer, vq0);
  std::array<std::byte, kPayload> out_bytes{};
  std::array<std::byte, kPayload> in_bytes{};
  std::vector<std::byte> record(512);
  std::uint64_t ns = 1'700'000'000'000'000'000ull;
  std::uint16_t avail = 0;
  std::uint16_t used = 0;
  for (std::uint64_t i = 0; i < records; ++i) {
    const auto head = static_cast<std::uint16_t>((i / 7) % 128);
    const std::uint64_t slot = 0x100000 + head * 2 * kPayload;
    for (std::size_t b = 0; b < kPayload; ++b) {
      out_bytes[b] = static_cast<std::byte>(i + b);
      in_bytes[b] = static_cast<std::byte>(i * 3 + b);
    }
    const vgen::trace::BufferRef chain[] = {{out_bytes.data(), slot, kPayload, 1},
                                            {in_bytes.data(), slot + kPayload, kPayload, 2}};
    vgen::trace::Event event{EventKind::ChainAdded};
    event.queue = 0;
    event.head = head;
    switch (i % 7) {
      case 0:
        event.index = ++avail;
        event.a = event.b = kPayload;
        event.buffers = chain;
        break;
      case 1:
        event.kind = EventKind::AvailPublished;
        event.index = avail;
        break;
      case 2:
        event.kind = EventKind::ChainTaken;
        event.index = avail;
        event.a = event.b = kPayload;
        event.buffers = chain;
        break;
      case 3:
        event.kind = EventKind::UsedPushed;
        event.index = ++used;
        event.a = kPayload;
        event.buffers = std::span(chain).subspan(1);
        break;
      case 4:
        event.kind = EventKind::UsedPublished;
        event.index = used;
        break;
      case 5:
        event.kind = EventKind::NotifySent;
        event.head = 1;
        event.index = used;
        break;
      default:
        event.kind = EventKind::UsedReclaimed;
        event.index = used;
        event.a = kPayload;
        event.buffers = std::span(chain).subspan(1);
        break;
    }
    if (grouped) {
      group.add(event);
      // A group ends after the driver's publish, the device's interrupt and each reclaim.
      if (i % 7 == 1 || i % 7 == 5 || i % 7 == 6 || i + 1 == records) group.write(ns);
    } else {
      const vgen::trace::RecordSize size = vgen::trace::encoded_size(event, 256);
      vgen::trace::encode(event, 256, {record.data(), size.captured});
      writer.write_packet(vq0, ns, {record.data(), size.captured}, size.original);
    }
    ns += 37;
  }
  writer.flush();
  return writer.bytes();
}

// Decodes `path` with the log reader, touching every field and the payload.
Outcome decode(const std::string& path) {
  Outcome outcome;
  const auto start = Clock::now();
  try {
    vgen::trace::LogReader reader(path);
    while (const vgen::trace::LogRecord* entry = reader.next()) {
      const vgen::trace::Record& r = entry->record;
      std::uint64_t sum = entry->timestamp_ns + static_cast<unsigned>(r.kind) + r.queue + r.head + r.index + r.a + r.b +
                          r.payload_length + r.descriptor_count();
      if (!r.payload.empty()) sum += std::to_integer<unsigned>(r.payload.back());
      outcome.checksum += sum;
      ++outcome.records;
    }
    outcome.bytes = reader.offset();
  } catch (const vgen::trace::Error& error) {
    outcome.failed = 1;
    std::snprintf(outcome.error, sizeof outcome.error, "%s", error.what());
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

// Reads `path` with plain read() calls: the ceiling of any decoder.
Outcome scan(const std::string& path) {
  Outcome outcome;
  const auto start = Clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::vector<unsigned char> buffer(64 << 10);
  for (ssize_t n; fd >= 0 && (n = ::read(fd, buffer.data(), buffer.size())) > 0;) {
    outcome.bytes += static_cast<std::uint64_t>(n);
    outcome.checksum += buffer[static_cast<std::size_t>(n) - 1];
  }
  if (fd < 0) outcome.failed = 1;
  if (fd >= 0) ::close(fd);
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

// Runs `work(path)` in a child process; its outcome and peak RSS.
template <class Work>
Measured in_child(const std::string& path, Work work) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    const Outcome outcome = work(path);
    const ssize_t written = write(pipe_fds[1], &outcome, sizeof outcome);
    _exit(written == static_cast<ssize_t>(sizeof outcome) ? 0 : 1);
  }
  close(pipe_fds[1]);
  Measured measured;
  const ssize_t got = read(pipe_fds[0], &measured.outcome, sizeof measured.outcome);
  close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  if (got != static_cast<ssize_t>(sizeof measured.outcome) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_trace_decode: the child reading %s failed\n", path.c_str());
    std::exit(1);
  }
  measured.peak_kib = usage.ru_maxrss;
  measured.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return measured;
}

void print(const char* what, std::uint64_t written, const Measured& m) {
  const Outcome& o = m.outcome;
  std::printf("%-22s %12llu %10.1f %9.3f %12.2f %10.1f %8.3f %11ld\n", what, static_cast<unsigned long long>(written),
              static_cast<double>(o.bytes) / 1e6, o.seconds,
              o.records != 0 ? static_cast<double>(o.records) / o.seconds / 1e6 : 0.0,
              static_cast<double>(o.bytes) / o.seconds / 1e6, m.cpu_seconds, m.peak_kib);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t records = 10'000'000;
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const char* quick_env = std::getenv("VGEN_BENCH_QUICK");
  if (quick_env != nullptr && std::strcmp(quick_env, "1") == 0) records = 200'000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      records = 200'000;
    } else if (arg == "--records" && i + 1 < argc) {
      records = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench_trace_decode [--quick] [--records N] [--dir DIR]\n");
      return 2;
    }
  }
  if (records < 10) {
    std::fprintf(stderr, "bench_trace_decode: --records must be at least 10\n");
    return 2;
  }
  char pattern[4096];
  std::snprintf(pattern, sizeof pattern, "%s/vgen-bench-decode-XXXXXX", dir.c_str());
  if (mkdtemp(pattern) == nullptr) {
    std::perror("bench_trace_decode: mkdtemp");
    return 1;
  }
  const std::string folder = pattern;
  int failures = 0;
  std::printf("%-22s %12s %10s %9s %12s %10s %8s %11s\n", "run", "records", "MB", "seconds", "M records/s", "MB/s",
              "cpu-s", "peak-RSS-KiB");
  std::vector<Measured> decoded;
  for (const bool grouped : {false, true}) {
    for (const std::uint64_t count : {records / 10, records}) {
      const std::string path = folder + "/stream-" + std::to_string(count) + ".pcapng";
      const auto start = Clock::now();
      const std::uint64_t bytes = write_log(path, count, grouped);
      const double wrote = std::chrono::duration<double>(Clock::now() - start).count();
      std::printf("# wrote %llu records%s, %.1f MB in %.2f s\n", static_cast<unsigned long long>(count),
                  grouped ? " in groups" : " one a packet", static_cast<double>(bytes) / 1e6, wrote);
      const Measured peer = in_child(path, scan);
      const Measured m = in_child(path, decode);
      print("read() scan (peer)", count, peer);
      print(grouped ? "LogReader, groups" : "LogReader, single", count, m);
      if (m.outcome.failed != 0 || m.outcome.records != count || m.outcome.bytes != bytes) {
        std::printf("FAILED: decoded %llu records (%llu bytes) of %llu: %s\n",
                    static_cast<unsigned long long>(m.outcome.records),
                    static_cast<unsigned long long>(m.outcome.bytes), static_cast<unsigned long long>(count),
                    m.outcome.error);
        ++failures;
      }
      std::printf("# decode / read() scan: %.2f\n", peer.outcome.seconds / m.outcome.seconds);
      decoded.push_back(m);
      std::filesystem::remove(path);
    }
  }
  std::filesystem::remove_all(folder);
  for (std::size_t layout = 0; layout < 2; ++layout) {
    const Measured& small = decoded[2 * layout];
    const Measured& big = decoded[2 * layout + 1];
    const char* name = layout == 0 ? "single records" : "groups";
    const double rate = static_cast<double>(big.outcome.records) / big.outcome.seconds;
    std::printf("decoding, %s: %.2f M records/s, %.2f M per CPU second (goal %.1f M/s: %s)\n", name, rate / 1e6,
                static_cast<double>(big.outcome.records) / big.cpu_seconds / 1e6, kGoalRecordsPerSecond / 1e6,
                rate >= kGoalRecordsPerSecond ? "met" : "NOT met");
    const long growth = big.peak_kib - small.peak_kib;
    std::printf("peak RSS, %s: %ld KiB for %llu records, %ld KiB for %llu (%+ld KiB: %s)\n", name, small.peak_kib,
                static_cast<unsigned long long>(small.outcome.records), big.peak_kib,
                static_cast<unsigned long long>(big.outcome.records), growth,
                growth <= kFlatSlackKiB ? "flat" : "GROWS with the log");
    if (growth > kFlatSlackKiB) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
