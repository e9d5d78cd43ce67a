// The model of a `kind: rpmsg` spec: a service announced over the virtio-rpmsg name service.
// See docs/spec-format.md, "rpmsg".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/reference.hpp"

namespace vgen::gen {

/// Longest service name: the name-service announcement has a 32-byte name field that
/// includes the terminating NUL.
inline constexpr std::size_t kMaxServiceNameLength = 31;
/// Bytes of the rpmsg header in front of every payload.
inline constexpr std::uint32_t kRpmsgHeaderSize = 16;
/// Endpoint addresses below this are reserved (the name service uses 53).
inline constexpr std::uint32_t kFirstDynamicAddress = 1024;
/// The "any address" wildcard, never a real endpoint address.
inline constexpr std::uint32_t kAnyAddress = 0xFFFFFFFF;
/// The customary rpmsg buffer size, used when a spec does not set `buffer_size`.
inline constexpr std::uint32_t kDefaultBufferSize = 512;

/// An endpoint of the service.
struct Endpoint {
  std::string name;                      ///< unique
  std::optional<std::uint32_t> address;  ///< fixed address, when the spec gives one
  std::vector<NameRef> messages;         ///< struct types it receives (indices into the TypeTable)
  std::string description;               ///< free text, may be empty
  Location location;                     ///< where the entry starts
  Position name_position;                ///< where the name is written
  Position address_position;             ///< where the address is written, if it is
};

/// The device-specific part of an rpmsg spec.
struct RpmsgService {
  std::string service;                             ///< announced name, at most 31 bytes
  std::uint32_t buffer_size = kDefaultBufferSize;  ///< bytes per buffer, header included
  std::vector<Endpoint> endpoints;

  /// Largest payload a buffer carries.
  std::uint32_t max_payload() const { return buffer_size - kRpmsgHeaderSize; }
};

}  // namespace vgen::gen
