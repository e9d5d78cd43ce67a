#include "vgen/halves/rpmsg_host.hpp"

#include <string>

#include <vgen/rpmsg/endpoint.hpp>

namespace vgen::halves {

RpmsgHostDriver::RpmsgHostDriver(const RpmsgSpec& spec, rpmsg::Bus& bus)
    : Driver({std::string(spec.service)}), spec_(spec), bus_(bus) {
  bus_.register_driver(*this);
}

RpmsgHostDriver::~RpmsgHostDriver() { bus_.unregister_driver(*this); }

void RpmsgHostDriver::probe(rpmsg::Channel& channel) {
  channel_ = &channel;
  on_bound();
}

void RpmsgHostDriver::remove(rpmsg::Channel& channel) {
  if (&channel == channel_) channel_ = nullptr;
}

void RpmsgHostDriver::on_endpoint_message(std::size_t index, std::span<const std::byte> payload) {
  static_cast<void>(index);
  static_cast<void>(payload);
}

// The remote's address of endpoint `index`: the channel's peer for the first, the spec's
// fixed address otherwise.
std::uint32_t RpmsgHostDriver::address(std::size_t index) const noexcept {
  if (index == 0 && channel_ != nullptr) return channel_->destination();
  return index < spec_.endpoints.size() ? spec_.endpoints[index].address : rpmsg::kAnyAddress;
}

bool RpmsgHostDriver::send_bytes(std::size_t index, std::span<const std::byte> payload) {
  if (channel_ == nullptr || channel_->endpoint() == nullptr) return false;
  return channel_->endpoint()->send_to(address(index), payload, kSendTimeout);
}

void RpmsgHostDriver::receive(rpmsg::Channel& channel, std::span<const std::byte> payload, std::uint32_t source) {
  static_cast<void>(channel);
  for (std::size_t index = 0; index < spec_.endpoints.size(); ++index) {
    if (address(index) != source) continue;
    const EndpointSpec& endpoint = spec_.endpoints[index];
    if (!endpoint.raw && payload.size() < endpoint.message_bytes) break;
    on_endpoint_message(index, payload);
    return;
  }
  ++malformed_;
}

}  // namespace vgen::halves
