#include "vgen/trace_view/decode.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include <vgen/format.hpp>
#include <vgen/rpmsg/wire.hpp>
#include <vgen/store/wire.hpp>
#include <vgen/trace/config_access.hpp>
#include <vgen/virtio/features.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/mmio_registers.hpp>

#include "vgen/trace_view/show.hpp"

namespace vgen::trace_view {
namespace {

using trace::EventKind;
using trace::Record;

std::uint32_t le32(std::span<const std::byte> bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value |= std::to_integer<std::uint32_t>(bytes[at + i]) << (8 * i);
  return value;
}

bool printable(char c) { return c >= 0x20 && c < 0x7f; }

// `text` in double quotes, with '"' and '\' escaped and other unprintable bytes as \xNN.
std::string quoted(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (printable(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += "\\x";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 15];
    }
  }
  return out + "\"";
}

std::string_view as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// "device offset 0x10 width 4 value 0x1": the side that recorded the access
// (trace::kConfigByDriver), then the spec's name of the configuration field, then `refused`.
std::string config_fields(const Record& r, const DecodeContext& context) {
  std::string out = std::string(trace::config_by_driver(r.b) ? "driver" : "device") + " offset " + hex(r.index) +
                    " width " + std::to_string(r.head) + " value " + hex(r.a);
  if (context.payloads() != nullptr) {
    if (const auto field = context.payloads()->config_field(r.index)) out += " field " + *field;
  }
  if (trace::config_refused(r.b)) out += " refused";
  return out;
}

// The register by name (or the configuration offset), the value, and a fault other than none.
std::string mmio_fields(const Record& r, const DecodeContext& context) {
  std::string out;
  std::optional<std::string> field;
  if (r.index >= virtio::mmio::kConfig) {
    const std::uint32_t offset = r.index - virtio::mmio::kConfig;
    out = "config+" + hex(offset);
    if (context.payloads() != nullptr) field = context.payloads()->config_field(offset);
  } else {
    const virtio::mmio::RegisterInfo info = virtio::mmio::register_info(r.index);
    out = info.direction == virtio::mmio::Direction::None ? "offset " + hex(r.index) : std::string(info.name);
  }
  out += " width " + std::to_string(r.head) + " value " + hex(r.a);
  if (r.index == virtio::mmio::kStatus) out += " (" + status_names(r.a) + ")";
  if (field) out += " field " + *field;
  if (r.b != 0) {
    out += " fault " + (r.b <= static_cast<std::uint64_t>(virtio::AccessFault::Rejected)
                            ? std::string(virtio::to_string(static_cast<virtio::AccessFault>(r.b)))
                            : std::to_string(r.b));
  }
  return out;
}

// A ring entry: who queued or took it, its index, and its fields by the spec when known.
DecodedFields xen_entry_fields(const Record& r, const DecodeContext& context) {
  const bool request = r.kind == EventKind::XenRequest;
  std::string who;
  if (request) {
    who = r.head == 0 ? "frontend-queued" : "backend-took";
  } else {
    who = r.head == 0 ? "backend-queued" : "frontend-took";
  }
  DecodedFields out{who + " idx " + std::to_string(r.index)};
  if (context.payloads() != nullptr) {
    if (const auto fields = context.payloads()->fields(r, "")) {
      out.text += " " + *fields;
      out.payload_shown = true;
    }
  }
  return out;
}

// A XenStore message: direction, domain, connection, who saw it, then from its xs_wire.h
// header the operation, request and transaction ids, and the payload's NUL-separated strings.
DecodedFields store_fields(const Record& r) {
  DecodedFields out;
  out.text = std::string(r.head == 0 ? "to-daemon" : "from-daemon") + " domain " + std::to_string(r.queue) +
             (r.index != 0 ? " connection " + std::to_string(r.index) : "") + " seen-by " +
             (r.a != 0 ? "daemon" : "client") + (r.b != 0 ? " raw" : "");
  if (r.payload_length < store::kHeaderSize) {
    if (r.b != 0) out.text += " " + std::to_string(r.payload_length) + " bytes, shorter than a header";
    return out;  // the raw bytes follow
  }
  if (r.payload.size() < store::kHeaderSize) return out;  // a cut header: show the raw bytes
  const std::uint32_t type = le32(r.payload, 0);
  out.text += " " + store_operation_name(type) + " req " + std::to_string(le32(r.payload, 4)) + " tx " +
              std::to_string(le32(r.payload, 8));
  const std::string_view body = as_text(r.payload.subspan(store::kHeaderSize));
  // WRITE: "path\0" then the raw value; everything else: NUL-terminated strings.
  std::size_t at = 0;
  int parts = 0;
  while (at < body.size()) {
    std::size_t end = body.find('\0', at);
    if (type == static_cast<std::uint32_t>(store::MessageType::Write) && parts == 1) end = std::string_view::npos;
    if (end == std::string_view::npos) end = body.size();
    out.text += " " + quoted(body.substr(at, end - at));
    at = end + 1;
    ++parts;
  }
  const std::uint64_t full = r.payload_length - store::kHeaderSize;
  if (full > body.size()) out.text += " (" + std::to_string(full) + " bytes)";
  // Raw bytes carry their own framing: say when the header's len is not what followed it.
  const std::uint32_t stated = le32(r.payload, 12);
  if (r.b != 0 && stated != full) {
    out.text += " [header len " + std::to_string(stated) + ", " + std::to_string(full) + " bytes follow]";
  }
  out.payload_shown = true;
  return out;
}

// An address with the channel name announced for it: "0x400 (rpmsg-echo)".
std::string rpmsg_address(std::uint32_t address, const DecodeContext& context) {
  if (address == rpmsg::kNameServiceAddress) return rpmsg::address_text(address) + " (name-service)";
  const std::string name = context.rpmsg_name(address);
  return rpmsg::address_text(address) + (name.empty() ? "" : " (" + name + ")");
}

// An rpmsg message: direction, source and destination with channel names, the length, then a
// name-service announcement decoded, the spec's fields, or the payload.
DecodedFields rpmsg_fields(const Record& r, const DecodeContext& context) {
  DecodedFields out{r.head == 0 ? "sent" : "received"};
  if (r.payload.size() < rpmsg::kHeaderSize) return out;
  const rpmsg::Header header = rpmsg::decode_header(r.payload.data());
  out.text += " " + rpmsg_address(header.source, context) + " -> " + rpmsg_address(header.destination, context) +
              " len " + std::to_string(header.length);
  const std::span<const std::byte> body = r.payload.subspan(rpmsg::kHeaderSize);
  const std::uint64_t full = r.payload_length - rpmsg::kHeaderSize;
  out.payload_shown = true;
  if (header.destination == rpmsg::kNameServiceAddress) {
    const rpmsg::DecodedAnnouncement decoded =
        rpmsg::decode_announcement(body.first(std::min<std::size_t>(body.size(), header.length)));
    if (decoded.announcement) {
      const rpmsg::Announcement& a = *decoded.announcement;
      out.text += std::string(" name-service ") + (a.kind == rpmsg::AnnouncementKind::Create ? "create " : "destroy ") +
                  quoted(a.name) + " addr " + rpmsg::address_text(a.address);
      return out;
    }
    out.text += " name-service (" + decoded.problem + ")";
  }
  if (context.payloads() != nullptr) {
    const std::uint32_t channel = r.head == 0 ? header.source : header.destination;
    if (const auto fields = context.payloads()->fields(r, context.rpmsg_name(channel))) {
      out.text += " " + *fields;
      return out;
    }
  }
  out.text += bytes_text(body, full);
  return out;
}

}  // namespace

