#include "vgen/trace_view/show.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string_view>
#include <thread>

#include <vgen/format.hpp>
#include <vgen/trace/vhost_user_names.hpp>

namespace vgen::trace_view {
namespace {

using trace::Channel;
using trace::EventKind;
using trace::Record;

// Payload bytes shown per line at most; the rest is summed up as "… N bytes".
constexpr std::size_t kShownPayload = 48;

std::string_view kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::ChainAdded:
      return "chain-added";
    case EventKind::AvailPublished:
      return "avail-published";
    case EventKind::ChainTaken:
      return "chain-taken";
    case EventKind::UsedPushed:
      return "used-pushed";
    case EventKind::UsedPublished:
      return "used-published";
    case EventKind::UsedReclaimed:
      return "used-reclaimed";
    case EventKind::NotifySent:
      return "notify";
    case EventKind::NotifySuppressed:
      return "notify-suppressed";
    case EventKind::QueueBroken:
      return "queue-broken";
    case EventKind::StateChanged:
      return "state";
    case EventKind::UsedLengthIgnored:
      return "used-len-ignored";
    case EventKind::AvailSeen:
      return "avail-seen";
    case EventKind::UsedSeen:
      return "used-seen";
    case EventKind::FeaturesNegotiated:
      return "features";
    case EventKind::ConfigRead:
      return "config-read";
    case EventKind::ConfigWrite:
      return "config-write";
    case EventKind::MmioRead:
      return "mmio-read";
    case EventKind::MmioWrite:
      return "mmio-write";
    case EventKind::XenRequest:
      return "xen-request";
    case EventKind::XenResponse:
      return "xen-response";
    case EventKind::XenPushed:
      return "xen-pushed";
    case EventKind::GrantMapped:
      return "grant-mapped";
    case EventKind::GrantUnmapped:
      return "grant-unmapped";
    case EventKind::EventSent:
      return "event-sent";
    case EventKind::EventReceived:
      return "event-received";
    case EventKind::StoreMessage:
      return "store-message";
    case EventKind::RpmsgMessage:
      return "rpmsg-message";
    case EventKind::VhostUserMessage:
      return "vhost-user-message";
    case EventKind::Dropped:
      return "dropped";
    case EventKind::Group:
      return "group";  // the reader hands out a group's records, never the group
  }
  return "unknown";  // the reader refuses kinds it does not know
}

std::string seconds(std::uint64_t ns) {
  char text[40];
  std::snprintf(text, sizeof text, "+%llu.%09llu", static_cast<unsigned long long>(ns / 1000000000u),
                static_cast<unsigned long long>(ns % 1000000000u));
  return text;
}

// The descriptors as [addr+len flags, ...]: r device-readable, w device-writable; "…N more"
// when the chain had more than were stored.
std::string descriptors(const Record& r) {
  if (r.descriptor_count() == 0) return "";
  std::string out = " [";
  for (std::size_t i = 0; i < r.descriptor_count(); ++i) {
    const trace::Descriptor d = r.descriptor(i);
    if (i > 0) out += ", ";
    out += hex(d.addr) + "+" + std::to_string(d.length) + ((d.flags & trace::kDescriptorWritable) != 0 ? " w" : " r");
    if ((d.flags & ~std::uint16_t{3}) != 0) out += " flags " + hex(d.flags);
  }
  if (r.chain_descriptors > r.descriptor_count()) {
    out += ", " + std::to_string(r.chain_descriptors - r.descriptor_count()) + " more";
  }
  return out + "]";
}

// The payload: quoted text when every shown byte is printable ASCII, hex bytes otherwise;
// then how much was not shown (cut by the recorder or here).
std::string payload(const Record& r) { return bytes_text(r.payload, r.payload_length, kShownPayload); }

