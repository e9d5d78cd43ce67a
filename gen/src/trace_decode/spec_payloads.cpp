#include "vgen/gen/trace_decode/spec_payloads.hpp"

#include <algorithm>

#include "vgen/gen/spec/integer.hpp"

namespace vgen::gen {
namespace {

using trace::EventKind;

// Array elements shown before "...".
constexpr std::uint64_t kShownElements = 8;
// Bytes of a byte array shown before its length.
constexpr std::size_t kShownArrayBytes = 16;

std::uint64_t load(std::span<const std::byte> bytes, unsigned size, ByteOrder order) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    const unsigned shift = order == ByteOrder::little ? 8 * i : 8 * (size - 1 - i);
    value |= std::to_integer<std::uint64_t>(bytes[i]) << shift;
  }
  return value;
}

// The scalar's value as a decimal number, sign-extended for signed kinds.
std::string scalar_text(std::uint64_t value, ScalarKind kind) {
  const unsigned bits = scalar_bits(kind);
  if (scalar_is_signed(kind) && bits < 64 && (value >> (bits - 1)) != 0) value |= ~std::uint64_t{0} << bits;
  if (scalar_is_signed(kind)) return std::to_string(static_cast<std::int64_t>(value));
  return std::to_string(value);
}

class StructText {
 public:
  explicit StructText(const TypeTable& table) : table_(table) {}

  // One element of type `type` (no array) at the start of `bytes`, which holds it whole.
  std::string element(const FieldType& type, ByteOrder order, std::span<const std::byte> bytes, int depth) const {
    if (type.scalar) return scalar_text(load(bytes, scalar_size(*type.scalar), order), *type.scalar);
    const TypeDefinition& named = table_.types.at(*type.named);
    if (const StructType* nested = named.as_struct()) return named.name + members(*nested, bytes, depth + 1);
    if (const EnumType* values = named.as_enum()) {
      const std::uint64_t raw = load(bytes, scalar_size(values->underlying), order);
      for (const EnumValue& value : values->values) {
        if (value.value.bits() == (scalar_is_signed(values->underlying) ? sign_extend(raw, values->underlying) : raw)) {
          return value.name;
        }
      }
      return scalar_text(raw, values->underlying);
    }
    if (const FlagsType* flags = named.as_flags()) {
      std::uint64_t rest = load(bytes, scalar_size(flags->underlying), order);
      if (rest == 0) return "0";
      std::string out;
      for (const FlagBit& flag : flags->flags) {
        if ((rest & (std::uint64_t{1} << flag.bit)) == 0) continue;
        out += (out.empty() ? "" : "|") + flag.name;
        rest &= ~(std::uint64_t{1} << flag.bit);
      }
      if (rest != 0) out += (out.empty() ? "" : "|") + to_hex(rest);
      return out;
    }
    return "?";
  }

  // "{a=1 b=2}": the struct's fields held whole by `bytes`, then "..." if it is cut.
  std::string members(const StructType& type, std::span<const std::byte> bytes, int depth) const {
    std::string out = "{";
    bool first = true;
    for (const Member& member : type.members) {
      if (member.is_padding()) continue;
      if (!first) out += ' ';
      first = false;
      if (member.offset + member.size > bytes.size() || depth > 8) {
        // A nested struct that begins inside the bytes shows the fields of it they hold.
        const StructType* nested = member.offset < bytes.size() && depth <= 8 ? nested_struct(member) : nullptr;
        if (nested != nullptr) {
          out += member.name + "=" + table_.types.at(*member.type.named).name +
                 members(*nested, bytes.subspan(member.offset), depth + 1) + " ";
        }
        out += "...";
        break;
      }
      out += member.name + "=" + field(member, bytes.subspan(member.offset, member.size), depth);
    }
    return out + "}";
  }

 private:
  // The struct type of a member that is one struct (not an array), or null.
  const StructType* nested_struct(const Member& member) const {
    if (member.type.is_array() || !member.type.named) return nullptr;
    return table_.types.at(*member.type.named).as_struct();
  }

  std::uint64_t sign_extend(std::uint64_t value, ScalarKind kind) const {
    const unsigned bits = scalar_bits(kind);
    if (bits < 64 && (value >> (bits - 1)) != 0) value |= ~std::uint64_t{0} << bits;
    return value;
  }

