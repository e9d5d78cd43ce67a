#include <vgen/shm/sharing.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <vgen/shm/fd_passing.hpp>

#include "test_support.hpp"

namespace vgen::shm {
namespace {

using test::count_open_fds;
using test::SocketPair;

constexpr std::size_t kSharedPage = 4096;

// An independent encoder of the documented wire format, so the tests do not trust the
// implementation's own: u32 magic, u16 version, u16 count, then 16 x {u64 base, u64 size}.
struct WireTable {
  std::uint32_t magic = 0x4d534756;
  std::uint16_t version = 1;
  std::uint16_t count = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> entries;  // written in slots 0..n-1

  std::vector<std::byte> encode() const {
    std::vector<std::byte> bytes(8 + 16 * kMaxFdsPerMessage);
    put(bytes, 0, magic, 4);
    put(bytes, 4, version, 2);
    put(bytes, 6, count, 2);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      put(bytes, 8 + 16 * i, entries[i].first, 8);
      put(bytes, 16 + 16 * i, entries[i].second, 8);
    }
    return bytes;
  }
  static void put(std::vector<std::byte>& bytes, std::size_t offset, std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) bytes[offset + i] = static_cast<std::byte>(value >> (8 * i));
  }
};

std::shared_ptr<Region> make_region(std::size_t size) {
  return std::make_shared<Region>(Region::create("vgen-sharing-test", size));
}

GuestMemory two_region_table() {
  GuestMemory memory;
  memory.add(0x100000, make_region(2 * kSharedPage));
  memory.add(0x40000000, make_region(kSharedPage));
  return memory;
}

TEST(SharingTest, TableRoundTripsAndSharesBytes) {
  SocketPair pair;
  GuestMemory sent = two_region_table();
  send_memory(pair.fds[0], sent);
  GuestMemory received = receive_memory(pair.fds[1]);
  ASSERT_EQ(received.regions().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(received.regions()[i].base, sent.regions()[i].base);
    EXPECT_EQ(received.regions()[i].size, sent.regions()[i].size);
    EXPECT_NE(received.regions()[i].host, sent.regions()[i].host);  // a mapping of its own
    EXPECT_NE(received.regions()[i].owner, nullptr);
  }
  sent.write_obj<std::uint64_t>(0x100000 + 2 * kSharedPage - 8, 0x1122334455667788);
  EXPECT_EQ(received.read_obj<std::uint64_t>(0x100000 + 2 * kSharedPage - 8), 0x1122334455667788u);
  received.write_obj<std::uint32_t>(0x40000000, 0xcafe);
  EXPECT_EQ(sent.read_obj<std::uint32_t>(0x40000000), 0xcafeu);
}

TEST(SharingTest, WireFormatIsTheDocumentedOne) {
  SocketPair pair;
  GuestMemory sent;
  sent.add(0x1122334455660000, make_region(kSharedPage));
  send_memory(pair.fds[0], sent);
  ReceivedMessage raw = receive_with_fds(pair.fds[1], 8 + 16 * kMaxFdsPerMessage);
  WireTable expected;
  expected.count = 1;
  expected.entries = {{0x1122334455660000, kSharedPage}};
  EXPECT_EQ(raw.bytes, expected.encode());
  ASSERT_EQ(raw.fds.size(), 1u);
  ::close(raw.fds[0]);
}

TEST(SharingTest, EmptyTableRoundTrips) {
  SocketPair pair;
  send_memory(pair.fds[0], GuestMemory{});
  EXPECT_TRUE(receive_memory(pair.fds[1]).regions().empty());
}

TEST(SharingTest, WorksOverSeqPacketSockets) {
  SocketPair pair(SOCK_SEQPACKET);
  send_memory(pair.fds[0], two_region_table());
  EXPECT_EQ(receive_memory(pair.fds[1]).regions().size(), 2u);
}

TEST(SharingTest, BorrowedMemoryCannotBeSent) {
  SocketPair pair;
  std::vector<std::byte> buffer(64);
  GuestMemory memory = two_region_table();
  memory.add_borrowed(0x5000, buffer.data(), buffer.size());
  try {
    send_memory(pair.fds[0], memory);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Invalid);
    EXPECT_NE(std::string(error.what()).find("0x5000"), std::string::npos) << error.what();
  }
}

TEST(SharingTest, TooManyRegionsCannotBeSent) {
  SocketPair pair;
  GuestMemory memory;
  for (std::size_t i = 0; i <= kMaxFdsPerMessage; ++i) memory.add(i * 0x10000, make_region(kSharedPage));
  EXPECT_THROW(send_memory(pair.fds[0], memory), Error);
}

