// The recorder: records from several threads and a forked process reach one log, in time
// order per thread, on one interface per channel and queue; a full buffer drops and counts
// instead of blocking, and the log says so.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/record.hpp>
#include <vgen/trace/recorder.hpp>

#include "temp_file.hpp"

namespace vgen::trace {
namespace {

using testing::TempFile;

std::vector<LogRecord> read_log(const std::string& path, std::vector<LogInterface>* interfaces = nullptr) {
  LogReader reader(path);
  std::vector<LogRecord> records;
  while (const LogRecord* r = reader.next()) {
    records.push_back(*r);
    records.back().record.payload = {};
    records.back().record.descriptor_bytes = {};
  }
  if (interfaces != nullptr) *interfaces = reader.interfaces();
  return records;
}

TEST(Recorder, ThreadsRecordIntoOneLogInOrder) {
  TempFile file;
  constexpr int kThreads = 4;
  constexpr std::uint32_t kEach = 20000;
  {
    Recorder recorder(file.path());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&recorder, t] {
        for (std::uint32_t i = 0; i < kEach; ++i) {
          recorder.record({EventKind::ChainAdded, static_cast<std::uint16_t>(t), 0, i});
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    recorder.flush();
    const RecorderStatistics s = recorder.statistics();
    EXPECT_EQ(s.written + s.dropped, kThreads * kEach);
  }
  std::map<std::uint16_t, std::uint32_t> next;
  std::uint64_t last_time = 0;
  std::size_t out_of_order = 0;
  std::vector<LogInterface> interfaces;
  for (const LogRecord& r : read_log(file.path(), &interfaces)) {
    if (r.record.kind == EventKind::Dropped) continue;
    EXPECT_GE(r.record.index, next[r.record.queue]) << "queue " << r.record.queue;
    next[r.record.queue] = r.record.index + 1;
    if (r.timestamp_ns < last_time) ++out_of_order;
    last_time = r.timestamp_ns;
  }
  EXPECT_EQ(next.size(), static_cast<std::size_t>(kThreads));
  // Records are merged by time within each drain; one taken just before a drain and stored
  // just after it (the thread was preempted in between) lands in the next one.
  EXPECT_LE(out_of_order, kThreads * kEach / 100);
  std::set<std::string> names;
  for (const LogInterface& i : interfaces) names.insert(i.name);
  EXPECT_TRUE(names.count("vq0") && names.count("vq3"));
}

// The nice values of this process's threads (/proc/self/task/TID/stat, field 19).
std::multiset<int> thread_nice_values() {
  std::multiset<int> values;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) values.insert(std::stoi(field));
    }
  }
  return values;
}

// RecorderOptions::writer_nice: the writer thread alone runs at that nice value, and still
// writes every record on flush().
TEST(Recorder, LowPriorityWriterWritesEverythingOnFlush) {
  TempFile file;
  RecorderOptions options;
  options.writer_nice = 19;
  const std::multiset<int> before = thread_nice_values();
  {
    Recorder recorder(file.path(), options);
    for (std::uint32_t i = 0; i < 1000; ++i) recorder.record({EventKind::ChainAdded, 0, 0, i});
    recorder.flush();
    EXPECT_EQ(recorder.statistics().written, 1000u);
    EXPECT_EQ(recorder.statistics().dropped, 0u);
    const std::multiset<int> during = thread_nice_values();
    EXPECT_EQ(during.count(19), before.count(19) + 1);
    EXPECT_EQ(during.count(0), before.count(0));  // this thread kept its own
  }
  EXPECT_EQ(read_log(file.path()).size(), 1000u);
}

// Every recording thread reads the recorder on every record: it sits on cache line pairs of its
// own wherever it is made, so no thread's stores beside it make the others miss.
TEST(Recorder, SitsOnCacheLinePairsOfItsOwn) {
  TempFile file;
  auto made = std::make_unique<Recorder>(file.path());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(made.get()) % kCacheLinePair, 0u);
  EXPECT_EQ(sizeof(Recorder) % kCacheLinePair, 0u);
  made->record({EventKind::ChainAdded, 0, 0, 1});
  made->flush();
  EXPECT_EQ(made->statistics().written, 1u);
}

