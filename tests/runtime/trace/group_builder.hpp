// Group records built in a test as the recorder builds them: the header, then each record.
#pragma once

#include <cstdint>
#include <vector>

#include <vgen/trace/record.hpp>

namespace vgen::trace::testing {

/// A group record built as the recorder builds one: the header, then each record.
class GroupBuilder {
 public:
  /// A group of records on `channel` and `queue`.
  GroupBuilder(Channel channel, std::uint16_t queue) : channel_(channel), queue_(queue) {}
  /// Adds the record of `event` with its payload cut at `snap`.
  GroupBuilder& add(const Event& event, std::uint32_t snap = 256) {
    std::vector<std::byte> member(group_member_bound(event, snap));
    std::uint64_t cut = 0;
    member.resize(encode_group_member(event, snap, member.data(), cut));
    members_.insert(members_.end(), member.begin(), member.end());
    ++count_;
    return *this;
  }
  /// The group record's bytes, declaring `count` records (by default those added).
  std::vector<std::byte> bytes(std::uint32_t count = ~0u) const {
    std::vector<std::byte> out(kRecordHeaderBytes);
    encode_group_header(channel_, queue_, count == ~0u ? count_ : count, out.data());
    out.insert(out.end(), members_.begin(), members_.end());
    return out;
  }

 private:
  Channel channel_;
  std::uint16_t queue_;
  std::vector<std::byte> members_;
  std::uint32_t count_ = 0;
};

}  // namespace vgen::trace::testing
