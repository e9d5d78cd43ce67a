// The endpoints of one bus by address, looked up in constant time for every received
// message: a directly indexed table for addresses below 65536 (the name service, reserved
// and dynamic addresses all fall there), a hash map for any other address bound explicitly.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <vgen/rpmsg/endpoint.hpp>

namespace vgen::rpmsg {

/// Owns the endpoints; not synchronised (the bus serialises access).
class EndpointTable {
 public:
  /// Addresses below this are indexed directly.
  static constexpr std::uint32_t kDirectLimit = 1u << 16;

  /// The endpoint bound at `address`, or null.
  Endpoint* find(std::uint32_t address) const noexcept {
    if (address < direct_.size()) return direct_[address].get();
    if (address < kDirectLimit || overflow_.empty()) return nullptr;
    const auto it = overflow_.find(address);
    return it == overflow_.end() ? nullptr : it->second.get();
  }
  /// Stores `endpoint` at its address, which must be free (the bus checks first).
  void insert(std::unique_ptr<Endpoint> endpoint);
  /// Takes the endpoint at `address` out of the table (null if none).
  std::unique_ptr<Endpoint> remove(std::uint32_t address);
  /// Number of bound endpoints.
  std::size_t size() const noexcept { return count_; }

 private:
  std::vector<std::unique_ptr<Endpoint>> direct_;
  std::unordered_map<std::uint32_t, std::unique_ptr<Endpoint>> overflow_;
  std::size_t count_ = 0;
};

}  // namespace vgen::rpmsg
