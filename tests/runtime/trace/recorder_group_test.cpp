// The recorder's groups: records made with record_in_group() reach the log in order with one
// timestamp per group, a group closes before any record that must follow it, a full group
// splits, a thread's open group is written when it closes (end_group, flush, thread exit), and
// the counts (written, dropped, overwritten) are of records, not of groups.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
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

// What a record holds, copied out of the log.
struct Stored {
  EventKind kind;
  std::uint16_t queue;
  std::uint16_t head;
  std::uint32_t index;
  std::uint64_t a;
  std::uint64_t b;
  std::vector<std::byte> descriptors;
  std::vector<std::byte> payload;
  std::uint64_t payload_length;
  std::size_t block;  // which packet block: records of one group share one
  bool operator==(const Stored&) const = default;
};

std::vector<Stored> read_stored(const std::string& path) {
  LogReader reader(path);
  std::vector<Stored> stored;
  std::uint64_t last_offset = ~std::uint64_t{0};
  std::size_t block = 0;
  while (const LogRecord* r = reader.next()) {
    if (r->offset != last_offset) ++block;
    last_offset = r->offset;
    const Record& record = r->record;
    stored.push_back({record.kind,
                      record.queue,
                      record.head,
                      record.index,
                      record.a,
                      record.b,
                      {record.descriptor_bytes.begin(), record.descriptor_bytes.end()},
                      {record.payload.begin(), record.payload.end()},
                      record.payload_length,
                      block});
  }
  return stored;
}

// Records `chains` chain events of the stream's shape (64 readable bytes, 64 writable) on queue 0
// through `chain`, with a publish, a record alone and an event of another queue among them.
template <class RecordChain>
void record_stream(Recorder& recorder, RecordChain&& chain) {
  static std::array<std::byte, 128> bytes = [] {
    std::array<std::byte, 128> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>(i);
    return b;
  }();
  const BufferRef buffers[] = {{bytes.data(), 0x1000, 64, 1}, {bytes.data() + 64, 0x1040, 64, 2}};
  const EventKind kinds[] = {EventKind::ChainAdded, EventKind::ChainTaken, EventKind::UsedPushed,
                             EventKind::UsedReclaimed};
  for (std::uint32_t i = 0; i < 300; ++i) {  // 136 bytes each: groups fill and go on in the next
    Event event{kinds[i % 4], 0, static_cast<std::uint16_t>(i % 128), i, i % 4 >= 2 ? i % 65 : 64, 64};
    event.buffers = buffers;
    chain(event);
    if (i % 50 == 49) recorder.record_in_group({EventKind::AvailPublished, 0, 0, i});
    if (i == 120) recorder.end_group();
    if (i == 150) recorder.record({EventKind::NotifySent, 0, 0, i});
    if (i == 200) recorder.record_in_group({EventKind::ChainAdded, 1, 0, i});
  }
  recorder.end_group();
}

// record_chain(), the inline path a queue end takes, stores what record_in_group() stores: the
// same records with the same descriptors and payloads, grouped the same way, whether it found
// the thread's group open (inline) or not (the first record, after a record alone, after
// another queue's record, when the group is full).
TEST(RecorderGroup, RecordChainStoresWhatRecordInGroupStores) {
  TempFile inline_file;
  TempFile called_file;
  {
    RecorderOptions options;
    options.snap_length = 64;
    Recorder recorder(inline_file.path(), options);
    record_stream(recorder, [&](const Event& event) { recorder.record_chain(event); });
  }
  {
    RecorderOptions options;
    options.snap_length = 64;
    Recorder recorder(called_file.path(), options);
    record_stream(recorder, [&](const Event& event) { recorder.record_in_group(event); });
  }
  const std::vector<Stored> inline_records = read_stored(inline_file.path());
  const std::vector<Stored> called_records = read_stored(called_file.path());
  ASSERT_EQ(inline_records.size(), 300u + 6 + 1 + 1);
  EXPECT_GE(inline_records.back().block, 6u);  // several groups, and records alone
  ASSERT_EQ(inline_records.size(), called_records.size());
  for (std::size_t i = 0; i < inline_records.size(); ++i)
    EXPECT_EQ(inline_records[i], called_records[i]) << "record " << i;
  EXPECT_EQ(inline_records[3].payload.size(), 3u);  // a used chain keeps its used length
  EXPECT_EQ(inline_records[0].payload.size(), 64u);
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
