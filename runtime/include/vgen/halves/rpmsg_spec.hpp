// An rpmsg service as its spec describes it, in the form the runtime's halves read: the
// announced name, the buffer size and one entry per endpoint. The generated messages header
// defines one constexpr RpmsgSpec per spec (kSpec).
// It is the one runtime header a generated messages header includes: the wire codec and the
// standard types message structs use come with it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <vgen/rpmsg/wire.hpp>
#include <vgen/wire/codec.hpp>

namespace vgen::halves {

/// One endpoint of the service; endpoint 0 is the announced channel's.
struct EndpointSpec {
  std::uint32_t address = rpmsg::kAnyAddress;  ///< the remote's fixed address, or "any"
  std::uint32_t message_bytes = 0;             ///< the message's size (0 for raw bytes)
  bool raw = false;                            ///< raw bytes, no message type
};

/// An rpmsg service: what both halves need to know about it.
struct RpmsgSpec {
  std::string_view name{};                    ///< the spec's name, for messages
  std::string_view service{};                 ///< the name announced through the name service
  std::uint32_t buffer_size = 512;            ///< bytes per rpmsg buffer, header included
  std::span<const EndpointSpec> endpoints{};  ///< the endpoints, by index

  /// The largest payload of one message: the buffer less the rpmsg header.
  constexpr std::uint32_t max_payload() const noexcept { return buffer_size - rpmsg::kHeaderSize; }
};

}  // namespace vgen::halves
