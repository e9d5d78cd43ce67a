#include <vgen/rpmsg/endpoint.hpp>

#include <utility>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/channel.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

Endpoint::Endpoint(Bus& bus, std::uint32_t address, EndpointCallback callback) noexcept
    : bus_(bus), address_(address), callback_(std::move(callback)) {}

std::uint32_t Endpoint::destination() const noexcept {
  return channel_ != nullptr ? channel_->destination() : destination_.load(std::memory_order_relaxed);
}

void Endpoint::set_destination(std::uint32_t destination) {
  if (channel_ != nullptr) {
    throw Error(ErrorCode::InvalidState, "endpoint " + address_text(address_) + " belongs to channel '" +
                                             channel_->name() + "'; its destination follows the channel");
  }
  destination_.store(destination, std::memory_order_relaxed);
}

bool Endpoint::send(std::span<const std::byte> payload) {
  return bus_.transmit(address_, destination(), payload, true, bus_.options().send_timeout);
}

bool Endpoint::send(std::span<const std::byte> payload, std::chrono::nanoseconds timeout) {
  return bus_.transmit(address_, destination(), payload, true, timeout);
}

bool Endpoint::try_send(std::span<const std::byte> payload) {
  return bus_.transmit(address_, destination(), payload, false, {});
}

bool Endpoint::send_to(std::uint32_t destination, std::span<const std::byte> payload) {
  return bus_.transmit(address_, destination, payload, true, bus_.options().send_timeout);
}

bool Endpoint::send_to(std::uint32_t destination, std::span<const std::byte> payload,
                       std::chrono::nanoseconds timeout) {
  return bus_.transmit(address_, destination, payload, true, timeout);
}

bool Endpoint::try_send_to(std::uint32_t destination, std::span<const std::byte> payload) {
  return bus_.transmit(address_, destination, payload, false, {});
}

bool Endpoint::send_offchannel(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload) {
  return bus_.transmit(source, destination, payload, true, bus_.options().send_timeout);
}

bool Endpoint::send_offchannel(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload,
                               std::chrono::nanoseconds timeout) {
  return bus_.transmit(source, destination, payload, true, timeout);
}

bool Endpoint::try_send_offchannel(std::uint32_t source, std::uint32_t destination,
                                   std::span<const std::byte> payload) {
  return bus_.transmit(source, destination, payload, false, {});
}

}  // namespace vgen::rpmsg