std::string virtqueue_fields(const Record& r) {
  const std::string head = "head " + std::to_string(r.head);
  switch (r.kind) {
    case EventKind::ChainAdded:
      return head + " avail-idx " + std::to_string(r.index) + " out " + std::to_string(r.a) + " in " +
             std::to_string(r.b);
    case EventKind::ChainTaken:
      return head + " next-avail " + std::to_string(r.index) + " out " + std::to_string(r.a) + " in " +
             std::to_string(r.b);
    case EventKind::AvailSeen:
      return head + " at " + std::to_string(r.index) + " out " + std::to_string(r.a) + " in " + std::to_string(r.b);
    case EventKind::UsedPushed:
      return head + " used-idx " + std::to_string(r.index) + " len " + std::to_string(r.a);
    case EventKind::UsedReclaimed:
      return head + " last-used " + std::to_string(r.index) + " len " + std::to_string(r.a);
    case EventKind::UsedSeen:
      return "id " + std::to_string(r.head) + " at " + std::to_string(r.index) + " len " + std::to_string(r.a);
    case EventKind::AvailPublished:
    case EventKind::UsedPublished:
      return "idx " + std::to_string(r.index);
    case EventKind::NotifySent:
    case EventKind::NotifySuppressed:
      return std::string(r.head == 0 ? "kick" : "interrupt") + " idx " + std::to_string(r.index);
    case EventKind::QueueBroken:
      return "error " + std::to_string(r.index);
    case EventKind::UsedLengthIgnored:
      return head + " at " + std::to_string(r.index) + " len " + std::to_string(r.a);
    default:
      return "";
  }
}

std::string state_fields(const Record& r) {
  switch (r.channel) {
    case Channel::Virtio:
      return std::string(r.index == 0 ? "driver" : "device") + " status " + status_names(r.a) + " -> " +
             status_names(r.b);
    case Channel::VirtioBus:
      return r.b != 0 ? "bound" : "unbound";
    case Channel::Xenbus:
      return std::string(r.index == 0 ? "frontend " : "backend ") + xenbus_state_name(r.a) + " -> " +
             xenbus_state_name(r.b);
    case Channel::Rpmsg:
      return "channel " + hex(r.index) + (r.b != 0 ? " created" : " destroyed");
    default:
      return "index " + std::to_string(r.index) + " " + std::to_string(r.a) + " -> " + std::to_string(r.b);
  }
}

// A vhost-user message: who sent it, on which connection (0: the back-end channel), and from
// its 12-byte header the request by name (a back-end request on the back-end channel), whether
// it is a reply and the payload size; then the file descriptors it carried.
std::string vhost_user_fields(const Record& r) {
  std::string out = std::string(r.head == 0 ? "front-end" : "back-end") +
                    (r.index == 0 ? std::string(" backend-channel") : " connection " + std::to_string(r.index));
  if (r.payload.size() >= 12) {
    const auto word = [&r](std::size_t at) {
      std::uint32_t value = 0;
      for (std::size_t i = 0; i < 4; ++i) value |= std::to_integer<std::uint32_t>(r.payload[at + i]) << (8 * i);
      return value;
    };
    const std::string_view name =
        r.index == 0 ? trace::vhost_user_backend_request_name(word(0)) : trace::vhost_user_request_name(word(0));
    out += " " + (name.empty() ? "request " + std::to_string(word(0)) : std::string(name)) +
           ((word(4) & 0x4) != 0 ? " reply" : "") + " size " + std::to_string(word(8));
  }
  return out + " fds " + std::to_string(r.a);
}

std::string fields(const Record& r) {
  switch (r.kind) {
    case EventKind::VhostUserMessage:
      return vhost_user_fields(r);
    case EventKind::StateChanged:
      return state_fields(r);
    case EventKind::Dropped:
      return std::to_string(r.a) + " records lost (" + std::to_string(r.b) + " in all)";
    default:
      break;
  }
  if (r.channel == Channel::Virtqueue) return virtqueue_fields(r);
  return "head " + std::to_string(r.head) + " index " + std::to_string(r.index) + " a " + std::to_string(r.a) + " b " +
         std::to_string(r.b);
}

