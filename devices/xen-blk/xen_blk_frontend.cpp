// xen-blk: the frontend half's handlers (yours; vgen never overwrites this file).
#include "xen_blk_frontend.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace xen_blk {
namespace {

void log(const std::string& line) {
  std::printf("frontend: %s\n", line.c_str());
  std::fflush(stdout);
}

constexpr std::size_t kSectorBytes = 512;
constexpr std::size_t kSectorsPerPage = vgen::xen::kPageSize / kSectorBytes;
// xen/io/blkif.h: BLKIF_RSP_OKAY 0, BLKIF_RSP_ERROR -1.
constexpr std::int16_t kOkay = 0;
constexpr std::int16_t kError = -1;
constexpr std::uint64_t kBeyondAnyDisk = std::uint64_t{1} << 48;  // sectors: 128 PiB

// The byte at `offset` of what write `pattern` puts on the disk.
std::byte pattern_byte(std::uint32_t pattern, std::size_t offset) {
  return static_cast<std::byte>(pattern * 53 + offset * 7 + (offset >> 8));
}

}  // namespace

FrontendNodes XenBlkFrontend::on_publish() {
  FrontendNodes nodes;
  nodes.protocol = "x86_64-abi";
  return nodes;
}

void XenBlkFrontend::on_connected([[maybe_unused]] const BackendNodes& nodes) {
  log("connected to " + other_path());
  log("backend sectors=" + std::to_string(nodes.sectors));
  log("backend info=" + std::to_string(nodes.info));
  log("backend sector-size=" + std::to_string(nodes.sector_size));
  log("backend feature-flush-cache=" + std::to_string(nodes.feature_flush_cache));
  if (next_id_ > 0) return;  // the requests went out on an earlier connection
  // Grant the data pages once; the backend may keep them mapped (persistent grants).
  for (std::uint32_t page = 1; page <= kDataPages; ++page) {
    data_refs_.push_back(table().grant_access(other_id(), page, vgen::xen::Access::ReadWrite));
  }
  // Three writes of one page each, three reads of the same sectors into other pages.
  for (std::uint32_t write = 0; write < 3; ++write) {
    std::span<std::byte> page = table().page(1 + write);
    for (std::size_t offset = 0; offset < page.size(); ++offset) page[offset] = pattern_byte(write, offset);
    send_request(BlkifOperation::WRITE, write * kSectorsPerPage, 1 + write, kOkay, 0, 0);
  }
  for (std::uint32_t read = 0; read < 3; ++read) {
    std::memset(table().page(4 + read).data(), 0xEE, vgen::xen::kPageSize);
    send_request(BlkifOperation::READ, read * kSectorsPerPage, 4 + read, kOkay, 4 + read, read);
  }
  send_request(BlkifOperation::FLUSH_DISKCACHE, 0, 0, kOkay, 0, 0);
  // Far past the end of any RAM disk: the backend must refuse it.
  send_request(BlkifOperation::READ, kBeyondAnyDisk, 4, kError, 0, 0);
}

void XenBlkFrontend::send_request(BlkifOperation operation, std::uint64_t sector, std::uint32_t page,
                                  std::int16_t status, std::uint32_t read_page, std::uint32_t pattern) {
  BlkifRequest request;
  request.set_operation(operation);
  request.set_id(next_id_);
  request.set_sector_number(sector);
  if (page != 0) {
    request.set_nr_segments(1);
    request.seg(0).set_gref(data_refs_[page - 1]);
    request.seg(0).set_first_sect(0);
    request.seg(0).set_last_sect(kSectorsPerPage - 1);
  }
  if (!send(request)) {
    log("ring full: request " + std::to_string(next_id_) + " not sent");
    return;
  }
  log("sent " + describe(request));
  pending_.emplace(next_id_++, Expected{operation, status, read_page, pattern});
}

void XenBlkFrontend::on_response(const BlkifResponse& response) {
  log("received " + describe(response));
  const auto found = pending_.find(response.id());
  if (found == pending_.end() || !check(response, found->second)) {
    ++mismatches_;
    log("response " + std::to_string(response.id()) + " is wrong");
    return;
  }
  pending_.erase(found);
  ++answered_;
}

bool XenBlkFrontend::check(const BlkifResponse& response, const Expected& expected) {
  if (response.operation() != expected.operation || response.status() != expected.status) return false;
  if (expected.read_page == 0) return true;
  const std::span<std::byte> page = table().page(expected.read_page);
  for (std::size_t offset = 0; offset < page.size(); ++offset) {
    if (page[offset] != pattern_byte(expected.pattern, offset)) return false;
  }
  log("read " + std::to_string(response.id()) + " returned what write " + std::to_string(expected.pattern) + " wrote");
  return true;
}

}  // namespace xen_blk
