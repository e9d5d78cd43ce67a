// The recorder's groups: records made with record_in_group() reach the log in order with one
// timestamp per group, a group closes before any record that must follow it, a full group
// splits, a thread's open group is written when it closes (end_group, flush, thread exit), and
// the counts (written, dropped, overwritten) are of records, not of groups.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/recorder.hpp>

#include "temp_file.hpp"

namespace vgen::trace {
namespace {

using testing::TempFile;

struct Seen {
  EventKind kind;
  std::uint16_t queue;
  std::uint32_t index;
  std::uint64_t time;
  std::uint64_t offset;
};

std::vector<Seen> read_seen(const std::string& path) {
  LogReader reader(path);
  std::vector<Seen> seen;
  while (const LogRecord* r = reader.next()) {
    seen.push_back({r->record.kind, r->record.queue, r->record.index, r->timestamp_ns, r->offset});
  }
  return seen;
}

Event numbered(std::uint32_t index, std::uint16_t queue = 0) { return {EventKind::ChainAdded, queue, 1, index}; }

TEST(RecorderGroup, RecordsOfAGroupShareOneBlockAndTimeInOrder) {
  TempFile file;
  {
    Recorder recorder(file.path());
    for (std::uint32_t i = 0; i < 5; ++i) recorder.record_in_group(numbered(i));
    recorder.end_group();
    recorder.record(numbered(5));
    recorder.flush();
    EXPECT_EQ(recorder.statistics().written, 6u);
  }
  const std::vector<Seen> seen = read_seen(file.path());
  ASSERT_EQ(seen.size(), 6u);
  for (std::uint32_t i = 0; i < 6; ++i) EXPECT_EQ(seen[i].index, i);
  for (std::uint32_t i = 1; i < 5; ++i) {
    EXPECT_EQ(seen[i].time, seen[0].time);
    EXPECT_EQ(seen[i].offset, seen[0].offset);  // one packet block
  }
  EXPECT_NE(seen[5].offset, seen[0].offset);
  EXPECT_GE(seen[5].time, seen[0].time);
}

// A record alone, or one of another queue, closes the open group first: the log keeps the
// order the thread recorded in.
TEST(RecorderGroup, RecordAloneOrOfAnotherQueueClosesTheGroupFirst) {
  TempFile file;
  {
    Recorder recorder(file.path());
    recorder.record_in_group(numbered(0));
    recorder.record_in_group(numbered(1));
    recorder.record(numbered(2));
    recorder.record_in_group(numbered(3, 1));
    recorder.record_in_group(numbered(4));
    recorder.record_in_group(numbered(5));
    recorder.end_group();
  }
  const std::vector<Seen> seen = read_seen(file.path());
  ASSERT_EQ(seen.size(), 6u);
  std::set<std::uint64_t> blocks;
  for (std::uint32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(seen[i].index, i);
    blocks.insert(seen[i].offset);
  }
  EXPECT_EQ(seen[3].queue, 1);
  EXPECT_EQ(blocks.size(), 4u);  // {0, 1}, 2, 3, {4, 5}
}

// A group holds at most kGroupBytes: more records than fit go on in the next group.
TEST(RecorderGroup, FullGroupGoesOnInTheNext) {
  TempFile file;
  constexpr std::uint32_t kRecords = 2000;  // 40 bytes each in a group: about five groups
  {
    Recorder recorder(file.path());
    for (std::uint32_t i = 0; i < kRecords; ++i) recorder.record_in_group(numbered(i));
    recorder.end_group();
    recorder.flush();
    EXPECT_EQ(recorder.statistics().written, kRecords);
  }
  const std::vector<Seen> seen = read_seen(file.path());
  ASSERT_EQ(seen.size(), kRecords);
  std::set<std::uint64_t> blocks;
  for (std::uint32_t i = 0; i < kRecords; ++i) {
    EXPECT_EQ(seen[i].index, i);
    blocks.insert(seen[i].offset);
  }
  EXPECT_GE(blocks.size(), 5u);
  EXPECT_LE(blocks.size(), 6u);
}

// Another thread's open group is not in the log until that thread closes it; flush() closes
// the calling thread's own, and a thread's exit closes its.
TEST(RecorderGroup, OpenGroupIsWrittenWhenItsThreadClosesIt) {
  TempFile file;
  Recorder recorder(file.path());
  std::atomic<int> step{0};
  std::thread other([&] {
    recorder.record_in_group(numbered(0, 1));
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
    recorder.end_group();
    recorder.record_in_group(numbered(1, 1));
    step = 3;
    while (step.load() != 4) std::this_thread::yield();
  });  // ends with a group open
  while (step.load() != 1) std::this_thread::yield();
  recorder.record_in_group(numbered(0));
  recorder.flush();
  EXPECT_EQ(recorder.statistics().written, 1u);  // this thread's; the other's is open
  step = 2;
  while (step.load() != 3) std::this_thread::yield();
  recorder.flush();
  EXPECT_EQ(recorder.statistics().written, 2u);
  step = 4;
  other.join();
  recorder.flush();
  EXPECT_EQ(recorder.statistics().written, 3u);
}

// What a forked child that records 25 records in groups of 10, leaves the last 5 in an open
// group and ends with _exit puts in the log; `close_last`: it calls close_thread_group() (twice:
// the second finds nothing open) before _exit, as the pair runner's children do.
std::vector<Seen> forked_child_records(bool close_last) {
  TempFile file;
  {
    Recorder recorder(file.path());
    const pid_t child = fork();
    if (child < 0) {
      ADD_FAILURE() << "fork failed";
      return {};
    }
    if (child == 0) {
      for (std::uint32_t i = 0; i < 25; ++i) {
        recorder.record_in_group({EventKind::ChainTaken, 0, 0, i});
        if (i % 10 == 9) recorder.end_group();
      }
      if (close_last) {
        close_thread_group();
        close_thread_group();
      }
      _exit(0);
    }
    int status = 0;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status));
    close_thread_group();  // this thread never recorded: does nothing
  }
  return read_seen(file.path());
}

