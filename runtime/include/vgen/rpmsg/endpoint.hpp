// An endpoint: a local address bound to a receive callback, and the send functions that use
// that address as the source. Endpoints belong to a Bus, which creates and destroys them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include <vgen/rpmsg/wire.hpp>

namespace vgen::rpmsg {

class Bus;
class Channel;
class Endpoint;

/// Called for every message delivered to an endpoint, on the thread that polls the bus.
/// `payload` points into the receive buffer and is valid only during the call; the buffer
/// goes back to the peer as soon as the callback returns. `source` is the sender's address.
using EndpointCallback =
    std::function<void(Endpoint& endpoint, std::span<const std::byte> payload, std::uint32_t source)>;

/// A bound local address. Send functions come in two kinds: the blocking ones wait for a
/// free transmit buffer up to a timeout (the bus's send timeout when none is given) and
/// return false when it passes; the try_ ones return false at once. All of them throw
/// rpmsg::Error for a payload larger than the buffer size minus 16 (PayloadTooLarge), a
/// missing or wildcard address (NoDestination, InvalidAddress) or a link being reset
/// (LinkDown). A true result means the message is in the peer's queue.
class Endpoint {
 public:
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  /// The bound address.
  std::uint32_t address() const noexcept { return address_; }
  /// Where send() goes: the channel's destination, or what set_destination() chose;
  /// kAnyAddress while unknown.
  std::uint32_t destination() const noexcept;
  /// Sets where send() goes for an endpoint outside a channel (a channel's endpoint follows
  /// its channel: rpmsg::Error(InvalidState)).
  void set_destination(std::uint32_t destination);
  /// The channel whose default endpoint this is, or null.
  Channel* channel() const noexcept { return channel_; }
  /// The bus it belongs to.
  Bus& bus() const noexcept { return bus_; }

  /// To destination().
  [[nodiscard]] bool send(std::span<const std::byte> payload);
  [[nodiscard]] bool send(std::span<const std::byte> payload, std::chrono::nanoseconds timeout);
  [[nodiscard]] bool try_send(std::span<const std::byte> payload);
  /// To `destination`.
  [[nodiscard]] bool send_to(std::uint32_t destination, std::span<const std::byte> payload);
  [[nodiscard]] bool send_to(std::uint32_t destination, std::span<const std::byte> payload,
                             std::chrono::nanoseconds timeout);
  [[nodiscard]] bool try_send_to(std::uint32_t destination, std::span<const std::byte> payload);
  /// From `source` (any address, bound or not) to `destination`.
  [[nodiscard]] bool send_offchannel(std::uint32_t source, std::uint32_t destination,
                                     std::span<const std::byte> payload);
  [[nodiscard]] bool send_offchannel(std::uint32_t source, std::uint32_t destination,
                                     std::span<const std::byte> payload, std::chrono::nanoseconds timeout);
  [[nodiscard]] bool try_send_offchannel(std::uint32_t source, std::uint32_t destination,
                                         std::span<const std::byte> payload);

 private:
  friend class Bus;
  Endpoint(Bus& bus, std::uint32_t address, EndpointCallback callback) noexcept;

  Bus& bus_;
  std::uint32_t address_;
  EndpointCallback callback_;
  Channel* channel_ = nullptr;
  std::atomic<std::uint32_t> destination_{kAnyAddress};
};

}  // namespace vgen::rpmsg
