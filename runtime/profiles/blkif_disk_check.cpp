#include "vgen/profiles/blkif_disk_check.hpp"

#include <cstring>

#include <vgen/xen/error.hpp>

namespace vgen::profiles::blkif {
namespace {

namespace proto = xen::blkif;
using proto::kSectorsPerPage;
constexpr std::uint64_t kBeyondAnyDisk = std::uint64_t{1} << 48;  // sectors: 128 PiB

// The byte at `offset` of what write `pattern` puts on the disk.
std::byte pattern_byte(std::uint32_t pattern, std::size_t offset) {
  return static_cast<std::byte>(pattern * 53 + offset * 7 + (offset >> 8));
}

}  // namespace

DiskCheck::DiskCheck(xen::GrantTable& table, xen::DomainId backend, std::uint32_t first_frame)
    : table_(table), first_frame_(first_frame) {
  for (std::uint32_t page = 0; page < kDataPages; ++page) {
    refs_.push_back(table_.grant_access(backend, first_frame_ + page, xen::Access::ReadWrite));
  }
}

DiskCheck::~DiskCheck() {
  for (const xen::GrantRef ref : refs_) {
    try {
      if (!table_.is_mapped(ref)) table_.end_access(ref);
    } catch (const xen::Error&) {
      // Revoked already: nothing to end.
    }
  }
}

std::vector<xen::blkif::Request> DiskCheck::requests() {
  std::vector<xen::blkif::Request> requests;
  for (std::uint32_t write = 0; write < 3; ++write) {
    const std::span<std::byte> page = table_.page(first_frame_ + write);
    for (std::size_t offset = 0; offset < page.size(); ++offset) page[offset] = pattern_byte(write, offset);
    requests.push_back(request(proto::kOpWrite, write * kSectorsPerPage, write, {0, proto::kStatusOkay, 0, 0}));
  }
  for (std::uint32_t read = 0; read < 3; ++read) {
    const std::uint32_t page = 3 + read;
    std::memset(table_.page(first_frame_ + page).data(), 0xEE, xen::kPageSize);
    requests.push_back(request(proto::kOpRead, read * kSectorsPerPage, page, {0, proto::kStatusOkay, page, read}));
  }
  requests.push_back(request(proto::kOpFlushDiskCache, 0, kDataPages, {0, proto::kStatusOkay, 0, 0}));
  // Far past the end of any disk: the backend must refuse it.
  requests.push_back(request(proto::kOpRead, kBeyondAnyDisk, 3, {0, proto::kStatusError, 0, 0}));
  return requests;
}

// One request moving data page `page` (kDataPages: none), recorded with what it must return.
xen::blkif::Request DiskCheck::request(std::uint8_t operation, std::uint64_t sector, std::uint32_t page,
                                       Expected expected) {
  xen::blkif::Request request;
  request.operation = operation;
  request.id = next_id_;
  request.sector = sector;
  if (page < kDataPages) {
    request.segment_count = 1;
    request.segments[0].gref = refs_[page];
    request.segments[0].first_sector = 0;
    request.segments[0].last_sector = kSectorsPerPage - 1;
  }
  expected.operation = operation;
  pending_.emplace(next_id_++, expected);
  return request;
}

DiskCheck::Outcome DiskCheck::check(const xen::blkif::Response& response) {
  const auto found = pending_.find(response.id);
  const bool matched = found != pending_.end() && response.operation == found->second.operation &&
                       response.status == found->second.status &&
                       (found->second.status != proto::kStatusOkay || found->second.operation != proto::kOpRead ||
                        holds_pattern(found->second.read_page, found->second.pattern));
  if (!matched) {
    ++mismatches_;
    return {false, "response " + std::to_string(response.id) + " is wrong"};
  }
  Outcome outcome{true, ""};
  if (found->second.operation == proto::kOpRead && found->second.status == proto::kStatusOkay) {
    outcome.note = "read " + std::to_string(response.id) + " returned what write " +
                   std::to_string(found->second.pattern) + " wrote";
  }
  pending_.erase(found);
  ++answered_;
  return outcome;
}

bool DiskCheck::holds_pattern(std::uint32_t page, std::uint32_t pattern) const {
  const std::span<std::byte> bytes = table_.page(first_frame_ + page);
  for (std::size_t offset = 0; offset < bytes.size(); ++offset) {
    if (bytes[offset] != pattern_byte(pattern, offset)) return false;
  }
  return true;
}

}  // namespace vgen::profiles::blkif
