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
// - split: a ring request as its ring's `request:`, a response as its `response:` (the ring is
//   the record's ring number modulo the spec's rings, split_spec.hpp); a payload longer than
//   the message (a whole slot) adds "+ N bytes after it";
// - rpmsg: a message on the channel the spec's service announced (by name), as the message of
//   the endpoint at the header's source or destination address (the first endpoint when its
//   address is dynamic): the one of the payload's size, else the first longer. The format has
//   no data after an rpmsg message, so a payload longer than every message is shown as bytes
//   with a note, and one at no endpoint's address likewise.
// A payload cut at the snap length shows the fields it holds whole, then "..."; for split and
// rpmsg it also says how much of the message the log holds, "(8 of 112 bytes recorded)". An
// empty payload decodes nothing.
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
  // What a payload longer than its message has after it: nothing said, data ("+ 42 data
  // bytes"), or bytes that are not the message's ("+ 4 bytes after it").
  enum class Excess { ignored, data, extra };
  // `recorded` (a payload of `length` bytes, maybe cut) as the struct `type`: its fields inside
  // the length, then how the length differs from the struct's size; with `count_recorded`, how
  // much of the message the log holds when it was cut.
  std::string decode_sized(std::size_t type, std::span<const std::byte> recorded, std::uint64_t length, Excess excess,
                           bool count_recorded) const;
  // A Xen ring request's or response's fields.
  std::optional<std::string> split_fields(const SplitDevice& split, const trace::Record& record) const;
  // An rpmsg message's fields, or its bytes with a note when no message of the spec is it.
  std::optional<std::string> rpmsg_fields(const RpmsgService& rpmsg, const trace::Record& record,
                                          const std::string& rpmsg_channel) const;
  std::optional<std::size_t> best_fit(const std::vector<NameRef>& messages, std::uint64_t length, bool exact) const;

  Spec spec_;
};

}  // namespace vgen::gen
