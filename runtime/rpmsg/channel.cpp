#include <vgen/rpmsg/channel.hpp>

#include <utility>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/endpoint.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

Channel::Channel(Bus& bus, std::string name, ChannelOrigin origin, std::uint32_t destination)
    : bus_(bus), name_(std::move(name)), origin_(origin), destination_(destination) {}

std::uint32_t Channel::source() const noexcept { return endpoint_ != nullptr ? endpoint_->address() : kAnyAddress; }

Endpoint& Channel::bound_endpoint() const {
  if (endpoint_ == nullptr) {
    throw Error(ErrorCode::InvalidState, "channel '" + name_ + "' has no endpoint: no driver is bound to it");
  }
  return *endpoint_;
}

bool Channel::send(std::span<const std::byte> payload) { return bound_endpoint().send(payload); }

bool Channel::send(std::span<const std::byte> payload, std::chrono::nanoseconds timeout) {
  return bound_endpoint().send(payload, timeout);
}

bool Channel::try_send(std::span<const std::byte> payload) { return bound_endpoint().try_send(payload); }

}  // namespace vgen::rpmsg