  std::string field(const Member& member, std::span<const std::byte> bytes, int depth) const {
    if (!member.type.is_array()) return element(member.type, member.byte_order, bytes, depth);
    const std::uint64_t element_size = member.size / member.type.count;
    if (member.type.scalar && scalar_size(*member.type.scalar) == 1) {
      const std::string text = trace_view::bytes_text(bytes, bytes.size(), kShownArrayBytes);
      return text.empty() ? "\"\"" : text.substr(1);
    }
    std::string out = "[";
    for (std::uint64_t i = 0; i < member.type.count; ++i) {
      if (i == kShownElements) {
        out += " ...";
        break;
      }
      if (i > 0) out += ' ';
      out += element(member.type, member.byte_order, bytes.subspan(i * element_size, element_size), depth);
    }
    return out + "]";
  }

  const TypeTable& table_;
};

bool used_chain(EventKind kind) {
  return kind == EventKind::UsedPushed || kind == EventKind::UsedReclaimed || kind == EventKind::UsedSeen;
}

bool available_chain(EventKind kind) {
  return kind == EventKind::ChainAdded || kind == EventKind::ChainTaken || kind == EventKind::AvailSeen;
}

// Where `part` is in a bidirectional queue's chain, or the chain's length when it has none.
std::size_t part_position(const Queue& queue, ChainPart part) {
  return static_cast<std::size_t>(std::find(queue.chain.begin(), queue.chain.end(), part) - queue.chain.begin());
}

// The message a used chain's writable bytes start with, if the queue says which: a
// device-to-driver queue's messages; a bidirectional queue's reply when the chain puts it before
// any writable data (else the data comes first).
std::vector<NameRef> used_heads(const Queue& queue) {
  if (queue.direction == Direction::device_to_driver) return queue.messages;
  if (queue.direction != Direction::bidirectional || queue.messages.size() != 2) return {};
  const std::size_t reply = part_position(queue, ChainPart::reply);
  if (reply == queue.chain.size() || reply > part_position(queue, ChainPart::writable_data)) return {};
  return {queue.messages[1]};
}

// Whether a chain's readable bytes (`available`) or written bytes may hold data after the
// message they start with: a queue with `max_data` whose chain has data that way.
bool data_follows(const Queue& queue, bool available) {
  if (!queue.max_data) return false;
  if (queue.direction != Direction::bidirectional) return true;
  const ChainPart data = available ? ChainPart::readable_data : ChainPart::writable_data;
  return part_position(queue, data) < queue.chain.size();
}

// The message an available chain's readable bytes start with: a one-way queue's messages, a
// bidirectional queue's request.
std::vector<NameRef> available_heads(const Queue& queue) {
  if (queue.direction == Direction::device_to_driver) return {};
  if (queue.direction == Direction::bidirectional && !queue.messages.empty()) return {queue.messages.front()};
  return queue.messages;
}

// The configuration member holding `offset`: "name", "name+3", or nested "outer.inner".
std::optional<std::string> member_at(const StructType& type, const TypeTable& table, std::uint64_t offset) {
  for (const Member& member : type.members) {
    if (member.is_padding() || offset < member.offset || offset >= member.offset + member.size) continue;
    const std::uint64_t within = offset - member.offset;
    if (!member.type.is_array() && member.type.named) {
      if (const StructType* nested = table.types.at(*member.type.named).as_struct()) {
        if (const auto inner = member_at(*nested, table, within)) return member.name + "." + *inner;
      }
    }
    return within == 0 ? member.name : member.name + "+" + std::to_string(within);
  }
  return std::nullopt;
}

}  // namespace

std::string SpecPayloads::decode_struct(std::size_t type, std::span<const std::byte> bytes) const {
  const TypeDefinition& definition = spec_.types.types.at(type);
  const StructType* structure = definition.as_struct();
  if (structure == nullptr) return definition.name;
  return definition.name + StructText(spec_.types).members(*structure, bytes, 0);
}

