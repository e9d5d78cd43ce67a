// The blkif profile: the RAM disk serves reads, writes and flushes through granted pages and
// refuses what xen/io/blkif.h does not allow; the disk check passes against it and notices a
// backend that answers wrongly.
#include <gtest/gtest.h>

#include <cstring>

#include <vgen/profiles/blkif_disk_check.hpp>
#include <vgen/profiles/blkif_ram_disk.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>

namespace {

namespace blkif = vgen::xen::blkif;
using vgen::profiles::blkif::DiskCheck;
using vgen::profiles::blkif::RamDisk;

constexpr vgen::xen::DomainId kFrontend = 1;
constexpr vgen::xen::DomainId kBackend = 2;

// A frontend's grant table and the backend's attachment to it.
struct Grants {
  vgen::xen::GrantTable table = vgen::xen::GrantTable::create(kFrontend, 8, 32);
  vgen::xen::GrantMapper mapper = vgen::xen::GrantMapper::attach(table, kBackend);
};

blkif::Request transfer(std::uint8_t operation, std::uint64_t sector, vgen::xen::GrantRef ref, std::uint8_t first,
                        std::uint8_t last) {
  blkif::Request request;
  request.operation = operation;
  request.id = sector;
  request.sector = sector;
  request.segment_count = 1;
  request.segments[0] = {ref, first, last, 0};
  return request;
}

TEST(BlkifRamDisk, WritesAndReadsSectorsThroughGrantedPages) {
  Grants grants;
  RamDisk disk(grants.mapper, 64);
  const vgen::xen::GrantRef out = grants.table.grant_access(kBackend, 1, vgen::xen::Access::ReadWrite);
  const vgen::xen::GrantRef in = grants.table.grant_access(kBackend, 2, vgen::xen::Access::ReadWrite);
  std::memset(grants.table.page(1).data(), 0x5a, vgen::xen::kPageSize);
  const blkif::Response written = disk.serve(transfer(blkif::kOpWrite, 10, out, 2, 3));
  EXPECT_EQ(written.status, blkif::kStatusOkay);
  EXPECT_EQ(written.id, 10u);
  EXPECT_EQ(disk.contents()[10 * 512], std::byte{0x5a});
  EXPECT_EQ(disk.contents()[12 * 512], std::byte{0}) << "two sectors only";
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 10, in, 0, 1)).status, blkif::kStatusOkay);
  EXPECT_EQ(grants.table.page(2)[0], std::byte{0x5a});
  EXPECT_EQ(grants.table.page(2)[2 * 512], std::byte{0}) << "the rest of the page is untouched";
}

TEST(BlkifRamDisk, RefusesWhatBlkifDoesNotAllow) {
  Grants grants;
  RamDisk disk(grants.mapper, 64);
  const vgen::xen::GrantRef ref = grants.table.grant_access(kBackend, 1, vgen::xen::Access::ReadWrite);
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 64, ref, 0, 0)).status, blkif::kStatusError) << "past the end";
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 63, ref, 0, 1)).status, blkif::kStatusError) << "runs off the end";
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 0, ref, 3, 2)).status, blkif::kStatusError) << "first after last";
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 0, ref, 0, 8)).status, blkif::kStatusError) << "sector 8 of a page";
  EXPECT_EQ(disk.serve(transfer(blkif::kOpRead, 0, 31, 0, 0)).status, blkif::kStatusError) << "a grant never made";
  blkif::Request none = transfer(blkif::kOpWrite, 0, ref, 0, 0);
  none.segment_count = 0;
  EXPECT_EQ(disk.serve(none).status, blkif::kStatusError);
  none.segment_count = 12;
  EXPECT_EQ(disk.serve(none).status, blkif::kStatusError);
  blkif::Request discard;
  discard.operation = blkif::kOpDiscard;
  EXPECT_EQ(disk.serve(discard).status, blkif::kStatusNotSupported);
  blkif::Request flush;
  flush.operation = blkif::kOpFlushDiskCache;
  EXPECT_EQ(disk.serve(flush).status, blkif::kStatusOkay);
  EXPECT_EQ(disk.sectors(), 64u);
  EXPECT_EQ(disk.sector_size(), 512u);
}

TEST(BlkifDiskCheck, PassesAgainstTheRamDisk) {
  Grants grants;
  RamDisk disk(grants.mapper);
  DiskCheck check(grants.table, kBackend);
  const std::vector<blkif::Request> requests = check.requests();
  ASSERT_EQ(requests.size(), DiskCheck::kRequests);
  std::vector<std::string> notes;
  for (const blkif::Request& request : requests) {
    const DiskCheck::Outcome outcome = check.check(disk.serve(request));
    EXPECT_TRUE(outcome.matched) << outcome.note;
    if (!outcome.note.empty()) notes.push_back(outcome.note);
  }
  EXPECT_TRUE(check.finished());
  EXPECT_EQ(check.mismatches(), 0u);
  EXPECT_EQ(notes.front(), "read 3 returned what write 0 wrote");
}

TEST(BlkifDiskCheck, NoticesWrongAnswers) {
  Grants grants;
  RamDisk disk(grants.mapper);
  DiskCheck check(grants.table, kBackend);
  const std::vector<blkif::Request> requests = check.requests();
  blkif::Response lie = disk.serve(requests.back());
  lie.status = blkif::kStatusOkay;  // a read past the end must fail
  EXPECT_FALSE(check.check(lie).matched);
  blkif::Response stranger;
  stranger.id = 99;
  EXPECT_EQ(check.check(stranger).note, "response 99 is wrong");
  // A read whose page does not hold the write's bytes: the write never reached the disk.
  EXPECT_FALSE(check.check(disk.serve(requests[3])).matched);
  EXPECT_EQ(check.mismatches(), 3u);
  EXPECT_FALSE(check.finished());
}

}  // namespace
