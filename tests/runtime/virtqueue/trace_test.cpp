// What the split queues hand a trace sink: each chain's descriptors (guest address, length,
// flags) in chain order and its bytes: the readable ones when the chain is made available
// or taken, the bytes the device wrote when it is used; and, through the recorder, a log
// that keeps them with the payload cut at the snap length.
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/record.hpp>
#include <vgen/trace/recorder.hpp>

#include "../trace/temp_file.hpp"
#include "fixture.hpp"

namespace vgen::virtqueue {
namespace {

using test::RingMemory;

// Keeps each event as the record the log would store (no snap limit).
struct Capture : trace::TraceSink {
  struct Kept {
    std::vector<std::byte> bytes;
    trace::Record record;
  };
  void record(const trace::Event& event) noexcept override {
    const trace::RecordSize size = trace::encoded_size(event, 1 << 20);
    auto kept = std::make_unique<Kept>();
    kept->bytes.resize(size.captured);
    trace::encode(event, 1 << 20, kept->bytes);
    kept->record = trace::decode(kept->bytes, size.original);
    events.push_back(std::move(kept));
  }
  const trace::Record& first(trace::EventKind kind) const {
    for (const auto& kept : events) {
      if (kept->record.kind == kind) return kept->record;
    }
    throw std::runtime_error("no such event");
  }
  void end_group() noexcept override { recorded_at_group_end.push_back(events.size()); }
  std::vector<std::unique_ptr<Kept>> events;
  std::vector<std::size_t> recorded_at_group_end;  // events.size() at each end_group()
};

std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// One chain through both sides: "he" + "llo" readable, 4 + 16 bytes writable, "world!" back.
struct TracedRoundTrip {
  RingMemory m{8};
  SplitDriverQueue driver{m.memory, m.config};
  SplitDeviceQueue device{m.memory, m.config};
  Buffer r[2] = {m.buffer(2), m.buffer(3)};
  Buffer w[2] = {m.buffer(4, 0xee), m.buffer(16, 0xee)};

