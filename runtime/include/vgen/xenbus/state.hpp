// Xenbus device states, numbered exactly as enum xenbus_state in xen/io/xenbus.h, and the
// transitions each side of a split driver may make.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vgen::xenbus {

/// The state a frontend or backend publishes in its `state` node (decimal).
enum class State : std::uint8_t {
  Unknown = 0,        ///< no state yet (or the node is unreadable)
  Initialising = 1,   ///< set up by the toolstack; the driver is starting
  InitWait = 2,       ///< backend: probed, waiting for the frontend's details
  Initialised = 3,    ///< frontend: ring-ref and event-channel published
  Connected = 4,      ///< both: the ring is in use
  Closing = 5,        ///< both: shutting down, in-flight requests being flushed
  Closed = 6,         ///< both: disconnected
  Reconfiguring = 7,  ///< frontend: asks to change configuration while connected
  Reconfigured = 8,   ///< backend: configuration changed
};

/// Highest valid state number.
inline constexpr unsigned kMaxState = 8;

/// Which end of a split driver.
enum class Side : std::uint8_t { Frontend, Backend };

/// "Unknown", "Initialising", ... "Reconfigured".
const char* to_string(State state) noexcept;
/// "frontend" or "backend".
const char* to_string(Side side) noexcept;

/// The state a `state` node's value names. Throws xenbus::Error(BadValue) naming `node`
/// and the value unless it is a decimal 0..8 (no sign, no spaces, no leading zeros).
State parse_state(std::string_view value, std::string_view node);

/// True if `side` may go from `from` to `to` (switching to the current state is always
/// allowed and does nothing). The rules, from the Xen split-driver handshake:
///   frontend: Initialising -> Initialised; Initialised -> Connected; Connected ->
///     Reconfiguring; Reconfiguring -> Connected; any live state -> Closing; Closing ->
///     Closed; any state -> Initialising (reconnect, migration resume);
///   backend: Initialising/Closed -> InitWait (probe, reconnect); InitWait/Initialising ->
///     Connected; Connected -> Reconfigured; Reconfigured -> Connected; any live state ->
///     Closing; Closing -> Closed; Connected/Reconfigured -> InitWait (the frontend reset);
///   either side may go to Closed from Initialising, InitWait or Initialised (nothing to
///   flush yet). Unknown is never a target.
bool transition_allowed(Side side, State from, State to) noexcept;

}  // namespace vgen::xenbus
