// Trace hooks: every ring and state event the runtime produces can be handed to a sink.
// A queue or device holds a TraceSink pointer; null (the default) costs one branch.
//
// An event is a handful of numbers (what happened, on which queue or ring, to which head,
// at which index, two values) plus, for events that carry data, the descriptors of a chain
// (`buffers`) and the bytes of a message (`bytes`). Both are views valid only during
// TraceSink::record(); a sink copies what it keeps. docs/trace.md says what each
// kind's fields hold and how a log stores them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vgen::trace {

/// What happened. The numbers are part of the log format (docs/trace.md): new kinds
/// are only ever appended.
enum class EventKind : std::uint8_t {
  ChainAdded,          ///< driver wrote a chain: head, total readable (a) and writable (b) bytes
  AvailPublished,      ///< driver published the avail idx: index = new idx
  ChainTaken,          ///< device took a chain: head, readable (a) and writable (b) bytes
  UsedPushed,          ///< device returned a chain: head, written length (a)
  UsedPublished,       ///< device published the used idx: index = new idx
  UsedReclaimed,       ///< driver reclaimed a chain: head, length (a)
  NotifySent,          ///< a notification was sent to the peer: head 0 the driver's kick,
                       ///< 1 the device's interrupt; index = the idx just published
  NotifySuppressed,    ///< a notification was not needed (flags or event idx): as NotifySent
  QueueBroken,         ///< hostile or inconsistent input; the queue stopped
  StateChanged,        ///< a device or bus state changed: a = old, b = new; VirtIO status:
                       ///< index 0 the driver's, 1 the device's
  UsedLengthIgnored,   ///< driver took 0 for the used len (a) of chain `head`, which has no
                       ///< device-writable bytes; index = the entry's used ring index
  AvailSeen,           ///< an observer saw a chain in the avail ring: head, index = avail
                       ///< ring position, a/b = readable/writable bytes
  UsedSeen,            ///< an observer saw a used entry: head = id, index = used ring
                       ///< position, a = len
  FeaturesNegotiated,  ///< a = features offered, b = features accepted; index 0 driver, 1 device
  ConfigRead,          ///< configuration read: index = offset, head = width, a = value
  ConfigWrite,         ///< configuration write: index = offset, head = width, a = value,
                       ///< b = 1 when the device refused it
  MmioRead,            ///< virtio-mmio register read: index = offset, head = width, a = value,
                       ///< b = the fault (0 none)
  MmioWrite,           ///< virtio-mmio register write: as MmioRead
  XenRequest,          ///< a Xen ring request: head 0 queued by the frontend, 1 taken by the
                       ///< backend; index = ring index; bytes = the entry
  XenResponse,         ///< a Xen ring response: head 0 queued by the backend, 1 taken by the
                       ///< frontend; index = ring index; bytes = the entry
  XenPushed,           ///< producer index published: head 0 requests, 1 responses; index = the
                       ///< new producer index; a = 1 when the peer must be notified
  GrantMapped,         ///< a grant was mapped: index = reference, a = granting domain,
                       ///< b = 1 read-write / 0 read-only, head = mapping domain
  GrantUnmapped,       ///< a grant mapping was removed: as GrantMapped
  EventSent,           ///< an event channel was notified: index = local port, head = own domain
  EventReceived,       ///< a pending event channel notification was consumed: as EventSent
  StoreMessage,        ///< one XenStore wire message: bytes = header and payload; head 0 to
                       ///< the daemon, 1 from it; index = connection; a = 1 seen by the daemon;
                       ///< b = 1 raw bytes as a client wrote them, not always one whole message
  RpmsgMessage,        ///< one rpmsg message: bytes = the 16-byte header and payload; head 0
                       ///< sent, 1 received
  VhostUserMessage,    ///< one vhost-user message: bytes = the 12-byte header and payload;
                       ///< head 0 front end to back end, 1 back; a = file descriptors attached
  Dropped,             ///< the recorder lost records: a = lost since the last report, b = total
  Group,               ///< only in a log: one record holding several records of one channel and
                       ///< queue, one timestamp for all (TraceSink::record_in_group()); a log
                       ///< reader hands out the records it holds, never the group
};