TEST(Recorder, WriterNiceOutOfRangeIsRefused) {
  TempFile file;
  for (const int nice : {-1, 20}) {
    RecorderOptions options;
    options.writer_nice = nice;
    try {
      Recorder recorder(file.path(), options);
      ADD_FAILURE() << "writer nice " << nice << " was taken";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Invalid);
      EXPECT_NE(std::string(error.what()).find("writer nice value " + std::to_string(nice) + " (0 to 19)"),
                std::string::npos)
          << error.what();
    }
  }
}

// The writer drains only when flushed (the interval is an hour), so the buffer fills: the
// records past its room are dropped and counted, record() returns at once all the same, and
// once drained the buffer takes records again.
TEST(Recorder, FullBufferDropsAndTheLogSaysHowMany) {
  TempFile file;
  RecorderOptions options;
  options.buffer_bytes = 4096;
  options.interval = std::chrono::hours(1);
  std::uint64_t dropped = 0;
  std::uint64_t written = 0;
  {
    Recorder recorder(file.path(), options);
    for (std::uint32_t i = 0; i < 1000; ++i) recorder.record({EventKind::NotifySent, 0, 0, i});
    recorder.flush();
    dropped = recorder.statistics().dropped;
    written = recorder.statistics().written;
    EXPECT_GT(written, 0u);
    EXPECT_LT(written, 4096u / kRecordHeaderBytes);  // no more than the buffer holds
    EXPECT_EQ(written + dropped, 1000u);
    // Drained: room again, nothing more lost.
    for (std::uint32_t i = 0; i < 10; ++i) recorder.record({EventKind::NotifySent, 0, 0, 1000 + i});
    recorder.flush();
    EXPECT_EQ(recorder.statistics().dropped, dropped);
    EXPECT_EQ(recorder.statistics().written, written + 10);
  }
  std::uint64_t reported = 0;
  std::vector<std::uint32_t> indexes;
  for (const LogRecord& r : read_log(file.path())) {
    if (r.record.kind == EventKind::Dropped) {
      reported += r.record.a;
      EXPECT_EQ(r.record.b, reported);  // b: the running total
      EXPECT_EQ(r.record.channel, Channel::Recorder);
    } else {
      indexes.push_back(r.record.index);
    }
  }
  EXPECT_EQ(reported, dropped);
  // The first records were kept, the rest of the burst lost, the later ones kept.
  ASSERT_EQ(indexes.size(), written + 10);
  for (std::size_t i = 0; i < written; ++i) EXPECT_EQ(indexes[i], i);
  EXPECT_EQ(indexes[written], 1000u);
}

// A thread beyond the slot limit loses its records, counted like those of a full buffer.
TEST(Recorder, ThreadBeyondTheLimitIsCountedAsDropped) {
  TempFile file;
  RecorderOptions options;
  options.threads = 1;
  options.interval = std::chrono::hours(1);
  Recorder recorder(file.path(), options);
  recorder.record({EventKind::NotifySent});  // this thread takes the only slot
  std::thread([&recorder] {
    for (int i = 0; i < 5; ++i) recorder.record({EventKind::NotifySent});
  }).join();
  recorder.flush();
  EXPECT_EQ(recorder.statistics().written, 1u);
  EXPECT_EQ(recorder.statistics().dropped, 5u);
}

TEST(Recorder, PayloadIsCutAtTheSnapLength) {
  TempFile file;
  RecorderOptions options;
  options.snap_length = 8;
  const std::string text = "a message longer than eight bytes";
  {
    Recorder recorder(file.path(), options);
    Event event{EventKind::RpmsgMessage};
    event.bytes = {reinterpret_cast<const std::byte*>(text.data()), text.size()};
    recorder.record(event);
  }
  LogReader reader(file.path());
  const LogRecord* r = reader.next();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r->record.payload.data()), r->record.payload.size()), "a messag");
  EXPECT_EQ(r->record.payload_length, text.size());
}

