// Trace hooks: every ring and state event the runtime produces can be handed to a sink.
// A queue or device holds a TraceSink pointer; null (the default) costs one branch.
#pragma once

#include <cstdint>

namespace vgen::trace {

/// What happened.
enum class EventKind : std::uint8_t {
  ChainAdded,        ///< driver wrote a chain: head, total readable (a) and writable (b) bytes
  AvailPublished,    ///< driver published the avail idx: index = new idx
  ChainTaken,        ///< device took a chain: head, readable (a) and writable (b) bytes
  UsedPushed,        ///< device returned a chain: head, written length (a)
  UsedPublished,     ///< device published the used idx: index = new idx
  UsedReclaimed,     ///< driver reclaimed a chain: head, length (a)
  NotifySent,        ///< a notification was sent to the peer
  NotifySuppressed,  ///< a notification was not needed (flags or event idx)
  QueueBroken,       ///< hostile or inconsistent input; the queue stopped
  StateChanged,      ///< a device or bus state changed: a = old, b = new
  UsedLengthIgnored, ///< driver took 0 for the used len (a) of chain `head`, which has no
                     ///< device-writable bytes; index = the entry's used ring index
};

/// One event. Fields not used by a kind are 0.
struct Event {
  EventKind kind;
  std::uint16_t queue = 0;  ///< queue index (or ring/channel id)
  std::uint16_t head = 0;   ///< descriptor head / request id where relevant
  std::uint32_t index = 0;  ///< ring index where relevant
  std::uint64_t a = 0;
  std::uint64_t b = 0;
};

/// Receives events. Called on the thread that caused the event; must not block for long.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const Event& event) noexcept = 0;
};

}  // namespace vgen::trace
