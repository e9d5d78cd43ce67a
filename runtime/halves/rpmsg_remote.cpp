#include "vgen/halves/rpmsg_remote.hpp"

#include <string>

namespace vgen::halves {

RpmsgRemoteEndpoints::RpmsgRemoteEndpoints(const RpmsgSpec& spec, rpmsg::Bus& bus)
    : spec_(spec), bus_(bus), endpoints_(spec.endpoints.size(), nullptr) {}

RpmsgRemoteEndpoints::~RpmsgRemoteEndpoints() {
  for (std::size_t index = 1; index < endpoints_.size(); ++index) {
    if (endpoints_[index] != nullptr) bus_.destroy_endpoint(*endpoints_[index]);
  }
  if (channel_ != nullptr) bus_.destroy_channel(*channel_);
}

void RpmsgRemoteEndpoints::start() {
  const auto callback = [this](std::size_t index) {
    return [this, index](rpmsg::Endpoint&, std::span<const std::byte> payload, std::uint32_t source) {
      receive(index, payload, source);
    };
  };
  for (std::size_t index = 0; index < endpoints_.size(); ++index) {
    const std::uint32_t address = spec_.endpoints[index].address;
    if (index == 0) {
      channel_ = &bus_.create_channel(std::string(spec_.service), callback(0), address);
      endpoints_[0] = channel_->endpoint();
    } else {
      endpoints_[index] = &bus_.create_endpoint(callback(index), address);
    }
  }
}

void RpmsgRemoteEndpoints::on_endpoint_message(std::size_t index, std::span<const std::byte> payload,
                                               std::uint32_t source) {
  static_cast<void>(index);
  static_cast<void>(payload);
  static_cast<void>(source);
}

bool RpmsgRemoteEndpoints::send_bytes(std::size_t index, std::uint32_t destination,
                                      std::span<const std::byte> payload) {
  return index < endpoints_.size() && endpoints_[index] != nullptr &&
         endpoints_[index]->send_to(destination, payload, kSendTimeout);
}

void RpmsgRemoteEndpoints::receive(std::size_t index, std::span<const std::byte> payload, std::uint32_t source) {
  const EndpointSpec& endpoint = spec_.endpoints[index];
  if (!endpoint.raw && payload.size() < endpoint.message_bytes) {
    ++malformed_;
    return;
  }
  on_endpoint_message(index, payload, source);
}

}  // namespace vgen::halves