/// Which kind of channel an event belongs to; a log has one interface per channel and
/// queue number. Numbers are part of the log format.
enum class Channel : std::uint8_t {
  Auto = 0,          ///< derived from the kind (channel_of())
  Virtqueue = 1,     ///< a split virtqueue; queue = its index
  Virtio = 2,        ///< the VirtIO device model: status, features, configuration
  VirtioBus = 3,     ///< the virtio bus: bind (a 0 → b 1) and unbind
  Mmio = 4,          ///< virtio-mmio registers
  XenRing = 5,       ///< a Xen shared ring; queue = the device id
  Grant = 6,         ///< grant mapping
  EventChannel = 7,  ///< Xen event channels
  Store = 8,         ///< XenStore messages
  Xenbus = 9,        ///< Xenbus states; queue = device id, index 0 frontend, 1 backend
  Rpmsg = 10,        ///< rpmsg bus: link state and messages
  VhostUser = 11,    ///< vhost-user messages
  Recorder = 12,     ///< the recorder itself (drops)
};

/// One buffer of a chain as a hook sees it: where it is in guest memory, its descriptor
/// flags (VIRTQ_DESC_F_*) and its bytes in this process (null when not mapped here).
struct BufferRef {
  const std::byte* host = nullptr;  ///< the first byte here, or null
  std::uint64_t addr = 0;           ///< guest address
  std::uint32_t length = 0;         ///< bytes
  std::uint16_t flags = 0;          ///< descriptor flags: 2 = device-writable
};

/// One event. Fields not used by a kind are 0.
struct Event {
  EventKind kind;
  std::uint16_t queue = 0;  ///< queue index (or ring/channel id)
  std::uint16_t head = 0;   ///< descriptor head / request id where relevant
  std::uint32_t index = 0;  ///< ring index where relevant
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  Channel channel = Channel::Auto;       ///< set where the kind alone does not tell (StateChanged)
  std::span<const BufferRef> buffers{};  ///< a chain's descriptors, in chain order
  std::span<const std::byte> bytes{};    ///< a message's bytes
};

/// The channel of `event`: its own when set, else the one its kind belongs to.
constexpr Channel channel_of(const Event& event) noexcept {
  if (event.channel != Channel::Auto) return event.channel;
  switch (event.kind) {
    case EventKind::FeaturesNegotiated:
    case EventKind::ConfigRead:
    case EventKind::ConfigWrite:
    case EventKind::StateChanged:
      return Channel::Virtio;
    case EventKind::MmioRead:
    case EventKind::MmioWrite:
      return Channel::Mmio;
    case EventKind::XenRequest:
    case EventKind::XenResponse:
    case EventKind::XenPushed:
      return Channel::XenRing;
    case EventKind::GrantMapped:
    case EventKind::GrantUnmapped:
      return Channel::Grant;
    case EventKind::EventSent:
    case EventKind::EventReceived:
      return Channel::EventChannel;
    case EventKind::StoreMessage:
      return Channel::Store;
    case EventKind::RpmsgMessage:
      return Channel::Rpmsg;
    case EventKind::VhostUserMessage:
      return Channel::VhostUser;
    case EventKind::Dropped:
      return Channel::Recorder;
    default:
      return Channel::Virtqueue;
  }
}

/// Which ends of a channel record into one sink, which decides what an end's records hold.
enum class Ends : std::uint8_t {
  One,   ///< this end alone: its records hold everything it sees (descriptors, bytes)
  Both,  ///< the other end records into the same sink too: each end stores the contents of what
         ///< it produces only, so the log holds each byte once (a chain's descriptors and readable
         ///< bytes in ChainAdded, the bytes written in UsedPushed, a Xen ring entry's bytes when
         ///< queued); what an end consumes (ChainTaken, UsedReclaimed, a Xen ring entry taken) is
         ///< recorded with its numbers only
};

/// Receives events. Called on the thread that caused the event; must not block for long.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const Event& event) noexcept = 0;
  /// Like record(), for an event that may share one log record and one timestamp (the time of
  /// end_group()) with the events this thread records the same way before and after it, such as
  /// a queue's chains between two publishes. A sink that does not group records it at once.
  virtual void record_in_group(const Event& event) noexcept { record(event); }
  /// Ends this thread's group: its events are stored now, stamped with this time. A record()
  /// on this thread, or an event of another channel or queue, ends the group before it too.
  virtual void end_group() noexcept {}
};

}  // namespace vgen::trace