// A forked child's closed groups reach its parent's log; a group it left open when it ended
// with _exit is lost, and only that group.
TEST(RecorderGroup, ForkedChildsClosedGroupsReachTheLog) {
  const std::vector<Seen> seen = forked_child_records(false);
  ASSERT_EQ(seen.size(), 20u);
  for (std::uint32_t i = 0; i < 20; ++i) EXPECT_EQ(seen[i].index, i);
}

// close_thread_group() before _exit: the group left open reaches the log too.
TEST(RecorderGroup, ForkedChildClosesItsLastGroupBeforeExit) {
  const std::vector<Seen> seen = forked_child_records(true);
  ASSERT_EQ(seen.size(), 25u);
  for (std::uint32_t i = 0; i < 25; ++i) EXPECT_EQ(seen[i].index, i);
}

// A streaming recorder whose buffer is full drops records, counted one by one even when they
// would have been grouped.
TEST(RecorderGroup, DropsAreCountedByRecord) {
  TempFile file;
  RecorderOptions options;
  options.buffer_bytes = 4096;
  options.interval = std::chrono::hours(1);
  Recorder recorder(file.path(), options);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    recorder.record_in_group(numbered(i));
    if (i % 10 == 9) recorder.end_group();
  }
  recorder.flush();
  const RecorderStatistics s = recorder.statistics();
  EXPECT_GT(s.written, 0u);
  EXPECT_GT(s.dropped, 0u);
  EXPECT_EQ(s.written + s.dropped, 1000u);
}

// A flight recorder overwrites whole groups; what it gives up is counted by record, so the
// records kept and those overwritten add up to all.
TEST(RecorderGroup, OverwrittenAreCountedByRecord) {
  TempFile file;
  RecorderOptions options;
  options.mode = RecorderMode::Flight;
  options.buffer_bytes = 4096;
  Recorder recorder(file.path(), options);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    recorder.record_in_group(numbered(i));
    if (i % 3 == 2) recorder.end_group();
  }
  recorder.flush();
  const RecorderStatistics s = recorder.statistics();
  EXPECT_GT(s.written, 0u);
  EXPECT_GT(s.overwritten, 0u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.written + s.overwritten, 1000u);
  const std::vector<Seen> seen = read_seen(file.path());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().index, 999u);  // the latest kept
}

}  // namespace
}  // namespace vgen::trace
