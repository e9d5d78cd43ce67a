// The blkif profile's frontend check (a spec's `ring: {profile: blkif}`): a short workload
// any blkif backend must pass. Three writes of one granted page each, three reads of the
// same sectors into other pages, compared byte for byte; a flush; and a read far past the
// end of any disk, which must fail. Request ids are 0..kRequests-1 in that order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <vgen/xen/blkif.hpp>
#include <vgen/xen/grant_table.hpp>

namespace vgen::profiles::blkif {

/// The ring ABI a frontend on this host announces in its `protocol` node (xen/io/protocols.h).
inline constexpr char kNativeProtocol[] = "x86_64-abi";

/// The check of one frontend against its backend. Not thread-safe.
class DiskCheck {
 public:
  /// Requests the check sends.
  static constexpr std::size_t kRequests = 8;
  /// Granted pages beside the ring: three written from, three read into.
  static constexpr std::uint32_t kDataPages = 6;

  /// What a response says about the request it answers.
  struct Outcome {
    bool matched = false;  ///< the response is the one expected
    std::string note;      ///< a line for the log: what a read returned, or what is wrong
  };

  /// Grants frames first_frame .. first_frame + kDataPages - 1 of `table` to `backend`
  /// (read-write). `table` must outlive the check. Throws xen::Error when the table has too
  /// few pages or free references.
  DiskCheck(xen::GrantTable& table, xen::DomainId backend, std::uint32_t first_frame = 1);
  /// Ends the grants the backend no longer maps.
  ~DiskCheck();
  DiskCheck(const DiskCheck&) = delete;
  DiskCheck& operator=(const DiskCheck&) = delete;

  /// The requests, in order: fills the pages the writes send and poisons the pages the reads
  /// fill. Call once, and send each request once.
  std::vector<xen::blkif::Request> requests();
  /// Checks one response against the request of its id.
  Outcome check(const xen::blkif::Response& response);

  /// Responses that matched their request.
  std::size_t answered() const noexcept { return answered_; }
  /// Responses that answered no request sent, or answered one wrongly.
  std::size_t mismatches() const noexcept { return mismatches_; }
  /// True once every request has been answered as expected.
  bool finished() const noexcept { return answered_ == kRequests; }

 private:
  /// What one request must come back with.
  struct Expected {
    std::uint8_t operation;
    std::int16_t status;
    std::uint32_t read_page;  // data page a read filled (0: none)
    std::uint32_t pattern;    // the write whose bytes the read must find
  };
  xen::blkif::Request request(std::uint8_t operation, std::uint64_t sector, std::uint32_t page, Expected expected);
  bool holds_pattern(std::uint32_t page, std::uint32_t pattern) const;

  xen::GrantTable& table_;
  std::uint32_t first_frame_;
  std::vector<xen::GrantRef> refs_;  // by data page
  std::map<std::uint64_t, Expected> pending_;
  std::uint64_t next_id_ = 0;
  std::size_t answered_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace vgen::profiles::blkif
