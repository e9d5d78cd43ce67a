// How a configuration access record (trace::EventKind::ConfigRead, ConfigWrite) says which side
// recorded it and whether it went through: bits of the event's `b` (docs/trace.md, "Kinds").
// The device records what it served (DeviceCore), the driver what it asked (DriverCore); an
// access the driver made through a transport appears once from each side when both record.
#pragma once

#include <cstdint>

namespace vgen::trace {

/// `b` bit 0: the device refused the access (a write it rejected; on the driver's side, any
/// access its transport reported refused, the value then 0).
inline constexpr std::uint64_t kConfigRefused = 1;
/// `b` bit 1: the driver recorded the access; clear, the device did.
inline constexpr std::uint64_t kConfigByDriver = 2;

/// True when a ConfigRead or ConfigWrite record's `b` says the driver recorded it.
constexpr bool config_by_driver(std::uint64_t b) noexcept { return (b & kConfigByDriver) != 0; }
/// True when it says the access was refused.
constexpr bool config_refused(std::uint64_t b) noexcept { return (b & kConfigRefused) != 0; }

}  // namespace vgen::trace
