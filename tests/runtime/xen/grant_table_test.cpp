// Grant tables: granting, mapping by reference, the checks on every map, revocation while
// mapped, and sharing the table with another process.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cstring>
#include <vector>

#include <vgen/shm/fd_passing.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>

#include "error_of.hpp"
#include "support.hpp"

namespace vgen::xen {
namespace {

using test::SocketPair;

constexpr DomainId kOwner = 0;
constexpr DomainId kPeer = 1;
constexpr DomainId kOther = 2;

void fill(std::span<std::byte> page, std::uint8_t seed) {
  for (std::size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>(seed + i * 7);
}

bool holds(std::span<const std::byte> page, std::uint8_t seed) {
  for (std::size_t i = 0; i < page.size(); ++i) {
    if (page[i] != static_cast<std::byte>(seed + i * 7)) return false;
  }
  return true;
}

using test::error_of;

class GrantTableTest : public ::testing::Test {
 protected:
  GrantTable table = GrantTable::create(kOwner, 4, 8);
  GrantMapper mapper = GrantMapper::attach(table, kPeer);
};

TEST_F(GrantTableTest, TableRegionStartsWithTheDocumentedHeader) {
  const std::byte* data = table.table_region().data();
  std::uint32_t magic = 0, entries = 0, pages = 0;
  std::uint16_t version = 0, owner = 99;
  std::memcpy(&magic, data, 4);
  std::memcpy(&version, data + 4, 2);
  std::memcpy(&owner, data + 6, 2);
  std::memcpy(&entries, data + 8, 4);
  std::memcpy(&pages, data + 12, 4);
  EXPECT_EQ(magic, kGrantTableMagic);
  EXPECT_EQ(std::memcmp(data, "VGNT", 4), 0);
  EXPECT_EQ(version, kGrantTableVersion);
  EXPECT_EQ(owner, kOwner);
  EXPECT_EQ(entries, 8u);
  EXPECT_EQ(pages, 4u);
  EXPECT_GE(table.table_region().size(), grant_table_bytes(8));
  EXPECT_EQ(grant_entry_offset(3), 64u + 24u);
}

TEST_F(GrantTableTest, GrantWritesTheEntryInSharedMemory) {
  const GrantRef ref = table.grant_access(kPeer, 2, Access::ReadOnly);
  GrantEntry raw;
  std::memcpy(&raw, table.table_region().data() + grant_entry_offset(ref), sizeof raw);
  EXPECT_EQ(raw.flags, kGrantPermitAccess | kGrantReadOnly);
  EXPECT_EQ(raw.domid, kPeer);
  EXPECT_EQ(raw.frame, 2u);
  EXPECT_EQ(table.free_count(), 7u);
}

TEST_F(GrantTableTest, ReadWriteMappingSeesAndChangesExactlyTheGrantedPage) {
  for (std::uint32_t frame = 0; frame < 4; ++frame) fill(table.page(frame), static_cast<std::uint8_t>(frame * 50));
  const GrantRef ref = table.grant_access(kPeer, 2, Access::ReadWrite);
  GrantMapping mapping = mapper.map(ref, Access::ReadWrite);
  ASSERT_EQ(mapping.bytes().size(), kPageSize);
  EXPECT_TRUE(holds(mapping.bytes(), 100));
  fill(mapping.writable_bytes(), 33);
  EXPECT_TRUE(holds(table.page(2), 33));
  EXPECT_TRUE(holds(table.page(1), 50));
  EXPECT_TRUE(holds(table.page(3), 150));
  // Only that page of the memory is mapped, writable.
  const test::MapsEntry entry = test::maps_entry(mapping.bytes().data());
  EXPECT_EQ(entry.start, reinterpret_cast<std::uintptr_t>(mapping.bytes().data()));
  EXPECT_EQ(entry.end - entry.start, kPageSize);
  EXPECT_EQ(entry.permissions, "rw-s");
  EXPECT_EQ(table.entry(ref).flags, kGrantPermitAccess | kGrantReading | kGrantWriting);
  EXPECT_TRUE(table.is_mapped(ref));
}

TEST_F(GrantTableTest, ReadOnlyGrantGivesAReadOnlyPage) {
  fill(table.page(1), 9);
  const GrantRef ref = table.grant_access(kPeer, 1, Access::ReadOnly);
  const std::string message = error_of([&] { mapper.map(ref, Access::ReadWrite); }, ErrorCode::ReadOnly);
  EXPECT_NE(message.find("grant ref " + std::to_string(ref) + " of domain 0"), std::string::npos) << message;
  EXPECT_NE(message.find("domain 1"), std::string::npos) << message;
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
  EXPECT_FALSE(table.is_mapped(ref));

  GrantMapping mapping = mapper.map(ref, Access::ReadOnly);
  EXPECT_TRUE(holds(mapping.bytes(), 9));
  error_of([&] { (void)mapping.writable_bytes(); }, ErrorCode::ReadOnly);
  // The page is mapped without write permission, not merely refused by the API.
  EXPECT_EQ(test::maps_entry(mapping.bytes().data()).permissions, "r--s");
  EXPECT_EQ(table.entry(ref).flags, kGrantPermitAccess | kGrantReadOnly | kGrantReading);
}

TEST_F(GrantTableTest, RevokeFailsWhileMappedAndSucceedsAfterUnmap) {
  const GrantRef ref = table.grant_access(kPeer, 0, Access::ReadWrite);
  GrantMapping mapping = mapper.map(ref, Access::ReadWrite);
  const std::string message = error_of([&] { table.end_access(ref); }, ErrorCode::Busy);
  EXPECT_NE(message.find("grant ref " + std::to_string(ref)), std::string::npos) << message;
  EXPECT_NE(message.find("mapped writable by domain 1"), std::string::npos) << message;
  // The grant stays valid: still mapped, entry intact.
  EXPECT_EQ(table.entry(ref).frame, 0u);
  EXPECT_TRUE(mapping.mapped());

  mapping.unmap();
  EXPECT_FALSE(mapping.mapped());
  EXPECT_FALSE(table.is_mapped(ref));
  table.end_access(ref);
  EXPECT_EQ(table.entry(ref).flags, 0);
  EXPECT_EQ(table.free_count(), 8u);
  error_of([&] { (void)mapping.bytes(); }, ErrorCode::Invalid);
}

TEST_F(GrantTableTest, MappingARevokedReferenceFails) {
  const GrantRef ref = table.grant_access(kPeer, 3, Access::ReadWrite);
  table.end_access(ref);
  const std::string message = error_of([&] { mapper.map(ref, Access::ReadOnly); }, ErrorCode::NotGranted);
  EXPECT_NE(message.find("grant ref " + std::to_string(ref) + " of domain 0, asked by domain 1"), std::string::npos)
      << message;
  EXPECT_NE(message.find("revoked"), std::string::npos) << message;
  error_of([&] { table.end_access(ref); }, ErrorCode::NotGranted);
}

TEST_F(GrantTableTest, MappingAReferenceNeverGrantedFails) {
  error_of([&] { mapper.map(5, Access::ReadOnly); }, ErrorCode::NotGranted);
}

TEST_F(GrantTableTest, OutOfRangeReferenceFailsOnBothSides) {
  const std::string message = error_of([&] { mapper.map(8, Access::ReadOnly); }, ErrorCode::BadReference);
  EXPECT_NE(message.find("grant ref 8 of domain 0, asked by domain 1"), std::string::npos) << message;
  EXPECT_NE(message.find("8 entries"), std::string::npos) << message;
  error_of([&] { mapper.map(0xffffffffu, Access::ReadOnly); }, ErrorCode::BadReference);
  error_of([&] { table.end_access(8); }, ErrorCode::BadReference);
  error_of([&] { (void)table.entry(100); }, ErrorCode::BadReference);
}

TEST_F(GrantTableTest, MappingAReferenceGrantedToAnotherDomainFails) {
  const GrantRef ref = table.grant_access(kOther, 1, Access::ReadWrite);
  const std::string message = error_of([&] { mapper.map(ref, Access::ReadOnly); }, ErrorCode::WrongDomain);
  EXPECT_NE(message.find("grant ref " + std::to_string(ref) + " of domain 0"), std::string::npos) << message;
  EXPECT_NE(message.find("granted to domain 2, not to domain 1"), std::string::npos) << message;
  EXPECT_FALSE(table.is_mapped(ref));
  // The right domain can.
  GrantMapper other = GrantMapper::attach(table, kOther);
  EXPECT_TRUE(other.map(ref, Access::ReadWrite).mapped());
}

TEST_F(GrantTableTest, GrantingChecksFrameAndCapacity) {
  const std::string message = error_of([&] { table.grant_access(kPeer, 4, Access::ReadOnly); }, ErrorCode::BadFrame);
  EXPECT_NE(message.find("frame 4"), std::string::npos) << message;
  error_of([&] { (void)table.page(4); }, ErrorCode::BadFrame);
  for (int i = 0; i < 8; ++i) table.grant_access(kPeer, 0, Access::ReadOnly);
  error_of([&] { table.grant_access(kPeer, 0, Access::ReadOnly); }, ErrorCode::TableFull);
}

TEST_F(GrantTableTest, RevokedReferencesAreReusedLast) {
  const GrantRef first = table.grant_access(kPeer, 0, Access::ReadOnly);
  EXPECT_EQ(first, 0u);
  table.end_access(first);
  EXPECT_EQ(table.grant_access(kPeer, 0, Access::ReadOnly), 1u);
}

TEST_F(GrantTableTest, CorruptEntryNamingAFrameOutsideMemoryIsRefused) {
  // The owner's table says frame 4000 for a domain with 4 pages: the mapper must not map it.
  const GrantEntry bad{kGrantPermitAccess, kPeer, 4000};
  std::memcpy(table.table_region().data() + grant_entry_offset(6), &bad, sizeof bad);
  const std::string message = error_of([&] { mapper.map(6, Access::ReadOnly); }, ErrorCode::BadFrame);
  EXPECT_NE(message.find("frame 4000"), std::string::npos) << message;
  EXPECT_NE(message.find("4 pages"), std::string::npos) << message;
}

TEST_F(GrantTableTest, InUseBitsFollowTheLastMapping) {
  const GrantRef ref = table.grant_access(kPeer, 1, Access::ReadWrite);
  GrantMapping writer = mapper.map(ref, Access::ReadWrite);
  GrantMapping reader = mapper.map(ref, Access::ReadOnly);
  fill(writer.writable_bytes(), 77);
  EXPECT_TRUE(holds(reader.bytes(), 77));
  writer.unmap();
  EXPECT_EQ(table.entry(ref).flags, kGrantPermitAccess | kGrantReading);
  error_of([&] { table.end_access(ref); }, ErrorCode::Busy);
  reader.unmap();
  EXPECT_EQ(table.entry(ref).flags, kGrantPermitAccess);
  table.end_access(ref);
}

TEST_F(GrantTableTest, MoveTransfersTheMapping) {
  const GrantRef ref = table.grant_access(kPeer, 1, Access::ReadOnly);
  GrantMapping first = mapper.map(ref, Access::ReadOnly);
  GrantMapping second = std::move(first);
  EXPECT_FALSE(first.mapped());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(second.mapped());
  EXPECT_TRUE(table.is_mapped(ref));
  first = std::move(second);
  EXPECT_TRUE(first.mapped());
  first = mapper.map(ref, Access::ReadOnly);  // replacing unmaps the old one
  EXPECT_TRUE(table.is_mapped(ref));
  first.unmap();
  EXPECT_FALSE(table.is_mapped(ref));
}

TEST_F(GrantTableTest, MappingOutlivesTheMapper) {
  const GrantRef ref = table.grant_access(kPeer, 2, Access::ReadWrite);
  fill(table.page(2), 5);
  std::optional<GrantMapping> mapping;
  {
    GrantMapper local = GrantMapper::attach(table, kPeer);
    mapping.emplace(local.map(ref, Access::ReadWrite));
  }
  EXPECT_TRUE(holds(mapping->bytes(), 5));
  mapping.reset();
  EXPECT_FALSE(table.is_mapped(ref));
}

TEST_F(GrantTableTest, ContiguousMappingPlacesPagesInOrder) {
  for (std::uint32_t frame = 0; frame < 4; ++frame) fill(table.page(frame), static_cast<std::uint8_t>(frame + 1));
  const GrantRef refs[] = {table.grant_access(kPeer, 3, Access::ReadWrite), table.grant_access(kPeer, 1, Access::ReadWrite)};
  GrantMapping mapping = mapper.map_contiguous(refs, Access::ReadWrite);
  ASSERT_EQ(mapping.bytes().size(), 2 * kPageSize);
  EXPECT_TRUE(holds(mapping.bytes().first(kPageSize), 4));
  EXPECT_TRUE(holds(mapping.bytes().subspan(kPageSize), 2));
  EXPECT_EQ(mapping.refs(), std::vector<GrantRef>(std::begin(refs), std::end(refs)));
  EXPECT_TRUE(table.is_mapped(refs[0]));
  EXPECT_TRUE(table.is_mapped(refs[1]));
}

TEST_F(GrantTableTest, ContiguousMappingIsAllOrNothing) {
  const GrantRef good = table.grant_access(kPeer, 0, Access::ReadWrite);
  const GrantRef foreign = table.grant_access(kOther, 1, Access::ReadWrite);
  const GrantRef refs[] = {good, foreign};
  const std::string message = error_of([&] { mapper.map_contiguous(refs, Access::ReadWrite); }, ErrorCode::WrongDomain);
  EXPECT_NE(message.find("grant ref " + std::to_string(foreign)), std::string::npos) << message;
  EXPECT_FALSE(table.is_mapped(good));
  error_of([&] { mapper.map_contiguous({}, Access::ReadOnly); }, ErrorCode::Invalid);
}

TEST(GrantTableSetup, RejectsBadSizes) {
  error_of([] { GrantTable::create(0, 0, 4); }, ErrorCode::Invalid);
  error_of([] { GrantTable::create(0, 1, 0); }, ErrorCode::Invalid);
  error_of([] { GrantTable::create(0, 1, kMaxGrantEntries + 1); }, ErrorCode::Invalid);
}

// ---- sharing with another process ----

TEST(GrantTableSharing, PeerProcessMapsOnlyWhatWasGrantedToIt) {
  SocketPair sockets;
  GrantTable table = GrantTable::create(kOwner, 3, 4);
  fill(table.page(1), 21);
  const GrantRef mine = table.grant_access(kPeer, 1, Access::ReadWrite);
  const GrantRef theirs = table.grant_access(kOther, 2, Access::ReadWrite);
  const GrantRef read_only = table.grant_access(kPeer, 0, Access::ReadOnly);
  table.share(sockets.first());

  auto child = [&]() -> int {
    GrantMapper mapper = GrantMapper::receive(sockets.second(), kPeer);
    if (mapper.owner() != kOwner || mapper.entry_count() != 4) return 2;
    int refused = 0;
    try {
      mapper.map(theirs, Access::ReadOnly);
    } catch (const Error& error) {
      if (error.code() == ErrorCode::WrongDomain) ++refused;
    }
    try {
      mapper.map(read_only, Access::ReadWrite);
    } catch (const Error& error) {
      if (error.code() == ErrorCode::ReadOnly) ++refused;
    }
    if (refused != 2) return 3;
    GrantMapping mapping = mapper.map(mine, Access::ReadWrite);
    if (!holds(mapping.bytes(), 21)) return 4;
    fill(mapping.writable_bytes(), 88);
    char token = 'm';
    if (::write(sockets.second(), &token, 1) != 1) return 5;  // mapped and written
    if (::read(sockets.second(), &token, 1) != 1) return 6;   // wait until the owner checked
    mapping.unmap();
    token = 'u';
    return ::write(sockets.second(), &token, 1) == 1 ? 0 : 7;
  };
  auto parent = [&] {
    char token = 0;
    ASSERT_EQ(::read(sockets.first(), &token, 1), 1);
    EXPECT_TRUE(holds(table.page(1), 88));
    EXPECT_TRUE(table.is_mapped(mine));
    EXPECT_THROW(table.end_access(mine), Error);
    EXPECT_EQ(::write(sockets.first(), &token, 1), 1);
    ASSERT_EQ(::read(sockets.first(), &token, 1), 1);
    EXPECT_FALSE(table.is_mapped(mine));
    table.end_access(mine);
  };
  EXPECT_EQ(test::run_in_child(child, parent), 0);
}

// Sends a share description with the given fds and returns the error receive() throws.
std::string receive_error(const GrantShareMessage& message, std::span<const int> fds, ErrorCode code) {
  SocketPair sockets;
  shm::send_with_fds(sockets.first(), std::as_bytes(std::span(&message, 1)), fds);
  const int before = test::open_fd_count();
  std::string text = error_of([&] { GrantMapper::receive(sockets.second(), kPeer); }, code);
  EXPECT_EQ(test::open_fd_count(), before) << "receive() leaked fds";
  return text;
}

TEST(GrantTableSharing, MalformedDescriptionsAreRefusedWithoutLeaks) {
  GrantTable table = GrantTable::create(kOwner, 2, 4);
  const int fds[] = {table.pages_region().fd(), table.table_region().fd()};
  GrantShareMessage good{kGrantTableMagic, kGrantTableVersion, kOwner, 2, 4};

  GrantShareMessage bad_magic = good;
  bad_magic.magic = 0x12345678;
  EXPECT_NE(receive_error(bad_magic, fds, ErrorCode::Protocol).find("magic"), std::string::npos);

  EXPECT_NE(receive_error(good, std::span(fds, 1), ErrorCode::Protocol).find("1 fds"), std::string::npos);

  GrantShareMessage too_many_pages = good;
  too_many_pages.page_count = 1000;
  EXPECT_NE(receive_error(too_many_pages, fds, ErrorCode::Protocol).find("fewer than the announced 1000 pages"),
            std::string::npos);

  GrantShareMessage wrong_owner = good;
  wrong_owner.owner = 7;
  EXPECT_NE(receive_error(wrong_owner, fds, ErrorCode::Protocol).find("does not match"), std::string::npos);

  GrantShareMessage zero_entries = good;
  zero_entries.entry_count = 0;
  EXPECT_NE(receive_error(zero_entries, fds, ErrorCode::Protocol).find("entry_count 0"), std::string::npos);

  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const int pipe_as_memory[] = {pipe_fds[0], table.table_region().fd()};
  EXPECT_NE(receive_error(good, pipe_as_memory, ErrorCode::Protocol).find("memory fd"), std::string::npos);
  const int pipe_as_table[] = {table.pages_region().fd(), pipe_fds[0]};
  EXPECT_NE(receive_error(good, pipe_as_table, ErrorCode::Protocol).find("table fd cannot be mapped"),
            std::string::npos);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);

  // The good one works over the same path.
  SocketPair sockets;
  table.share(sockets.first());
  EXPECT_EQ(GrantMapper::receive(sockets.second(), kPeer).entry_count(), 4u);
}

}  // namespace
}  // namespace vgen::xen