void DecodeContext::learn(const Record& record) {
  if (record.kind != EventKind::RpmsgMessage || record.payload.size() < rpmsg::kHeaderSize) return;
  const rpmsg::Header header = rpmsg::decode_header(record.payload.data());
  if (header.destination != rpmsg::kNameServiceAddress) return;
  const std::span<const std::byte> body = record.payload.subspan(rpmsg::kHeaderSize);
  const rpmsg::DecodedAnnouncement decoded =
      rpmsg::decode_announcement(body.first(std::min<std::size_t>(body.size(), header.length)));
  if (!decoded.announcement) return;
  if (decoded.announcement->kind == rpmsg::AnnouncementKind::Create) {
    rpmsg_names_[decoded.announcement->address] = decoded.announcement->name;
  }
  // A destroyed channel keeps its name: messages still in flight name it.
}

std::string DecodeContext::rpmsg_name(std::uint32_t address) const {
  const auto found = rpmsg_names_.find(address);
  return found != rpmsg_names_.end() ? found->second : "";
}

std::optional<DecodedFields> decode_fields(const Record& r, const DecodeContext& context) {
  switch (r.kind) {
    case EventKind::FeaturesNegotiated:
      return DecodedFields{std::string(r.index == 0 ? "driver" : "device") + " offered " + hex(r.a) + " accepted " +
                           hex(r.b) + " (" + feature_names(r.b, context.payloads()) + ")"};
    case EventKind::ConfigRead:
    case EventKind::ConfigWrite:
      return DecodedFields{config_fields(r, context)};
    case EventKind::MmioRead:
    case EventKind::MmioWrite:
      return DecodedFields{mmio_fields(r, context)};
    case EventKind::XenRequest:
    case EventKind::XenResponse:
      return xen_entry_fields(r, context);
    case EventKind::XenPushed:
      return DecodedFields{std::string(r.head == 0 ? "requests" : "responses") + " prod " + std::to_string(r.index) +
                           (r.a != 0 ? " notify" : " no-notify")};
    case EventKind::GrantMapped:
    case EventKind::GrantUnmapped:
      return DecodedFields{"ref " + std::to_string(r.index) + " by domain " + std::to_string(r.head) + " from domain " +
                           std::to_string(r.a) + (r.b != 0 ? " read-write" : " read-only")};
    case EventKind::EventSent:
    case EventKind::EventReceived:
      return DecodedFields{"domain " + std::to_string(r.head) + " port " + std::to_string(r.index)};
    case EventKind::StoreMessage:
      return store_fields(r);
    case EventKind::RpmsgMessage:
      return rpmsg_fields(r, context);
    default:
      return std::nullopt;
  }
}

