#include <vgen/store/message_trace.hpp>

#include <cstring>
#include <span>
#include <string>

namespace vgen::store {
namespace {

// Records `bytes` as one StoreMessage event; b = 1 when they are `raw`, as a client wrote them.
void record_bytes(trace::TraceSink& sink, DomainId domain, std::uint32_t connection, TracedDirection direction,
                  TracedAt at, std::string_view bytes, bool raw) noexcept {
  trace::Event event{trace::EventKind::StoreMessage, domain, static_cast<std::uint16_t>(direction), connection};
  event.a = static_cast<std::uint64_t>(at);
  event.b = raw ? 1 : 0;
  event.bytes = std::as_bytes(std::span(bytes));
  sink.record(event);
}

}  // namespace

void trace_message(trace::TraceSink* sink, DomainId domain, std::uint32_t connection, TracedDirection direction,
                   TracedAt at, const Message& message) noexcept {
  if (sink == nullptr) return;
  try {
    Header header = message.header;
    header.len = static_cast<std::uint32_t>(message.payload.size());
    const std::array<std::byte, kHeaderSize> encoded = encode_header(header);
    std::string bytes(kHeaderSize + message.payload.size(), '\0');
    std::memcpy(bytes.data(), encoded.data(), kHeaderSize);
    std::memcpy(bytes.data() + kHeaderSize, message.payload.data(), message.payload.size());
    record_bytes(*sink, domain, connection, direction, at, bytes, false);
  } catch (...) {
    // Out of memory: the message goes untraced rather than disturbing the store.
  }
}

void trace_raw_bytes(trace::TraceSink* sink, DomainId domain, std::uint32_t connection, TracedDirection direction,
                     TracedAt at, std::string_view bytes) noexcept {
  if (sink != nullptr) record_bytes(*sink, domain, connection, direction, at, bytes, true);
}

}  // namespace vgen::store
