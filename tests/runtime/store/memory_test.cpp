// How much memory clients can make vgen-xenstored hold, measured on the daemon process
// (peak resident set, VmHWM, against the level before the attack) in the two worst cases:
//  - one connection whose watch events back up (it never reads);
//  - a guest within its watch quota: 128 connections, each with one watch carrying a
//    token of ~4000 bytes, none reading, while the guest writes under the watched node.
// Two measures: the daemon's own count of the bytes it held for the attacking domain (CONTROL
// "memory", peak), held to the documented budgets; and, in builds without sanitizers (whose
// shadow memory and quarantine swamp it), the growth of the daemon's resident set, held to
// the budgets with room for the nodes the attack writes (docs/store.md, "Watch-event queue
// and memory bounds"). The figures are printed. MemoryReport checks the CONTROL "memory"
// answer itself over the wire: exact figures for messages whose size the test knows, a
// return to zero once the client has read everything.
#include <gtest/gtest.h>

#include <poll.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <vgen/store/domain.hpp>

#include "daemon_process.hpp"

namespace vgen::store {
namespace {

using namespace std::string_literals;
using testing::Client;
using testing::Daemon;

// A field of /proc/<pid>/status in kB ("VmHWM", "VmRSS").
std::size_t status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoul(line.substr(field.size() + 1));
  }
  return 0;
}

// True once the daemon has closed `client`'s connection (seen without reading its data).
bool closed_by_daemon(const Client& client) {
  pollfd p{client.fd(), POLLRDHUP, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP)) != 0;
}

