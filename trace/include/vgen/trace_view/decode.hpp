// Names for the records of the Xen, store, rpmsg, virtio-mmio, configuration and feature
// channels, as `vgen trace show` prints them: register and store operation names, grant and
// event channel fields, rpmsg addresses with the channel names the log announced, and, given
// a device's spec (PayloadDecoder), payload fields and device features by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace_view {

/// Decodes payloads by a device's spec. `vgen trace show --spec` gives one built from the
/// loaded spec (the generator's model stays in gen/); the viewer only calls it.
class PayloadDecoder {
 public:
  virtual ~PayloadDecoder() = default;
  /// The fields of the message `record` carries, by name ("sector=8 type=1 ..."), or nothing
  /// when the spec says nothing about it. `rpmsg_channel` is the announced name of the
  /// record's rpmsg channel ("" when not an rpmsg message or not announced).
  virtual std::optional<std::string> fields(const trace::Record& record, const std::string& rpmsg_channel) const = 0;
  /// The spec's name of device feature `bit`, or nothing.
  virtual std::optional<std::string> feature_name(unsigned bit) const = 0;
  /// The configuration field at `offset` ("capacity", "geometry.cylinders+1"), or nothing.
  virtual std::optional<std::string> config_field(std::uint32_t offset) const = 0;
};

/// What the viewer learns from a log while reading it, to name later records: the rpmsg
/// channel names announced on the name service; and the spec's decoder, if any.
class DecodeContext {
 public:
  /// With `payloads` (null for none), which must outlive the context.
  explicit DecodeContext(const PayloadDecoder* payloads = nullptr) : payloads_(payloads) {}
  /// Learns from one record, in log order (every record, shown or filtered out).
  void learn(const trace::Record& record);
  /// The channel name announced for rpmsg address `address`, or "".
  std::string rpmsg_name(std::uint32_t address) const;
  /// The spec's decoder, or null.
  const PayloadDecoder* payloads() const noexcept { return payloads_; }

 private:
  const PayloadDecoder* payloads_;
  std::map<std::uint32_t, std::string> rpmsg_names_;
};

/// A record's fields as decode_fields() renders them.
struct DecodedFields {
  std::string text;            ///< the fields after the kind name
  bool payload_shown = false;  ///< the text already shows the payload (show adds no raw bytes)
};

/// The fields of a record of the kinds this file names (configuration, features, mmio, Xen
/// rings, grants, event channels, store and rpmsg messages), or nothing for other kinds.
std::optional<DecodedFields> decode_fields(const trace::Record& record, const DecodeContext& context);

/// A virtqueue chain's payload decoded by the context's spec, or nothing (no spec, another
/// kind of record, or a payload the spec has no message for).
std::optional<std::string> chain_payload_fields(const trace::Record& record, const DecodeContext& context);

/// `bytes` as show prints payloads: quoted text when every shown byte is printable ASCII, hex
/// bytes otherwise, at most `limit` bytes, then "(N bytes)" when `full_length` is more than
/// shown, or "(N bytes, not recorded)" when nothing was stored. Starts with a space; "" when
/// `full_length` is 0.
std::string bytes_text(std::span<const std::byte> bytes, std::uint64_t full_length, std::size_t limit = 48);

/// The names of the feature bits set in `features` ("VERSION_1|RING_EVENT_IDX|bit 3"):
/// transport features by VirtIO 1.2 §6's names without "VIRTIO_F_", device features by the
/// spec's names when `payloads` knows them, else "bit N". "0" for none.
std::string feature_names(std::uint64_t features, const PayloadDecoder* payloads);

/// xs_wire.h's name of a XenStore message type without "XS_" ("WRITE"), or "type N".
std::string store_operation_name(std::uint32_t type);

}  // namespace vgen::trace_view