  void run(trace::TraceSink& driver_sink, trace::TraceSink& device_sink, trace::Ends ends = trace::Ends::One) {
    driver.set_trace(&driver_sink, ends);
    device.set_trace(&device_sink, ends);
    std::memcpy(m.host(r[0].addr), "he", 2);
    std::memcpy(m.host(r[1].addr), "llo", 3);
    ASSERT_TRUE(driver.add(r, w, 7).has_value());
    driver.publish();
    DescriptorChain chain;
    ASSERT_TRUE(device.take(chain));
    ChainWriter writer(chain);
    const std::string reply = "world!";
    writer.write(std::as_bytes(std::span(reply)));
    device.put(chain.head(), writer.written());
    device.publish();
    ASSERT_TRUE(driver.reclaim().has_value());
  }
};

void expect_chain(const trace::Record& record, const TracedRoundTrip& t) {
  ASSERT_EQ(record.descriptor_count(), 4u);
  EXPECT_EQ(record.chain_descriptors, 4u);
  const Buffer all[4] = {t.r[0], t.r[1], t.w[0], t.w[1]};
  const std::uint16_t flags[4] = {1, 1, 1 | 2, 2};  // NEXT, NEXT, NEXT|WRITE, WRITE
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(record.descriptor(i).addr, all[i].addr);
    EXPECT_EQ(record.descriptor(i).length, all[i].length);
    EXPECT_EQ(record.descriptor(i).flags, flags[i]);
  }
  EXPECT_EQ(text(record.payload), "hello");
  EXPECT_EQ(record.a, 5u);   // readable bytes
  EXPECT_EQ(record.b, 20u);  // writable bytes
}

TEST(ChainTrace, AddedAndTakenChainsCarryTheirDescriptorsAndReadableBytes) {
  TracedRoundTrip t;
  Capture driver_side, device_side;
  t.run(driver_side, device_side);
  expect_chain(driver_side.first(trace::EventKind::ChainAdded), t);
  expect_chain(device_side.first(trace::EventKind::ChainTaken), t);
}

TEST(ChainTrace, UsedChainCarriesItsWritableDescriptorsAndTheBytesWritten) {
  TracedRoundTrip t;
  Capture driver_side, device_side;
  t.run(driver_side, device_side);
  for (const trace::Record* used :
       {&device_side.first(trace::EventKind::UsedPushed), &driver_side.first(trace::EventKind::UsedReclaimed)}) {
    SCOPED_TRACE(static_cast<int>(used->kind));
    EXPECT_EQ(used->a, 6u);
    ASSERT_EQ(used->descriptor_count(), 2u);
    EXPECT_EQ(used->descriptor(0).addr, t.w[0].addr);
    EXPECT_EQ(used->descriptor(1).addr, t.w[1].addr);
    EXPECT_EQ(used->descriptor(1).length, 16u);
    // The 6 bytes written, across both buffers, and nothing of the rest.
    EXPECT_EQ(text(used->payload), "world!");
    EXPECT_EQ(used->payload_length, 6u);
  }
}

// With both ends recording into one sink, each byte is recorded once, by the end that produced
// it: the driver's ChainAdded holds the chain and its readable bytes, the device's UsedPushed
// the bytes written; ChainTaken and UsedReclaimed hold their numbers and no contents.
TEST(ChainTrace, BothEndsRecordOnlyWhatTheyProduce) {
  TracedRoundTrip t;
  Capture log;
  t.run(log, log, trace::Ends::Both);
  expect_chain(log.first(trace::EventKind::ChainAdded), t);
  const trace::Record& pushed = log.first(trace::EventKind::UsedPushed);
  EXPECT_EQ(text(pushed.payload), "world!");
  ASSERT_EQ(pushed.descriptor_count(), 2u);
  EXPECT_EQ(pushed.descriptor(1).addr, t.w[1].addr);
  const trace::Record& taken = log.first(trace::EventKind::ChainTaken);
  EXPECT_EQ(taken.head, log.first(trace::EventKind::ChainAdded).head);
  EXPECT_EQ(taken.a, 5u);   // readable bytes
  EXPECT_EQ(taken.b, 20u);  // writable bytes
  const trace::Record& reclaimed = log.first(trace::EventKind::UsedReclaimed);
  EXPECT_EQ(reclaimed.a, 6u);
  for (const trace::Record* consumed : {&taken, &reclaimed}) {
    SCOPED_TRACE(static_cast<int>(consumed->kind));
    EXPECT_EQ(consumed->descriptor_count(), 0u);
    EXPECT_TRUE(consumed->payload.empty());
    EXPECT_EQ(consumed->payload_length, 0u);
  }
}

std::vector<trace::EventKind> kinds_of(const Capture& capture) {
  std::vector<trace::EventKind> kinds;
  for (const auto& kept : capture.events) kinds.push_back(kept->record.kind);
  return kinds;
}

// The driver records the chains it adds when it publishes them, in the order it added them,
// each with the avail idx just after it, and with the readable bytes as the device gets them.
TEST(ChainTrace, DriverRecordsAddedChainsWhenItPublishesThem) {
  RingMemory m{8};
  SplitDriverQueue driver{m.memory, m.config};
  Capture log;
  driver.set_trace(&log);
  const Buffer first[] = {m.buffer(3)};
  const Buffer second[] = {m.buffer(2)};
  std::memcpy(m.host(first[0].addr), "abc", 3);
  const auto head_one = driver.add(first, {}, 1);
  const auto head_two = driver.add(second, {}, 2);
  ASSERT_TRUE(head_one && head_two);
  EXPECT_TRUE(log.events.empty());
  std::memcpy(m.host(second[0].addr), "de", 2);  // filled after add(), before the publish
  driver.publish();
  using K = trace::EventKind;
  ASSERT_EQ(kinds_of(log), (std::vector<K>{K::ChainAdded, K::ChainAdded, K::AvailPublished, K::NotifySent}));
  const trace::Record& one = log.events[0]->record;
  const trace::Record& two = log.events[1]->record;
  EXPECT_EQ(one.head, *head_one);
  EXPECT_EQ(one.index, 1u);
  EXPECT_EQ(text(one.payload), "abc");
  EXPECT_EQ(two.head, *head_two);
  EXPECT_EQ(two.index, 2u);
  EXPECT_EQ(text(two.payload), "de");
  EXPECT_EQ(two.a, 2u);
}

// A chain added and not published is still recorded, before whatever the driver does next
// that is traced, or before it sleeps, or when the sink changes.
TEST(ChainTrace, DriverRecordsUnpublishedChainsBeforeItsNextStep) {
  RingMemory m{8};
  const Buffer r[] = {m.buffer(4)};
  using K = trace::EventKind;
  {
    SplitDriverQueue driver{m.memory, m.config};
    Capture log;
    driver.set_trace(&log);
    ASSERT_TRUE(driver.add(r, {}, 1));
    EXPECT_FALSE(driver.reclaim().has_value());
    EXPECT_EQ(kinds_of(log), std::vector<K>{K::ChainAdded});
  }
  {
    SplitDriverQueue driver{m.memory, m.config};
    Capture log;
    driver.set_trace(&log);
    ASSERT_TRUE(driver.add(r, {}, 1));
    driver.enable_interrupts();
    EXPECT_EQ(kinds_of(log), std::vector<K>{K::ChainAdded});
    // The group is closed too: a driver about to sleep has its records in the log.
    EXPECT_EQ(log.recorded_at_group_end, std::vector<std::size_t>{1});
  }
  {
    SplitDriverQueue driver{m.memory, m.config};
    Capture old_sink, new_sink;
    driver.set_trace(&old_sink);
    ASSERT_TRUE(driver.add(r, {}, 1));
    driver.set_trace(&new_sink);
    driver.publish();
    EXPECT_EQ(kinds_of(old_sink), std::vector<K>{K::ChainAdded});
    EXPECT_EQ(old_sink.recorded_at_group_end, std::vector<std::size_t>{1});
    EXPECT_EQ(kinds_of(new_sink), (std::vector<K>{K::AvailPublished, K::NotifySent}));
  }
  {
    SplitDriverQueue driver{m.memory, m.config};
    Capture log;
    driver.set_trace(&log);
    ASSERT_TRUE(driver.add(r, {}, 1));
    EXPECT_EQ(driver.detach_unused().size(), 1u);
    EXPECT_EQ(kinds_of(log), std::vector<K>{K::ChainAdded});
  }
}

// Both sides into one recorder with a snap length of 4: the log keeps the descriptors
// whole, the first 4 payload bytes and the length uncut.
TEST(ChainTrace, RecorderKeepsDescriptorsAndCutsThePayload) {
  trace::testing::TempFile file;
  TracedRoundTrip t;
  {
    trace::RecorderOptions options;
    options.snap_length = 4;
    trace::Recorder recorder(file.path(), options);
    recorder.name_interface(trace::Channel::Virtqueue, 0, "requestq");
    t.run(recorder, recorder);
  }
  trace::LogReader reader(file.path());
  std::vector<trace::EventKind> kinds;
  while (const trace::LogRecord* r = reader.next()) {
    kinds.push_back(r->record.kind);
    EXPECT_EQ(reader.interfaces().at(r->interface).description, "requestq");
    if (r->record.kind == trace::EventKind::ChainTaken) {
      EXPECT_EQ(r->record.descriptor_count(), 4u);
      EXPECT_EQ(r->record.descriptor(1).addr, t.r[1].addr);
      EXPECT_EQ(text(r->record.payload), "hell");
      EXPECT_EQ(r->record.payload_length, 5u);
      EXPECT_TRUE(r->record.truncated());
    }
    if (r->record.kind == trace::EventKind::UsedReclaimed) {
      EXPECT_EQ(text(r->record.payload), "worl");
      EXPECT_EQ(r->record.payload_length, 6u);
    }
  }
  // One thread recorded everything, so the log is in the order it happened.
  using K = trace::EventKind;
  const std::vector<K> expected = {K::ChainAdded, K::AvailPublished, K::ChainTaken,
                                   K::UsedPushed, K::UsedPublished,  K::UsedReclaimed};
  std::vector<K> chain_kinds;
  for (K k : kinds) {
    if (std::find(expected.begin(), expected.end(), k) != expected.end()) chain_kinds.push_back(k);
  }
  EXPECT_EQ(chain_kinds, expected);
}

}  // namespace
}  // namespace vgen::virtqueue
