// `vgen trace show --spec SPEC`: the trace viewer's PayloadDecoder built from a loaded device
// spec. Payloads are decoded as the spec's message structs, field by field with their
// declared byte order (enums and flags by name), device features and configuration fields
// are named by the spec. The viewer (trace/) only knows the PayloadDecoder interface, so it
// stays free of the generator's model.
//
// Which struct a payload is:
// - virtio: a chain made available, the first message its readable bytes can start with (a
//   one-way queue's messages, a bidirectional queue's request) that fits them (decoded from
//   the start), else, for fewer bytes than any, the first longer one. A used chain, the
//   message whose size is exactly the used length (a bidirectional queue's reply, another
//   queue's messages), else the message the written bytes start with (a device-to-driver
//   queue's, a bidirectional queue's reply when its chain puts the reply first): when data may
//   follow it (`max_data`, and the chain has data that way) one the length holds whole, else
//   one longer than the length. Fields that lie whole inside the length are shown; a shorter
//   length is reported as "(12 of 16 bytes)", a longer one where data may follow as
//   "+ N data bytes";
// - split: a ring request as `request:`, a response as `response:`;
// - rpmsg: a message on the channel the spec's service announced (by name): the endpoint
//   message whose size equals the payload's, else the first that fits.
// A payload cut at the snap length shows the fields it holds whole, then "...".
#pragma once

#include <optional>
#include <string>

#include <vgen/trace_view/decode.hpp>

#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

/// Decodes trace payloads with `spec`'s types.
class SpecPayloads final : public trace_view::PayloadDecoder {
 public:
  /// `spec` is copied.
  explicit SpecPayloads(Spec spec) : spec_(std::move(spec)) {}

  std::optional<std::string> fields(const trace::Record& record, const std::string& rpmsg_channel) const override;
  std::optional<std::string> feature_name(unsigned bit) const override;
  std::optional<std::string> config_field(std::uint32_t offset) const override;

  /// The fields of `bytes` as the struct type at `type` of the spec's table, e.g.
  /// "blk_request_header{type=OUT ioprio=0 sector=8}".
  std::string decode_struct(std::size_t type, std::span<const std::byte> bytes) const;

 private:
  std::optional<std::size_t> virtio_message(const trace::Record& record) const;
  // The first of `messages` longer than `length`.
  std::optional<std::size_t> first_longer(const std::vector<NameRef>& messages, std::uint64_t length) const;
  // `record`'s payload as the struct `type`, its fields inside `length` bytes, then how the
  // length differs from the struct's size.
  std::string decode_sized(std::size_t type, const trace::Record& record, std::uint64_t length) const;
  std::optional<std::size_t> best_fit(const std::vector<NameRef>& messages, std::uint64_t length, bool exact) const;

  Spec spec_;
};

}  // namespace vgen::gen