// True when `filter` lets `record` through: its interface is named (or none are), and its
// time after the first record is within since..until.
bool selected(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces,
              std::uint64_t first_ns, const ShowFilter& filter) {
  if (!filter.interfaces.empty() && std::find(filter.interfaces.begin(), filter.interfaces.end(),
                                              interface_name(record, interfaces)) == filter.interfaces.end()) {
    return false;
  }
  const double after = static_cast<double>(record.timestamp_ns >= first_ns ? record.timestamp_ns - first_ns : 0) / 1e9;
  return !(filter.since && after < *filter.since) && !(filter.until && after > *filter.until);
}

}  // namespace

std::string status_names(std::uint64_t status) {
  static constexpr std::array<std::pair<std::uint64_t, std::string_view>, 6> kBits = {{
      {1, "ACKNOWLEDGE"},
      {2, "DRIVER"},
      {8, "FEATURES_OK"},
      {4, "DRIVER_OK"},
      {64, "DEVICE_NEEDS_RESET"},
      {128, "FAILED"},
  }};
  if (status == 0) return "0";
  std::string out;
  std::uint64_t rest = status;
  for (const auto& [bit, name] : kBits) {
    if ((status & bit) == 0) continue;
    if (!out.empty()) out += '|';
    out += name;
    rest &= ~bit;
  }
  if (rest != 0) out += (out.empty() ? "" : "|") + hex(rest);
  return out;
}

std::string xenbus_state_name(std::uint64_t state) {
  static constexpr std::array<std::string_view, 9> kStates = {"Unknown",     "Initialising",  "InitWait",
                                                              "Initialised", "Connected",     "Closing",
                                                              "Closed",      "Reconfiguring", "Reconfigured"};
  return state < kStates.size() ? std::string(kStates[state]) : "state-" + std::to_string(state);
}

std::string interface_name(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces) {
  return record.interface < interfaces.size() && !interfaces[record.interface].name.empty()
             ? interfaces[record.interface].name
             : "if" + std::to_string(record.interface);
}

std::string describe(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces,
                     std::uint64_t first_ns) {
  return describe(record, interfaces, first_ns, DecodeContext{});
}

std::string describe(const trace::LogRecord& record, const std::vector<trace::LogInterface>& interfaces,
                     std::uint64_t first_ns, const DecodeContext& context) {
  const Record& r = record.record;
  const std::string where = interface_name(record, interfaces);
  const std::uint64_t since = record.timestamp_ns >= first_ns ? record.timestamp_ns - first_ns : 0;
  std::string line = seconds(since) + " " + where + " " + std::string(kind_name(r.kind));
  const std::optional<DecodedFields> decoded = decode_fields(r, context);
  const std::string rest = decoded ? decoded->text : fields(r);
  if (!rest.empty()) line += " " + rest;
  if (decoded && decoded->payload_shown) return line + descriptors(r);
  const std::optional<std::string> by_spec = chain_payload_fields(r, context);
  return line + descriptors(r) + (by_spec ? " " + *by_spec : payload(r));
}

std::uint64_t show(trace::LogReader& reader, std::ostream& out) { return show(reader, out, ShowFilter{}); }

std::uint64_t show(trace::LogReader& reader, std::ostream& out, const ShowFilter& filter) {
  // How long follow mode waits before looking at the end of the log again.
  constexpr auto kFollowPause = std::chrono::milliseconds(100);
  reader.set_follow(filter.follow);
  std::uint64_t shown = 0;
  std::optional<std::uint64_t> first_ns;
  DecodeContext context(filter.payloads);
  for (;;) {
    const trace::LogRecord* record = reader.next();
    if (record == nullptr) {
      if (!filter.follow) return shown;
      out.flush();
      std::this_thread::sleep_for(kFollowPause);
      continue;
    }
    if (!first_ns) first_ns = record->timestamp_ns;
    context.learn(record->record);
    if (!selected(*record, reader.interfaces(), *first_ns, filter)) continue;
    out << describe(*record, reader.interfaces(), *first_ns, context) << '\n';
    ++shown;
  }
}

}  // namespace vgen::trace_view
