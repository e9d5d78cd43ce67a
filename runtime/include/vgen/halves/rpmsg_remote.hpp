// The remote (device) half of an rpmsg pair, written once for every spec: binds the spec's
// endpoints on the remote's bus, the first as the service's channel, announced through the
// name service, and hands what arrives to one handler per endpoint, after checking its size.
// A generated base class derives from RpmsgRemote<kSpec> and adds the typed send_ functions
// and handlers.
// Handlers run inside the bus's poll(), on the thread that polls.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <vgen/halves/handler_check.hpp>  // for the generated bases' Overrides
#include <vgen/halves/rpmsg_spec.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/channel.hpp>
#include <vgen/rpmsg/endpoint.hpp>

namespace vgen::halves {

/// The remote's endpoints of one service (see the file comment).
class RpmsgRemoteEndpoints {
 public:
  /// How long a send waits for a free buffer.
  static constexpr std::chrono::seconds kSendTimeout{5};

  /// `spec` and `bus` (the remote's) must outlive this object.
  RpmsgRemoteEndpoints(const RpmsgSpec& spec, rpmsg::Bus& bus);
  /// Unbinds the endpoints and the channel (their callbacks point here).
  virtual ~RpmsgRemoteEndpoints();
  RpmsgRemoteEndpoints(const RpmsgRemoteEndpoints&) = delete;
  RpmsgRemoteEndpoints& operator=(const RpmsgRemoteEndpoints&) = delete;

  /// Binds the endpoints and announces the channel. Throws rpmsg::Error (address in use,
  /// the announcement could not be sent).
  void start();
  /// Messages dropped because they were shorter than their endpoint's message type.
  std::uint64_t malformed() const noexcept { return malformed_; }
  /// The announced channel (null before start()).
  rpmsg::Channel* channel() const noexcept { return channel_; }
  /// The spec this half follows.
  const RpmsgSpec& spec() const noexcept { return spec_; }

 protected:
  /// Endpoint `index` received `payload` from the host's address `source` (at least the
  /// message's size on a typed endpoint). Generated bases decode and dispatch.
  virtual void on_endpoint_message(std::size_t index, std::span<const std::byte> payload, std::uint32_t source);
  /// Sends `payload` from endpoint `index` to `destination`; false before start() or on
  /// timeout.
  bool send_bytes(std::size_t index, std::uint32_t destination, std::span<const std::byte> payload);
  /// The bus.
  rpmsg::Bus& bus() noexcept { return bus_; }

 private:
  void receive(std::size_t index, std::span<const std::byte> payload, std::uint32_t source);

  const RpmsgSpec& spec_;
  rpmsg::Bus& bus_;
  rpmsg::Channel* channel_ = nullptr;
  std::vector<rpmsg::Endpoint*> endpoints_;
  std::uint64_t malformed_ = 0;
};

/// The remote half of the service `Spec` describes.
template <const RpmsgSpec& Spec>
class RpmsgRemote : public RpmsgRemoteEndpoints {
 public:
  /// The spec this half follows.
  static constexpr const RpmsgSpec& kSpec = Spec;

  /// `bus` (the remote's) must outlive this object.
  explicit RpmsgRemote(rpmsg::Bus& bus) : RpmsgRemoteEndpoints(Spec, bus) {}
};

}  // namespace vgen::halves
