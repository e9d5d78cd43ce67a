// The host (driver) half of an rpmsg pair, written once for every spec: an rpmsg driver for
// the spec's service that binds when the remote announces it (name service), sends to the
// remote's endpoints from the channel's endpoint, and hands what comes back to one handler
// per endpoint, after checking its size. A generated base class derives from RpmsgHost<kSpec>
// and adds the typed send_ functions and handlers. Handlers run inside the host bus's poll().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include <vgen/halves/demo_traffic.hpp>   // for the generated bases' demo traffic
#include <vgen/halves/handler_check.hpp>  // for the generated bases' Overrides
#include <vgen/halves/rpmsg_spec.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/channel.hpp>
#include <vgen/rpmsg/driver.hpp>

namespace vgen::halves {

/// The host's driver for one service (see the file comment).
class RpmsgHostDriver : public rpmsg::Driver {
 public:
  /// How long a send waits for a free buffer.
  static constexpr std::chrono::seconds kSendTimeout{5};

  /// Registers with `bus` (the host's). `spec` and `bus` must outlive this object.
  RpmsgHostDriver(const RpmsgSpec& spec, rpmsg::Bus& bus);
  ~RpmsgHostDriver() override;

  /// The host's bus.
  rpmsg::Bus& bus() noexcept { return bus_; }
  /// True while the remote's channel is bound.
  bool bound() const noexcept { return channel_ != nullptr; }
  /// Messages dropped: shorter than their type, or from an address that is no endpoint.
  std::uint64_t malformed() const noexcept { return malformed_; }
  /// The spec this half follows.
  const RpmsgSpec& spec() const noexcept { return spec_; }

  void probe(rpmsg::Channel& channel) override;
  void remove(rpmsg::Channel& channel) override;
  void receive(rpmsg::Channel& channel, std::span<const std::byte> payload, std::uint32_t source) override;

 protected:
  /// The remote announced the service and the channel is bound.
  virtual void on_bound() {}
  /// Endpoint `index` of the remote sent `payload` (at least the message's size on a typed
  /// endpoint). Generated bases decode and dispatch.
  virtual void on_endpoint_message(std::size_t index, std::span<const std::byte> payload);
  /// Sends `payload` to the remote's endpoint `index`; false when unbound or on timeout.
  bool send_bytes(std::size_t index, std::span<const std::byte> payload);

 private:
  std::uint32_t address(std::size_t index) const noexcept;

  const RpmsgSpec& spec_;
  rpmsg::Bus& bus_;
  rpmsg::Channel* channel_ = nullptr;
  std::uint64_t malformed_ = 0;
};

/// The host half of the service `Spec` describes.
template <const RpmsgSpec& Spec>
class RpmsgHost : public RpmsgHostDriver {
 public:
  /// The spec this half follows.
  static constexpr const RpmsgSpec& kSpec = Spec;

  /// Registers with `bus` (the host's), which must outlive this object.
  explicit RpmsgHost(rpmsg::Bus& bus) : RpmsgHostDriver(Spec, bus) {}
};

}  // namespace vgen::halves