TEST(Recorder, InterfacesCarryTheirNames) {
  TempFile file;
  {
    Recorder recorder(file.path());
    recorder.name_interface(Channel::Virtqueue, 1, "transmitq");
    recorder.record({EventKind::ChainAdded, 1});
    recorder.record({EventKind::StateChanged, 0, 0, 1, 0, 1});
  }
  std::vector<LogInterface> interfaces;
  read_log(file.path(), &interfaces);
  ASSERT_EQ(interfaces.size(), 2u);
  EXPECT_EQ(interfaces[0].name, "vq1");
  EXPECT_EQ(interfaces[0].description, "transmitq");
  EXPECT_EQ(interfaces[1].name, "virtio");
}

TEST(Recorder, ForkedChildRecordsIntoTheParentsLog) {
  TempFile file;
  {
    Recorder recorder(file.path());
    recorder.record({EventKind::ChainAdded, 0, 0, 1});
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (std::uint32_t i = 0; i < 100; ++i) recorder.record({EventKind::ChainTaken, 0, 0, i});
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    recorder.record({EventKind::UsedReclaimed, 0, 0, 2});
  }
  std::map<EventKind, int> kinds;
  for (const LogRecord& r : read_log(file.path())) ++kinds[r.record.kind];
  EXPECT_EQ(kinds[EventKind::ChainAdded], 1);
  EXPECT_EQ(kinds[EventKind::ChainTaken], 100);
  EXPECT_EQ(kinds[EventKind::UsedReclaimed], 1);
}

TEST(Recorder, ExitedThreadsGiveTheirBuffersBack) {
  TempFile file;
  RecorderOptions options;
  options.threads = 2;
  {
    Recorder recorder(file.path(), options);
    for (int round = 0; round < 10; ++round) {
      std::thread([&recorder, round] {
        recorder.record({EventKind::NotifySent, 0, 0, static_cast<std::uint32_t>(round)});
      }).join();
      recorder.flush();
      recorder.flush();  // a second round frees the retired slot
    }
    EXPECT_EQ(recorder.statistics().dropped, 0u);
    EXPECT_EQ(recorder.statistics().written, 10u);
  }
}

// Page faults the calling thread took so far.
long thread_page_faults() {
  rusage usage{};
  EXPECT_EQ(getrusage(RUSAGE_THREAD, &usage), 0);
  return usage.ru_minflt + usage.ru_majflt;
}

// True when the kernel may back shared memory with huge pages: a page fault then maps 2 MiB.
bool shared_memory_huge_pages() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/shmem_enabled");
  std::string text((std::istreambuf_iterator<char>(setting)), std::istreambuf_iterator<char>());
  return text.find("[never]") == std::string::npos && text.find("[deny]") == std::string::npos && !text.empty();
}

// Page faults a new thread takes while it records 1.5 times its 1 MiB buffer into a new flight
// recorder, having called prepare_thread() first or not.
long faults_while_recording(bool prepared) {
  TempFile file;
  RecorderOptions options;
  options.mode = RecorderMode::Flight;
  options.buffer_bytes = 1 << 20;
  Recorder recorder(file.path(), options);
  long faults = 0;
  std::thread([&] {
    if (prepared) {
      EXPECT_TRUE(recorder.prepare_thread());
    }
    const long before = thread_page_faults();
    for (std::uint32_t i = 0; i < 24576; ++i) recorder.record({EventKind::NotifySent, 0, 0, i});  // 64 B each
    faults = thread_page_faults() - before;
  }).join();
  return faults;
}

