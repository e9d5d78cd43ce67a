// Reading YAML nodes into the spec model with precise errors: every mapping is checked
// against the keys it may have, every value against the type it must have, and each problem
// is reported at the line and column of the offending text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vgen/gen/diagnostics/diagnostics.hpp"
#include "vgen/gen/spec/integer.hpp"
#include "vgen/gen/spec/reference.hpp"
#include "vgen/gen/spec/scalar.hpp"
#include "yaml/document.hpp"

namespace vgen::gen::detail {

/// The file being read and where its errors go.
class Reader {
 public:
  Reader(std::string file, Diagnostics& diagnostics) : file_(std::move(file)), diagnostics_(diagnostics) {}

  const std::string& file() const { return file_; }
  /// Where `node` is written (line 0 when it has no position). For content reached through
  /// an alias: where the alias is written, and messages reported there name the anchor.
  Location at(const YamlNode& node) const;
  /// A position of this file.
  Location at(const Position& position) const;
  void error(const Location& location, std::string message) { diagnostics_.error(location, std::move(message)); }
  /// Number of errors reported so far (to tell whether a step found problems).
  std::size_t error_count() const { return diagnostics_.size(); }
  Diagnostics& diagnostics() { return diagnostics_; }

 private:
  std::string file_;
  Diagnostics& diagnostics_;
};

/// "a mapping", "a sequence", "an empty value", or the scalar in quotes (shortened when
/// long), for "got ..." texts.
std::string describe(const YamlNode& node);

/// The scalar value under `key` of a mapping, without reporting anything (for looking at
/// `name` or `kind` before deciding how to read the rest).
std::optional<std::string> peek_scalar(const YamlNode& node, std::string_view key);

/// Whether a key must be present.
enum class Presence { required, optional };

/// A YAML mapping with a fixed set of allowed keys. Construction reports a node that is
/// not a mapping, unknown keys (suggesting the closest allowed one) and repeated keys.
/// The typed getters report missing required keys and values of the wrong type, and return
/// nothing in those cases. A required key that is missing because it was misspelt is
/// reported once, as the unknown key with its "did you mean".
class MapView {
 public:
  /// `what` names the mapping in messages ("feature"); when it has a scalar `name`, that is
  /// appended ("feature 'VIRTIO_BLK_F_RO'"), then " of `owner`" when an owner is given
  /// ("field 'sector' of struct 'blk_request_header'").
  MapView(Reader& reader, const YamlNode& node, std::string what, std::vector<std::string> keys,
          const std::string& owner = "");

  /// True when the node was a mapping.
  bool ok() const { return ok_; }
  /// The mapping's name in messages.
  const std::string& what() const { return what_; }
  /// Where the mapping starts.
  const Location& location() const { return location_; }
  Reader& reader() const { return reader_; }

  /// True when `key` is present.
  bool has(std::string_view key) const { return entries_.count(std::string(key)) != 0; }
  /// Position of the value of `key` (of the key itself when the value is empty; of the
  /// mapping when the key is absent).
  Location value_location(std::string_view key) const;
  /// The same, as a position in this file.
  Position value_position(std::string_view key) const;
  /// The value node of `key`; reports a missing required key.
  std::optional<YamlNode> value(std::string_view key, Presence presence) const;

  /// A scalar read as text.
  std::optional<std::string> string(std::string_view key, Presence presence) const;
  /// A name usable in generated code (see identifier_problem).
  std::optional<std::string> identifier(std::string_view key, Presence presence) const;
  /// A spec/component/instance name (see spec_name_problem).
  std::optional<std::string> spec_name(std::string_view key, Presence presence) const;
  /// An integer of any sign and size.
  std::optional<Integer> integer(std::string_view key, Presence presence) const;
  /// A non-negative integer no larger than `max`.
  std::optional<std::uint64_t> unsigned_integer(std::string_view key, Presence presence, std::uint64_t max) const;
  /// A sequence node.
  std::optional<YamlNode> sequence(std::string_view key, Presence presence) const;
  /// A mapping node.
  std::optional<YamlNode> mapping(std::string_view key, Presence presence) const;
  /// A built-in integer type name (u8..i64).
  std::optional<ScalarKind> scalar_type(std::string_view key, Presence presence) const;
  /// "le" or "be".
  std::optional<ByteOrder> byte_order(std::string_view key, Presence presence) const;
  /// A reference by name: a scalar that is an identifier.
  std::optional<NameRef> reference(std::string_view key, Presence presence) const;
  /// A sequence of references (an absent optional key gives an empty list).
  std::vector<NameRef> references(std::string_view key, Presence presence) const;

  /// One of `options` (spelling and value); reports other text with a suggestion.
  template <typename Value>
  std::optional<Value> choice(std::string_view key, Presence presence,
                              const std::vector<std::pair<std::string, Value>>& options) const {
    std::vector<std::string> spellings;
    for (const auto& option : options) {
      spellings.push_back(option.first);
    }
    std::optional<std::size_t> index = choice_index(key, presence, spellings);
    if (!index) {
      return std::nullopt;
    }
    return options[*index].second;
  }

 private:
  using Entry = YamlNode::Entry;

  std::optional<std::size_t> choice_index(std::string_view key, Presence presence,
                                          const std::vector<std::string>& spellings) const;
  void check_keys(const std::vector<std::string>& keys);
  /// "'key' in <what>", the subject of value errors.
  std::string subject(std::string_view key) const;

  /// "invalid name 'x' for <kind>" or "invalid 'key' in <what>: 'x'", for bad names.
  std::string invalid_name(std::string_view key, const std::string& text) const;
  /// A scalar read as a name that `problem_of` finds nothing wrong with.
  std::optional<std::string> name(std::string_view key, Presence presence,
                                  std::optional<std::string> (*problem_of)(std::string_view)) const;

  Reader& reader_;
  std::string kind_;  // `what` without the name: "feature"
  std::string what_;
  Location location_;
  bool ok_ = false;
  std::map<std::string, Entry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> misspelt_;  // allowed key -> the unknown key suggesting it
};

/// The elements of a sequence node.
std::vector<YamlNode> elements(const YamlNode& sequence);

/// Remembers where each key was first seen, for duplicate checks.
class FirstSeen {
 public:
  /// Where `key` was seen before, or nothing (and then remembers `location` for it).
  std::optional<Location> insert(const std::string& key, const Location& location);
  /// True when `key` is new here; else reports "duplicate <what> (first <first> at line:col)"
  /// at `location`, with `what` naming the entry ("queue name 'rx'").
  bool unique(Reader& reader, const std::string& key, const Location& location, const std::string& what,
              std::string_view first = "defined");

 private:
  std::map<std::string, Location> seen_;
};

}  // namespace vgen::gen::detail
