// An rpmsg driver: code that serves the channels of one or more service names. When the
// peer announces a matching name, the bus creates the channel's default endpoint (bound to
// receive()) and calls probe(); when the peer destroys the channel, the link goes down or the
// driver is unregistered, it calls remove() and destroys the endpoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vgen::rpmsg {

class Bus;
class Channel;

/// Base of every rpmsg driver. Matching is by exact channel name. A driver destroyed while
/// still registered unregisters itself: its channels lose their endpoints (remove() is not
/// called then, the derived object being gone already), so a driver may die before its bus.
class Driver {
 public:
  /// `names` are the service names served (each 1 to 31 bytes; rpmsg::Error(InvalidName)
  /// otherwise, and for an empty list).
  explicit Driver(std::vector<std::string> names);
  virtual ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// The service names served.
  const std::vector<std::string>& names() const noexcept { return names_; }
  /// True if `channel_name` is one of names().
  bool matches(std::string_view channel_name) const noexcept;

  /// The channel is ready (its default endpoint exists). Throw to refuse it: the endpoint is
  /// destroyed and the channel stays unbound.
  virtual void probe(Channel& channel);
  /// The channel goes away or the driver is unbound; its endpoint still exists here, but the
  /// peer may be gone. Exceptions are logged and otherwise ignored.
  virtual void remove(Channel& channel);
  /// A message arrived at the channel's default endpoint (see EndpointCallback).
  virtual void receive(Channel& channel, std::span<const std::byte> payload, std::uint32_t source) = 0;

 private:
  friend class Bus;
  std::vector<std::string> names_;
  std::vector<Bus*> buses_;  // where it is registered
};

}  // namespace vgen::rpmsg