// Parent and child are separate processes: the child drops every mapping it inherited,
// rebuilds the table from what arrives on the socket and writes a pattern through it.
TEST(SharingTest, ChildProcessWritesThroughReceivedTable) {
  SocketPair pair;
  GuestMemory memory = two_region_table();
  const pid_t child = test::run_child([&] {
    for (const MemoryRegion& region : memory.regions()) ::munmap(region.host, region.size);
    GuestMemory received = receive_memory(pair.fds[1]);
    if (received.regions().size() != 2) return 1;
    for (const MemoryRegion& region : received.regions()) {
      for (std::uint64_t offset = 0; offset < region.size; offset += 8) {
        received.write_obj<std::uint64_t>(region.base + offset, region.base ^ offset ^ 0x5a5a5a5a5a5a5a5a);
      }
    }
    const char done = 'd';
    return ::write(pair.fds[1], &done, 1) == 1 ? 0 : 2;
  });
  send_memory(pair.fds[0], memory);
  char done = 0;
  EXPECT_EQ(::read(pair.fds[0], &done, 1), 1);
  ASSERT_EQ(test::wait_child(child), 0);
  for (const MemoryRegion& region : memory.regions()) {
    for (std::uint64_t offset = 0; offset < region.size; offset += 8) {
      ASSERT_EQ(memory.read_obj<std::uint64_t>(region.base + offset), region.base ^ offset ^ 0x5a5a5a5a5a5a5a5a)
          << "region " << region.base << " offset " << offset;
    }
  }
}

// Sends `table` with `fds`, then expects receive_memory to throw `code` with `text` in the
// message, and the process to hold exactly as many fds as before.
void expect_rejected(const WireTable& table, const std::vector<int>& fds, ErrorCode code, const std::string& text) {
  SocketPair pair;
  const std::size_t before = count_open_fds();
  send_with_fds(pair.fds[0], table.encode(), fds);
  try {
    receive_memory(pair.fds[1]);
    ADD_FAILURE() << "accepted a table with " << text;
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
  }
  EXPECT_EQ(count_open_fds(), before) << "fd leak after rejecting: " << text;
}

class MalformedTableTest : public ::testing::Test {
 protected:
  std::shared_ptr<Region> first = make_region(kSharedPage);
  std::shared_ptr<Region> second = make_region(kSharedPage);
  WireTable valid_pair() const {
    WireTable table;
    table.count = 2;
    table.entries = {{0x1000, kSharedPage}, {0x9000, kSharedPage}};
    return table;
  }
  std::vector<int> two_fds() const { return {first->fd(), second->fd()}; }
};

TEST_F(MalformedTableTest, ValidPairIsAccepted) {
  SocketPair pair;
  send_with_fds(pair.fds[0], valid_pair().encode(), two_fds());
  EXPECT_EQ(receive_memory(pair.fds[1]).regions().size(), 2u);
}

TEST_F(MalformedTableTest, WrongMagic) {
  WireTable table = valid_pair();
  table.magic = 0x12345678;
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "magic is 0x12345678");
}

TEST_F(MalformedTableTest, WrongVersion) {
  WireTable table = valid_pair();
  table.version = 2;
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "version is 2");
}

TEST_F(MalformedTableTest, CountAboveLimit) {
  WireTable table = valid_pair();
  table.count = 17;
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "count 17 exceeds");
}

TEST_F(MalformedTableTest, CountLargerThanFds) {
  expect_rejected(valid_pair(), {first->fd()}, ErrorCode::Invalid, "count is 2 but 1 fds");
}

TEST_F(MalformedTableTest, CountSmallerThanFds) {
  WireTable table = valid_pair();
  table.count = 1;
  table.entries.resize(1);
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "count is 1 but 2 fds");
}

TEST_F(MalformedTableTest, ZeroSize) {
  WireTable table = valid_pair();
  table.entries[1].second = 0;
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "entry 1 at base 0x9000 has size 0");
}

TEST_F(MalformedTableTest, GarbageInUnusedEntry) {
  WireTable table = valid_pair();
  table.entries.push_back({0, 1});
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "unused entry 2 is not zero");
}

TEST_F(MalformedTableTest, OverlappingRegions) {
  WireTable table = valid_pair();
  table.entries[1].first = 0x1800;
  expect_rejected(table, two_fds(), ErrorCode::Overlap, "overlaps");
}

TEST_F(MalformedTableTest, RegionWrappingTheAddressSpace) {
  WireTable table = valid_pair();
  table.entries[1].first = ~std::uint64_t{0} - 0xff;
  expect_rejected(table, two_fds(), ErrorCode::Overflow, "overflows");
}

TEST_F(MalformedTableTest, SizeLargerThanTheFile) {
  WireTable table = valid_pair();
  table.entries[0].second = 4 * kSharedPage;
  expect_rejected(table, two_fds(), ErrorCode::Invalid, "fewer than the 16384 to map");
}

TEST_F(MalformedTableTest, FdThatIsNotAMemfd) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  expect_rejected(valid_pair(), {first->fd(), pipe_fds[0]}, ErrorCode::Invalid, "not a memfd");
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_F(MalformedTableTest, TruncatedMessage) {
  SocketPair pair;
  const std::size_t before = count_open_fds();
  std::vector<std::byte> bytes = valid_pair().encode();
  bytes.resize(20);
  send_with_fds(pair.fds[0], bytes, two_fds());
  pair.close_end(0);
  EXPECT_THROW(receive_memory(pair.fds[1]), Error);
  EXPECT_EQ(count_open_fds(), before - 1);  // only the closed socket end
}

}  // namespace
}  // namespace vgen::shm