// prepare_thread() maps the thread's whole buffer at once: its records then take no page
// fault, where an unprepared thread takes one every 4 KiB of its first megabyte (255: one page
// is shared with a slot header the pool wrote). Compared as a difference, as a sanitizer's
// shadow memory faults the same in both runs.
TEST(Recorder, PreparedThreadRecordsWithoutPageFaults) {
  const long unprepared = faults_while_recording(false);
  const long prepared = faults_while_recording(true);
  if (shared_memory_huge_pages()) {
    // A fault maps 2 MiB there, so there is next to nothing to save.
    std::printf("(shared memory on huge pages: %ld faults unprepared, %ld prepared)\n", unprepared, prepared);
    EXPECT_LE(prepared, unprepared);
  } else {
    EXPECT_GE(unprepared - prepared, 200) << unprepared << " faults unprepared, " << prepared << " prepared";
  }
}

// prepare_thread() claims the slot the thread then records into; with none left it says so.
TEST(Recorder, PrepareThreadClaimsTheThreadsSlot) {
  TempFile file;
  RecorderOptions options;
  options.threads = 1;
  Recorder recorder(file.path(), options);
  ASSERT_TRUE(recorder.prepare_thread());
  recorder.record({EventKind::NotifySent});
  std::thread([&recorder] {
    EXPECT_FALSE(recorder.prepare_thread());  // no record lost: not counted
    recorder.record({EventKind::NotifySent});  // lost, and counted
  }).join();
  recorder.flush();
  EXPECT_EQ(recorder.statistics().written, 1u);
  EXPECT_EQ(recorder.statistics().dropped, 1u);
}

// A flight recorder writes nothing while it runs; flush() writes what the buffer holds: the
// latest records, in order, the older ones overwritten, counted and said in the log.
TEST(FlightRecorder, KeepsTheLatestRecordsUntilFlushed) {
  TempFile file;
  RecorderOptions options;
  options.mode = RecorderMode::Flight;
  options.buffer_bytes = 64 << 10;
  constexpr std::uint32_t kRecords = 20000;  // 64-byte entries: about 1000 fit
  std::uint64_t written = 0;
  std::uint64_t overwritten = 0;
  {
    Recorder recorder(file.path(), options);
    for (std::uint32_t i = 0; i < kRecords; ++i) recorder.record({EventKind::NotifySent, 0, 0, i});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // ten of a streaming writer's rounds
    EXPECT_EQ(read_log(file.path()).size(), 0u);                 // nothing written yet
    recorder.flush();
    const RecorderStatistics s = recorder.statistics();
    written = s.written;
    overwritten = s.overwritten;
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(written + overwritten, kRecords);
    EXPECT_GT(written, (64u << 10) / 64 * 7 / 8);  // at least the ring less one chunk
    EXPECT_LE(written, (64u << 10) / 64);
  }
  std::vector<std::uint32_t> indexes;
  std::uint64_t lost = 0;
  const std::vector<LogRecord> log = read_log(file.path());
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().record.kind, EventKind::Dropped);  // the losses come before the window
  for (const LogRecord& r : log) {
    if (r.record.kind == EventKind::Dropped) {
      lost += r.record.a;
      EXPECT_EQ(r.record.b, lost);
    } else {
      indexes.push_back(r.record.index);
    }
  }
  EXPECT_EQ(lost, overwritten);
  ASSERT_EQ(indexes.size(), written);
  for (std::size_t i = 0; i < indexes.size(); ++i) EXPECT_EQ(indexes[i], kRecords - written + i);
}

