// Endpoints: binding addresses (explicit or the lowest free dynamic one) and unbinding them.
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

Endpoint& Bus::create_endpoint(EndpointCallback callback, std::uint32_t address) {
  if (address != kAnyAddress && address < kFirstDynamicAddress) {
    throw Error(ErrorCode::InvalidAddress,
                "create endpoint: address " + address_text(address) + " is reserved (addresses below 1024 are)");
  }
  const auto lock = rx_lock();
  return bind_endpoint(std::move(callback), address);
}

Endpoint& Bus::bind_endpoint(EndpointCallback callback, std::uint32_t address) {
  if (!callback) throw Error(ErrorCode::InvalidConfig, "create endpoint: the callback is empty");
  if (address == kAnyAddress) {
    address = allocate_address();
  } else if (endpoints_.find(address) != nullptr) {
    throw Error(ErrorCode::AddressInUse, "create endpoint: address " + address_text(address) + " is in use");
  }
  auto endpoint = std::unique_ptr<Endpoint>(new Endpoint(*this, address, std::move(callback)));
  Endpoint& bound = *endpoint;
  endpoints_.insert(std::move(endpoint));
  return bound;
}

// The lowest free dynamic address, as an ID allocator would hand out.
std::uint32_t Bus::allocate_address() {
  while (true) {
    std::uint32_t candidate;
    if (!released_addresses_.empty()) {
      candidate = *released_addresses_.begin();
      released_addresses_.erase(released_addresses_.begin());
    } else {
      if (next_address_ == kAnyAddress) {
        throw Error(ErrorCode::AddressInUse, "create endpoint: every dynamic address is in use");
      }
      candidate = next_address_++;
    }
    if (endpoints_.find(candidate) == nullptr) return candidate;
  }
}

void Bus::destroy_endpoint(Endpoint& endpoint) {
  const auto lock = rx_lock();
  if (&endpoint.bus_ != this || endpoints_.find(endpoint.address()) != &endpoint) {
    throw Error(ErrorCode::NotFound,
                "destroy endpoint: endpoint " + address_text(endpoint.address()) + " does not belong to this bus");
  }
  if (endpoint.channel_ != nullptr) {
    throw Error(ErrorCode::InvalidState, "destroy endpoint: " + address_text(endpoint.address()) +
                                             " is the default endpoint of channel '" + endpoint.channel_->name() +
                                             "'; destroy the channel instead");
  }
  unbind_endpoint(endpoint);
}

void Bus::unbind_endpoint(Endpoint& endpoint) {
  const std::uint32_t address = endpoint.address();
  std::unique_ptr<Endpoint> taken = endpoints_.remove(address);
  if (address >= kFirstDynamicAddress && address < next_address_) released_addresses_.insert(address);
  // An endpoint destroyed from inside a callback may be the one running: keep it alive until
  // the outermost dispatch ends.
  if (dispatch_depth_ > 0) retired_.push_back(std::move(taken));
}

Endpoint* Bus::find_endpoint(std::uint32_t address) const {
  const auto lock = rx_lock();
  return endpoints_.find(address);
}

std::size_t Bus::endpoint_count() const {
  const auto lock = rx_lock();
  return endpoints_.size();
}

}  // namespace vgen::rpmsg