std::optional<std::size_t> SpecPayloads::best_fit(const std::vector<NameRef>& messages, std::uint64_t length,
                                                  bool exact) const {
  for (const NameRef& message : messages) {
    if (message.index && spec_.types.types.at(*message.index).layout.size == length) return message.index;
  }
  if (exact) return std::nullopt;
  for (const NameRef& message : messages) {
    if (message.index && spec_.types.types.at(*message.index).layout.size <= length) return message.index;
  }
  return std::nullopt;
}

std::optional<std::size_t> SpecPayloads::first_longer(const std::vector<NameRef>& messages,
                                                      std::uint64_t length) const {
  for (const NameRef& message : messages) {
    if (message.index && spec_.types.types.at(*message.index).layout.size > length) return message.index;
  }
  return std::nullopt;
}

std::optional<std::size_t> SpecPayloads::virtio_message(const trace::Record& record) const {
  const VirtioDevice* device = spec_.virtio();
  if (device == nullptr || record.channel != trace::Channel::Virtqueue || record.queue >= device->queues.size()) {
    return std::nullopt;
  }
  const Queue& queue = device->queues[record.queue];
  const std::uint64_t length = record.payload_length;
  if (available_chain(record.kind)) {
    const std::vector<NameRef> heads = available_heads(queue);
    if (const auto whole = best_fit(heads, length, false)) return whole;
    return length > 0 ? first_longer(heads, length) : std::nullopt;
  }
  if (!used_chain(record.kind)) return std::nullopt;
  // The message that is the whole of the written bytes: a bidirectional queue's reply (the
  // request is never written), else one of the queue's messages.
  const bool two_way = queue.direction == Direction::bidirectional;
  const std::vector<NameRef> whole = two_way && queue.messages.size() == 2 ? std::vector<NameRef>{queue.messages[1]}
                                     : two_way                             ? std::vector<NameRef>{}
                                                                           : queue.messages;
  if (const auto exact = best_fit(whole, length, true)) return exact;
  if (length == 0) return std::nullopt;
  const std::vector<NameRef> heads = used_heads(queue);
  // A message, then data (a queue with max_data): the message the bytes start with.
  if (data_follows(queue, false)) {
    if (const auto header = best_fit(heads, length, false)) return header;
  }
  return first_longer(heads, length);
}

std::string SpecPayloads::decode_sized(std::size_t type, std::span<const std::byte> recorded, std::uint64_t length,
                                       Excess excess, bool count_recorded) const {
  const std::uint64_t size = spec_.types.types.at(type).layout.size;
  const std::span<const std::byte> bytes = recorded.first(std::min<std::uint64_t>(recorded.size(), length));
  std::string out = decode_struct(type, bytes);
  // The bytes of the message the log holds, when fewer than the payload had of it.
  const std::uint64_t held = std::min(length, size);
  const bool cut = count_recorded && bytes.size() < held;
  if (length < size) {
    out += " (" + std::to_string(length) + " of " + std::to_string(size) + " bytes";
    if (cut) out += ", " + std::to_string(bytes.size()) + " recorded";
    return out + ")";
  }
  if (cut) out += " (" + std::to_string(bytes.size()) + " of " + std::to_string(size) + " bytes recorded)";
  if (length > size && excess != Excess::ignored) {
    const std::uint64_t more = length - size;
    if (excess == Excess::data) {
      out += " + " + std::to_string(more) + (more == 1 ? " data byte" : " data bytes");
    } else {
      out += " + " + std::to_string(more) + (more == 1 ? " byte" : " bytes") + " after it";
    }
  }
  return out;
}

std::optional<std::string> SpecPayloads::split_fields(const SplitDevice& split, const trace::Record& record) const {
  if (record.kind != EventKind::XenRequest && record.kind != EventKind::XenResponse) return std::nullopt;
  // The ring's number in the log is devid x rings + the ring's index (split_spec.hpp).
  const SplitRing* ring = split.rings.empty() ? nullptr : &split.rings[record.queue % split.rings.size()];
  const NameRef& message = record.kind == EventKind::XenRequest ? (ring != nullptr ? ring->request : split.request)
                                                                : (ring != nullptr ? ring->response : split.response);
  if (!message.index || record.payload_length == 0) return std::nullopt;
  // A slot's entry is the request/response union: bytes after the message are not data.
  return decode_sized(*message.index, record.payload, record.payload_length, Excess::extra, true);
}

