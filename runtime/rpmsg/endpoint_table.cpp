#include <vgen/rpmsg/endpoint_table.hpp>

#include <algorithm>

namespace vgen::rpmsg {
namespace {

// Covers the name service, the reserved range and the first 1024 dynamic addresses.
constexpr std::size_t kInitialDirect = 2048;

}  // namespace

void EndpointTable::insert(std::unique_ptr<Endpoint> endpoint) {
  const std::uint32_t address = endpoint->address();
  ++count_;
  if (address >= kDirectLimit) {
    overflow_[address] = std::move(endpoint);
    return;
  }
  if (address >= direct_.size()) {
    const std::size_t grown = std::max<std::size_t>({kInitialDirect, direct_.size() * 2, std::size_t{address} + 1});
    direct_.resize(std::min<std::size_t>(grown, kDirectLimit));
  }
  direct_[address] = std::move(endpoint);
}

std::unique_ptr<Endpoint> EndpointTable::remove(std::uint32_t address) {
  std::unique_ptr<Endpoint> taken;
  if (address < direct_.size()) {
    taken = std::move(direct_[address]);
  } else if (const auto it = overflow_.find(address); it != overflow_.end()) {
    taken = std::move(it->second);
    overflow_.erase(it);
  }
  if (taken) --count_;
  return taken;
}

}  // namespace vgen::rpmsg