std::optional<std::string> chain_payload_fields(const Record& r, const DecodeContext& context) {
  if (context.payloads() == nullptr || r.channel != trace::Channel::Virtqueue) return std::nullopt;
  return context.payloads()->fields(r, "");
}

std::string bytes_text(std::span<const std::byte> bytes, std::uint64_t full_length, std::size_t limit) {
  if (full_length == 0) return "";
  const std::size_t shown = std::min(bytes.size(), limit);
  if (shown == 0) return " (" + std::to_string(full_length) + " bytes, not recorded)";
  const std::string_view text = as_text(bytes.first(shown));
  std::string out = " ";
  if (std::all_of(text.begin(), text.end(), printable)) {
    out += '"';
    for (const char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  } else {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      out += kDigits[byte >> 4];
      out += kDigits[byte & 15];
    }
  }
  if (full_length > shown) out += " (" + std::to_string(full_length) + " bytes)";
  return out;
}

std::string feature_names(std::uint64_t features, const PayloadDecoder* payloads) {
  if (features == 0) return "0";
  constexpr std::string_view kTransportPrefix = "VIRTIO_F_";
  std::string out;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((features & (std::uint64_t{1} << bit)) == 0) continue;
    std::string name;
    if ((virtio::kReservedFeatureRange & (std::uint64_t{1} << bit)) != 0) {
      name = virtio::feature_name(bit);
      if (name.starts_with(kTransportPrefix)) name = name.substr(kTransportPrefix.size());
      if (name.starts_with("feature bit ")) name = "bit " + std::to_string(bit);
    } else if (payloads != nullptr) {
      name = payloads->feature_name(bit).value_or("bit " + std::to_string(bit));
    } else {
      name = "bit " + std::to_string(bit);
    }
    if (!out.empty()) out += '|';
    out += name;
  }
  return out;
}

std::string store_operation_name(std::uint32_t type) { return store::message_type_name(type); }

}  // namespace vgen::trace_view