// After a flush, the next one writes only what came after it; records bigger than a chunk (a
// sixteenth of the buffer) are dropped, not written in part.
TEST(FlightRecorder, EachFlushWritesWhatCameSinceTheLast) {
  TempFile file;
  RecorderOptions options;
  options.mode = RecorderMode::Flight;
  options.buffer_bytes = 64 << 10;
  options.snap_length = 8192;
  {
    Recorder recorder(file.path(), options);
    for (std::uint32_t i = 0; i < 10; ++i) recorder.record({EventKind::NotifySent, 0, 0, i});
    recorder.flush();
    for (std::uint32_t i = 10; i < 15; ++i) recorder.record({EventKind::NotifySent, 0, 0, i});
    const std::vector<std::byte> big(5000);  // 5000 + 64 bytes: more than a 4 KiB chunk
    Event event{EventKind::RpmsgMessage};
    event.bytes = big;
    recorder.record(event);
    recorder.flush();
    EXPECT_EQ(recorder.statistics().written, 15u);
    EXPECT_EQ(recorder.statistics().dropped, 1u);
    EXPECT_EQ(recorder.statistics().overwritten, 0u);
  }
  std::vector<std::uint32_t> indexes;
  for (const LogRecord& r : read_log(file.path())) {
    if (r.record.kind == EventKind::NotifySent) indexes.push_back(r.record.index);
  }
  ASSERT_EQ(indexes.size(), 15u);
  for (std::uint32_t i = 0; i < 15; ++i) EXPECT_EQ(indexes[i], i);
}

// Threads keep recording (and overwriting) while the recorder flushes again and again: every
// record in the log is whole and each thread's records are in order without repeats.
// Records alone, or in groups (closed every seventh record) as the queues make them.
class FlightOverwrite : public ::testing::TestWithParam<bool> {};

TEST_P(FlightOverwrite, FlushesWhileThreadsOverwrite) {
  TempFile file;
  RecorderOptions options;
  options.mode = RecorderMode::Flight;
  options.buffer_bytes = 16 << 10;
  constexpr int kThreads = 2;
  const bool grouped = GetParam();
  {
    Recorder recorder(file.path(), options);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&recorder, &stop, t, grouped] {
        for (std::uint32_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
          const Event event{EventKind::ChainAdded, static_cast<std::uint16_t>(t), 0, i, i, ~std::uint64_t{i}};
          if (!grouped) {
            recorder.record(event);
            continue;
          }
          recorder.record_in_group(event);
          if (i % 7 == 6) recorder.end_group();
        }
        recorder.end_group();
      });
    }
    for (int round = 0; round < 50; ++round) {
      recorder.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stop = true;
    for (std::thread& thread : threads) thread.join();
  }
  std::map<std::uint16_t, std::int64_t> last;
  std::uint64_t records = 0;
  for (const LogRecord& r : read_log(file.path())) {
    if (r.record.kind != EventKind::ChainAdded) continue;
    ++records;
    EXPECT_EQ(r.record.a, r.record.index);  // whole: both halves of the record agree
    EXPECT_EQ(r.record.b, ~r.record.a);
    const auto [at, first] = last.try_emplace(r.record.queue, -1);
    EXPECT_GT(static_cast<std::int64_t>(r.record.index), at->second) << "queue " << r.record.queue;
    at->second = r.record.index;
  }
  EXPECT_GT(records, 0u);
  EXPECT_EQ(last.size(), static_cast<std::size_t>(kThreads));
}

INSTANTIATE_TEST_SUITE_P(FlightRecorder, FlightOverwrite, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Groups" : "Alone"; });

// --trace's recorder answers signals: TERM writes the log (here a flight recorder's, which
// would otherwise be written only at the end) and ends the program by the signal; USR1 writes
// it and the program goes on.
TEST(OpenRecorder, SignalsWriteTheLogOut) {
  TempFile file;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv(kModeVariable, "flight", 1);
    const std::unique_ptr<TraceSink> recorder = open_recorder(file.path());
    for (std::uint32_t i = 0; i < 3; ++i) recorder->record({EventKind::NotifySent, 0, 0, i});
    raise(SIGUSR1);
    for (int tries = 0; tries < 500; ++tries) {  // the watcher thread writes the log
      if (read_log(file.path()).size() == 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (read_log(file.path()).size() != 3) _exit(3);
    for (std::uint32_t i = 3; i < 5; ++i) recorder->record({EventKind::NotifySent, 0, 0, i});
    raise(SIGTERM);
    for (;;) pause();  // until the watcher ends the program
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  std::vector<std::uint32_t> indexes;
  for (const LogRecord& r : read_log(file.path())) indexes.push_back(r.record.index);
  EXPECT_EQ(indexes, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace vgen::trace