// Sends `count` pipelined writes of distinct paths below `parent` and reads their replies.
void write_below(Client& writer, const std::string& parent, std::uint32_t first, std::uint32_t count) {
  std::string batch;
  for (std::uint32_t i = first; i < first + count; ++i) {
    batch += encode(Message{Header{static_cast<std::uint32_t>(MessageType::Write), i, 0, 0},
                            parent + "/" + std::to_string(i) + "\0v"s});
  }
  writer.send_raw(batch);
  for (std::uint32_t i = 0; i < count; ++i) ASSERT_TRUE(writer.receive()) << "reply " << i;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kResidentSetIsMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kResidentSetIsMeaningful = false;
#else
constexpr bool kResidentSetIsMeaningful = true;
#endif
#else
constexpr bool kResidentSetIsMeaningful = true;
#endif

// The daemon's peak byte count for `domid` (CONTROL "memory": "domain N: X bytes held, peak Y").
std::size_t peak_bytes(Client& toolstack, DomainId domid) {
  const std::string report = toolstack.call(MessageType::Control, "memory\0"s).payload;
  const std::string prefix = "domain " + std::to_string(domid) + ": ";
  const std::size_t line = report.find(prefix);
  if (line == std::string::npos) return 0;
  const std::size_t peak = report.find("peak ", line);
  return std::stoul(report.substr(peak + 5));
}

// Asserts the resident-set growth only where it measures the daemon's own memory.
void expect_resident_growth_at_most(std::size_t growth_kb, std::size_t bound_kb) {
  if (kResidentSetIsMeaningful) {
    EXPECT_LE(growth_kb, bound_kb);
  } else {
    std::printf("(sanitizer build: resident-set growth %zu kB not compared with %zu kB)\n", growth_kb, bound_kb);
  }
}

// The watcher is a guest (it cannot slow the writer, domain 0, down), so its budget fills.
TEST(MemoryBounds, OneWatcherThatStopsReading) {
  Daemon daemon;
  Client writer(daemon.socket_path());
  writer.call(MessageType::Write, "/flood\0"s);
  writer.call(MessageType::SetPermissions, "/flood\0r0\0"s);
  Client watcher(daemon.socket_path());
  ASSERT_EQ(watcher.call(MessageType::Control, "set-domid\0" "5\0"s).payload, "OK\0"s);
  const std::string token(1000, 't');
  ASSERT_EQ(watcher.call(MessageType::Watch, "/flood\0"s + token + "\0"s).payload, "OK\0"s);
  const std::size_t before = status_kb(daemon.pid(), "VmHWM");
  std::uint32_t written = 0;
  while (!closed_by_daemon(watcher) && written < 200000) {
    write_below(writer, "/flood", written, 500);
    written += 500;
  }
  const std::size_t growth = status_kb(daemon.pid(), "VmHWM") - before;
  const std::size_t peak = peak_bytes(writer, 5);
  std::printf("one watcher not reading: closed after %u writes; peak %zu bytes held for it; daemon peak RSS grew "
              "by %zu kB\n", written, peak, growth);
  EXPECT_TRUE(closed_by_daemon(watcher));
  // The connection's budget (512 KiB of events and output); the resident set also grows by
  // the nodes written (2.1 MB before the budget counted output and per-message overhead).
  // It was closed because the next event did not fit, so the count came within one event
  // (16 + "/flood/NNNNNN" + token + 2 NULs + 64 bytes of overhead) of the budget.
  EXPECT_LE(peak, 512u * 1024);
  EXPECT_GE(peak, 512u * 1024 - (16 + 14 + token.size() + 2 + 64));
  expect_resident_growth_at_most(growth, 1536);
  RecordProperty("peak_growth_kb", static_cast<int>(growth));
}

TEST(MemoryBounds, GuestWithManyWatchingConnections) {
  Daemon daemon;
  Client toolstack(daemon.socket_path());
  toolstack.call(MessageType::Write, "/local/domain/5\0"s);
  toolstack.call(MessageType::SetPermissions, "/local/domain/5\0n5\0"s);
  std::vector<std::unique_ptr<Client>> watchers;
  const std::string token(4000, 't');
  for (int i = 0; i < 127; ++i) {
    auto& c = watchers.emplace_back(std::make_unique<Client>(daemon.socket_path()));
    ASSERT_EQ(c->call(MessageType::Control, "set-domid\0" "5\0"s).payload, "OK\0"s);
    ASSERT_EQ(c->call(MessageType::Watch, "w\0"s + token + "\0"s).payload, "OK\0"s);
  }
  Client writer(daemon.socket_path());
  ASSERT_EQ(writer.call(MessageType::Control, "set-domid\0" "5\0"s).payload, "OK\0"s);
  const std::size_t before = status_kb(daemon.pid(), "VmHWM");
  std::uint32_t written = 0;
  std::size_t closed = 0;
  while (written < 4000) {
    write_below(writer, "w", written, 50);
    written += 50;
    closed = 0;
    for (auto& c : watchers) closed += closed_by_daemon(*c) ? 1 : 0;
    if (closed == watchers.size()) break;
  }
  const std::size_t growth = status_kb(daemon.pid(), "VmHWM") - before;
  const std::size_t peak = peak_bytes(toolstack, 5);
  std::printf("guest, 127 watching connections not reading: %zu closed after %u writes; peak %zu bytes held for the "
              "guest; daemon peak RSS grew by %zu kB\n", closed, written, peak, growth);
  EXPECT_EQ(closed, watchers.size());
  // The domain's budget (4 MiB for all its connections, plus at most one reply per
  // connection being answered); the resident set also grows by the nodes written (172 MB
  // before there was a domain budget).
  EXPECT_LE(peak, (4u << 20) + 128 * 4200);
  // The closures came from the domain's budget being full: within one event of it.
  EXPECT_GE(peak, (4u << 20) - (16 + 8 + token.size() + 2 + 64));
  expect_resident_growth_at_most(growth, 8192);
  RecordProperty("peak_growth_kb", static_cast<int>(growth));
}

// --- the CONTROL "memory" answer over the wire ----------------------------------------------

// Every report line, parsed: domain -> {held, peak}. Fails the test on a malformed line.
std::map<DomainId, std::pair<std::size_t, std::size_t>> memory_report(Client& toolstack) {
  const Message reply = toolstack.call(MessageType::Control, "memory\0"s);
  EXPECT_EQ(reply.header.type, static_cast<std::uint32_t>(MessageType::Control));
  std::map<DomainId, std::pair<std::size_t, std::size_t>> out;
  EXPECT_TRUE(!reply.payload.empty() && reply.payload.back() == '\0') << "no trailing NUL";
  std::istringstream lines(reply.payload.substr(0, reply.payload.size() - 1));
  std::string line;
  while (std::getline(lines, line)) {
    unsigned domid = 0;
    std::size_t held = 0;
    std::size_t peak = 0;
    char tail = 0;
    const int fields = std::sscanf(line.c_str(), "domain %u: %zu bytes held, peak %zu%c", &domid, &held, &peak, &tail);
    EXPECT_EQ(fields, 3) << "malformed line '" << line << "'";
    EXPECT_LE(held, peak) << line;
    out[static_cast<DomainId>(domid)] = {held, peak};
  }
  return out;
}

// Bytes counted for holding one message: its wire size (16-byte header + payload) plus the
// documented 64 bytes of overhead (docs/store.md).
constexpr std::size_t counted(std::size_t payload) { return 16 + payload + 64; }

TEST(MemoryReport, CountsEveryMessageUntilItIsSentAndOnlyThen) {
  Daemon daemon;
  Client toolstack(daemon.socket_path());
  // Nothing was ever held: an empty report (just the NUL).
  EXPECT_EQ(toolstack.call(MessageType::Control, "memory\0"s).payload, "\0"s);
  // The first answer ("\0") was held until sent.
  using Line = std::pair<std::size_t, std::size_t>;
  EXPECT_EQ(toolstack.call(MessageType::Control, "memory\0"s).payload, "domain 0: 0 bytes held, peak 81\n\0"s);
  const std::size_t dom0_peak = counted(("domain 0: 0 bytes held, peak 81\n\0"s).size());

  // A guest: its "OK" to set-domid, then its "OK" to WATCH together with the watch's first
  // event ("/w\0tok\0"), both queued before the daemon writes them.
  Client watcher(daemon.socket_path());
  ASSERT_EQ(watcher.call(MessageType::Control, "set-domid\0" "5\0"s).payload, "OK\0"s);
  toolstack.call(MessageType::Write, "/w\0"s);
  toolstack.call(MessageType::SetPermissions, "/w\0r0\0"s);
  ASSERT_EQ(watcher.call(MessageType::Watch, "/w\0tok\0"s).payload, "OK\0"s);
  ASSERT_TRUE(watcher.receive());  // the watch's first event
  const std::size_t guest_peak = counted(3) + counted(7);
  auto report = memory_report(toolstack);
  EXPECT_EQ(report[0], Line(0, dom0_peak));
  EXPECT_EQ(report[5], Line(0, guest_peak));
  EXPECT_EQ(report.size(), 2u);

  // A second watch with a 4000-byte token; the guest stops reading while 120 writes below /w
  // give it 240 events (~500 kB): what its socket does not take is held, within the budget.
  const std::string token(4000, 'k');
  ASSERT_EQ(watcher.call(MessageType::Watch, "/w\0"s + token + "\0"s).payload, "OK\0"s);
  constexpr int kWrites = 120;
  for (int i = 0; i < kWrites; ++i) toolstack.call(MessageType::Write, "/w/" + std::to_string(i) + "\0v"s);
  report = memory_report(toolstack);
  const Line flooded = report[5];
  EXPECT_LE(flooded.first, 512u * 1024);
  EXPECT_GE(flooded.second, guest_peak);
  std::printf("guest not reading 120 events of %zu bytes: %zu bytes held, peak %zu\n", counted(4 + token.size() + 2),
              flooded.first, flooded.second);

  // It reads everything (the second watch's first event, then one event of each watch per
  // write): nothing is held any more, and the peak stays.
  int events = 0;
  while (events < 1 + 2 * kWrites) {
    const std::optional<Message> m = watcher.receive();
    ASSERT_TRUE(m) << "after " << events << " events";
    ASSERT_EQ(m->header.type, static_cast<std::uint32_t>(MessageType::WatchEvent));
    ++events;
  }
  report = memory_report(toolstack);
  EXPECT_EQ(report[5], Line(0, flooded.second));
  EXPECT_EQ(report[0].first, 0u);
}

TEST(MemoryReport, IsForDomainZeroOnlyAndTakesNoArgument) {
  Daemon daemon;
  Client toolstack(daemon.socket_path());
  Client guest(daemon.socket_path());
  ASSERT_EQ(guest.call(MessageType::Control, "set-domid\0" "5\0"s).payload, "OK\0"s);
  const Message denied = guest.call(MessageType::Control, "memory\0"s);
  EXPECT_EQ(denied.header.type, static_cast<std::uint32_t>(MessageType::Error));
  EXPECT_EQ(denied.payload, "EACCES\0"s);
  const Message extra = toolstack.call(MessageType::Control, "memory\0now\0"s);
  EXPECT_EQ(extra.header.type, static_cast<std::uint32_t>(MessageType::Error));
  EXPECT_EQ(extra.payload, "EINVAL\0"s);
}

}  // namespace
}  // namespace vgen::store