std::optional<std::string> SpecPayloads::rpmsg_fields(const RpmsgService& rpmsg, const trace::Record& record,
                                                      const std::string& rpmsg_channel) const {
  if (record.kind != EventKind::RpmsgMessage || record.payload.size() < kRpmsgHeaderSize ||
      record.payload_length < record.payload.size()) {
    return std::nullopt;
  }
  const std::span<const std::byte> body = record.payload.subspan(kRpmsgHeaderSize);
  const std::uint64_t length = record.payload_length - kRpmsgHeaderSize;
  // The endpoint at the header's source or destination address (the spec's fixed addresses
  // are the service's wherever they appear); else, on the announced channel, the first
  // endpoint when its address is assigned at run time.
  const std::uint64_t addresses[2] = {load(record.payload, 4, ByteOrder::little),
                                      load(record.payload.subspan(4), 4, ByteOrder::little)};
  const Endpoint* endpoint = nullptr;
  for (const Endpoint& candidate : rpmsg.endpoints) {
    if (candidate.address && (*candidate.address == addresses[0] || *candidate.address == addresses[1])) {
      endpoint = &candidate;
      break;
    }
  }
  if (endpoint == nullptr && rpmsg_channel != rpmsg.service) return std::nullopt;
  if (length == 0) return std::nullopt;
  if (endpoint == nullptr && !rpmsg.endpoints.empty() && !rpmsg.endpoints.front().address) {
    endpoint = &rpmsg.endpoints.front();
  }
  if (endpoint == nullptr) {
    return trace_view::bytes_text(body, length).substr(1) + " [no endpoint of " + rpmsg.service + " at " +
           to_hex(addresses[0]) + " or " + to_hex(addresses[1]) + "]";
  }
  if (endpoint->messages.empty()) return std::nullopt;  // raw bytes by the spec
  if (const auto exact = best_fit(endpoint->messages, length, true)) {
    return decode_sized(*exact, body, length, Excess::ignored, true);
  }
  if (const auto longer = first_longer(endpoint->messages, length)) {
    return decode_sized(*longer, body, length, Excess::ignored, true);
  }
  // Longer than every message: the spec has no data after an rpmsg message.
  std::uint64_t largest = 0;
  std::string name;
  for (const NameRef& message : endpoint->messages) {
    if (!message.index) continue;
    const TypeDefinition& definition = spec_.types.types.at(*message.index);
    if (definition.layout.size >= largest) {
      largest = definition.layout.size;
      name = definition.name;
    }
  }
  if (name.empty()) return std::nullopt;
  return trace_view::bytes_text(body, length).substr(1) + " [" + std::to_string(length - largest) +
         " bytes more than " + name + "; endpoint " + endpoint->name + " takes no data after its message]";
}

std::optional<std::string> SpecPayloads::fields(const trace::Record& record, const std::string& rpmsg_channel) const {
  if (spec_.virtio() != nullptr) {
    const std::optional<std::size_t> type = virtio_message(record);
    if (!type) return std::nullopt;
    const VirtioDevice& device = *spec_.virtio();
    const bool data = data_follows(device.queues[record.queue], available_chain(record.kind));
    return decode_sized(*type, record.payload, record.payload_length, data ? Excess::data : Excess::ignored, true);
  }
  if (const SplitDevice* split = spec_.split()) return split_fields(*split, record);
  if (const RpmsgService* rpmsg = spec_.rpmsg()) return rpmsg_fields(*rpmsg, record, rpmsg_channel);
  return std::nullopt;
}

std::optional<std::string> SpecPayloads::feature_name(unsigned bit) const {
  const VirtioDevice* device = spec_.virtio();
  if (device == nullptr) return std::nullopt;
  for (const Feature& feature : device->features) {
    if (feature.bit == bit) return feature.name;
  }
  return std::nullopt;
}

std::optional<std::string> SpecPayloads::config_field(std::uint32_t offset) const {
  const VirtioDevice* device = spec_.virtio();
  if (device == nullptr || !device->config) return std::nullopt;
  return member_at(*device->config, spec_.types, offset);
}

}  // namespace vgen::gen
