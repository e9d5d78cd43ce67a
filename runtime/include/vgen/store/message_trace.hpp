// Tracing XenStore messages: the daemon, the wire client and the in-process store hand each
// message they exchange (xs_wire.h header and payload) to a trace sink as one StoreMessage
// event. docs/trace.md says how a log stores it.
#pragma once

#include <cstdint>
#include <string_view>

#include <vgen/store/domain.hpp>
#include <vgen/store/wire.hpp>
#include <vgen/trace/hooks.hpp>

namespace vgen::store {

/// Who sent a traced message.
enum class TracedDirection : std::uint16_t {
  ToDaemon = 0,    ///< a request from a client
  FromDaemon = 1,  ///< a reply or a watch event from the daemon
};

/// Where a traced message was seen.
enum class TracedAt : std::uint8_t {
  Client = 0,  ///< by a client (WireClient, LocalClient)
  Daemon = 1,  ///< by the daemon (Server) or the in-process store
};

/// Records `message` (its header, with len set to the payload's size, and payload) on
/// `sink` as trace::EventKind::StoreMessage: queue = `domain` (the connection's domain),
/// index = `connection` (the daemon's connection id, 0 where a client does not know it),
/// head = `direction`, a = `at`. Does nothing for a null sink; never throws.
void trace_message(trace::TraceSink* sink, DomainId domain, std::uint32_t connection, TracedDirection direction,
                   TracedAt at, const Message& message) noexcept;

/// Records `bytes` a client wrote as they are, which need not be one whole message (a hostile
/// peer's oversized or cut-short framing), as trace::EventKind::StoreMessage with b = 1 and
/// the other fields as trace_message() sets them. Does nothing for a null sink; never throws.
void trace_raw_bytes(trace::TraceSink* sink, DomainId domain, std::uint32_t connection, TracedDirection direction,
                     TracedAt at, std::string_view bytes) noexcept;

}  // namespace vgen::store
