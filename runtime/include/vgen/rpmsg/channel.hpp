// A channel: a named pair of addresses. A local channel is created here (and announced to
// the peer); a peer channel is created when the peer announces a name, and a driver
// registered for that name is bound to it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <vgen/rpmsg/wire.hpp>

namespace vgen::rpmsg {

class Bus;
class Driver;
class Endpoint;

/// Who created a channel.
enum class ChannelOrigin {
  Local,  ///< Bus::create_channel() on this side
  Peer,   ///< the peer's name-service announcement
};

/// A named pair of addresses with a default endpoint. Owned by its Bus.
class Channel {
 public:
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// The service name (1 to 31 bytes).
  const std::string& name() const noexcept { return name_; }
  /// Local or peer.
  ChannelOrigin origin() const noexcept { return origin_; }
  /// The local address: the default endpoint's, kAnyAddress while none is bound.
  std::uint32_t source() const noexcept;
  /// The peer's address: kAnyAddress until known. A local channel learns it from the peer's
  /// announcement of the same name or from the first message it receives.
  std::uint32_t destination() const noexcept { return destination_.load(std::memory_order_relaxed); }
  /// The default endpoint; null for a peer channel no driver is bound to.
  Endpoint* endpoint() const noexcept { return endpoint_; }
  /// The bound driver (peer channels), or null.
  Driver* driver() const noexcept { return driver_; }
  /// True if this side announced the channel to the peer.
  bool announced() const noexcept { return announced_; }
  /// The bus it belongs to.
  Bus& bus() const noexcept { return bus_; }

  /// Sends from the default endpoint to destination() (see Endpoint for the rules);
  /// rpmsg::Error(InvalidState) when no endpoint is bound.
  [[nodiscard]] bool send(std::span<const std::byte> payload);
  [[nodiscard]] bool send(std::span<const std::byte> payload, std::chrono::nanoseconds timeout);
  [[nodiscard]] bool try_send(std::span<const std::byte> payload);

 private:
  friend class Bus;
  Channel(Bus& bus, std::string name, ChannelOrigin origin, std::uint32_t destination);
  Endpoint& bound_endpoint() const;

  Bus& bus_;
  std::string name_;
  ChannelOrigin origin_;
  std::atomic<std::uint32_t> destination_;
  Endpoint* endpoint_ = nullptr;
  Driver* driver_ = nullptr;
  bool announced_ = false;
};

}  // namespace vgen::rpmsg
