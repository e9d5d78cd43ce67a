#include "yaml/reader.hpp"

#include <algorithm>

#include "vgen/gen/diagnostics/quoting.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {
namespace {

// Longest scalar text quoted in a message.
constexpr std::size_t kQuotedCharacters = 60;

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    text += (text.empty() ? "" : ", ") + word;
  }
  return text;
}

}  // namespace

Location Reader::at(const Position& position) const { return Location{file_, position.line, position.column}; }

Location Reader::at(const YamlNode& node) const {
  std::optional<YamlNode> alias = node.via_alias();
  if (!alias) {
    return at(node.position());
  }
  Location use = at(alias->position());
  const std::string anchor(alias->anchor_name());
  diagnostics_.annotate(use, " (in the content of anchor '&" + anchor + "' at " +
                                 at(alias->anchor_position()).line_column() + ", used here as '*" + anchor + "')");
  return use;
}

std::string describe(const YamlNode& node) {
  switch (node.kind()) {
    case YamlNode::Kind::map:
      return "a mapping";
    case YamlNode::Kind::sequence:
      return "a sequence";
    case YamlNode::Kind::scalar: {
      const std::string text = shortened(node.scalar(), kQuotedCharacters);
      return node.quoted() ? "the quoted string \"" + text + "\"" : "'" + text + "'";
    }
    default:
      return "an empty value";
  }
}

std::optional<std::string> peek_scalar(const YamlNode& node, std::string_view key) {
  for (const YamlNode::Entry& entry : node.entries()) {
    if (entry.key.is_scalar() && entry.key.scalar() == key && entry.value.is_scalar()) {
      return std::string(entry.value.scalar());
    }
  }
  return std::nullopt;
}

std::vector<YamlNode> elements(const YamlNode& sequence) { return sequence.elements(); }

std::optional<Location> FirstSeen::insert(const std::string& key, const Location& location) {
  auto [it, inserted] = seen_.emplace(key, location);
  if (inserted) {
    return std::nullopt;
  }
  return it->second;
}

bool FirstSeen::unique(Reader& reader, const std::string& key, const Location& location, const std::string& what,
                       std::string_view first) {
  std::optional<Location> earlier = insert(key, location);
  if (earlier) {
    reader.error(location,
                 "duplicate " + what + " (first " + std::string(first) + " at " + earlier->line_column() + ")");
  }
  return !earlier;
}

MapView::MapView(Reader& reader, const YamlNode& node, std::string what, std::vector<std::string> keys,
                 const std::string& owner)
    : reader_(reader), kind_(what), what_(std::move(what)), location_(reader.at(node)) {
  if (std::optional<std::string> name = peek_scalar(node, "name")) {
    what_ += " '" + shortened(*name, kQuotedCharacters) + "'";
  }
  if (!owner.empty()) {
    what_ += " of " + owner;
    kind_ += " of " + owner;
  }
  if (!node.is_map()) {
    reader_.error(location_, "expected a mapping for " + what_ + ", got " + describe(node));
    return;
  }
  ok_ = true;
  for (const Entry& entry : node.entries()) {
    if (!entry.key.is_scalar()) {
      reader_.error(reader_.at(entry.key), "expected a key in " + what_ + ", got " + describe(entry.key));
      continue;
    }
    std::string key(entry.key.scalar());
    auto [existing, inserted] = entries_.emplace(key, entry);
    if (!inserted) {
      reader_.error(reader_.at(entry.key), "duplicate key '" + key + "' in " + what_ + " (first given at " +
                                               reader_.at(existing->second.key).line_column() + ")");
    }
  }
  check_keys(keys);
}

void MapView::check_keys(const std::vector<std::string>& keys) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (std::find(keys.begin(), keys.end(), it->first) != keys.end()) {
      ++it;
      continue;
    }
    std::string message = "unknown key '" + shortened(it->first, kQuotedCharacters) + "' in " + what_;
    std::optional<std::string> match = closest_match(it->first, keys);
    if (match && !entries_.count(*match)) {
      misspelt_.emplace(*match, it->first);
    }
    message += match ? "; did you mean '" + *match + "'?" : " (expected one of: " + join(keys) + ")";
    reader_.error(reader_.at(it->second.key), message);
    it = entries_.erase(it);  // read as absent from now on
  }
}

std::string MapView::subject(std::string_view key) const { return "'" + std::string(key) + "' in " + what_; }

std::string MapView::invalid_name(std::string_view key, const std::string& text) const {
  const std::string quoted = "'" + shortened(text, kQuotedCharacters) + "'";
  if (key == "name") {
    return "invalid name " + quoted + " for " + kind_;
  }
  return "invalid " + subject(key) + ": " + quoted + " cannot be used as a name";
}

Location MapView::value_location(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return location_;
  }
  // An empty value has no text of its own; yaml-cpp places it at the next token.
  const Entry& entry = it->second;
  return reader_.at(entry.value.is_null() ? entry.key : entry.value);
}

Position MapView::value_position(std::string_view key) const {
  const Location location = value_location(key);
  return Position{location.line, location.column};
}

std::optional<YamlNode> MapView::value(std::string_view key, Presence presence) const {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    return it->second.value;
  }
  if (ok_ && presence == Presence::required && !misspelt_.count(key)) {
    reader_.error(location_, "missing required key '" + std::string(key) + "' in " + what_);
  }
  return std::nullopt;
}

std::optional<std::string> MapView::string(std::string_view key, Presence presence) const {
  std::optional<YamlNode> node = value(key, presence);
  if (!node) {
    return std::nullopt;
  }
  if (!node->is_scalar()) {
    reader_.error(value_location(key), "expected a string for " + subject(key) + ", got " + describe(*node));
    return std::nullopt;
  }
  return std::string(node->scalar());
}

std::optional<std::string> MapView::name(std::string_view key, Presence presence,
                                         std::optional<std::string> (*problem_of)(std::string_view)) const {
  std::optional<std::string> text = string(key, presence);
  if (!text) {
    return std::nullopt;
  }
  if (std::optional<std::string> problem = problem_of(*text)) {
    reader_.error(value_location(key), invalid_name(key, *text) + ": " + *problem);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> MapView::identifier(std::string_view key, Presence presence) const {
  return name(key, presence, identifier_problem);
}

std::optional<std::string> MapView::spec_name(std::string_view key, Presence presence) const {
  return name(key, presence, spec_name_problem);
}

std::optional<Integer> MapView::integer(std::string_view key, Presence presence) const {
  std::optional<YamlNode> node = value(key, presence);
  if (!node) {
    return std::nullopt;
  }
  std::optional<Integer> number;
  if (node->is_scalar() && !node->quoted()) {
    number = parse_integer(node->scalar());
  }
  if (!number && node->is_scalar() && !node->quoted() && integer_too_large(node->scalar())) {
    reader_.error(value_location(key), "integer " + shortened(node->scalar(), kQuotedCharacters) + " for " +
                                           subject(key) +
                                           " is out of range: vgen reads integers from -2^64 + 1 to 2^64 - 1");
  } else if (!number) {
    reader_.error(value_location(key), "expected an integer for " + subject(key) + ", got " + describe(*node));
  }
  return number;
}

std::optional<std::uint64_t> MapView::unsigned_integer(std::string_view key, Presence presence,
                                                       std::uint64_t max) const {
  std::optional<Integer> number = integer(key, presence);
  if (!number) {
    return std::nullopt;
  }
  if (number->negative || number->magnitude > max) {
    reader_.error(value_location(key),
                  subject(key) + " must be from 0 to " + std::to_string(max) + ", got " + number->to_string());
    return std::nullopt;
  }
  return number->magnitude;
}

std::optional<YamlNode> MapView::sequence(std::string_view key, Presence presence) const {
  std::optional<YamlNode> node = value(key, presence);
  if (node && !node->is_sequence()) {
    reader_.error(value_location(key), "expected a sequence for " + subject(key) + ", got " + describe(*node));
    return std::nullopt;
  }
  return node;
}

std::optional<YamlNode> MapView::mapping(std::string_view key, Presence presence) const {
  std::optional<YamlNode> node = value(key, presence);
  if (node && !node->is_map()) {
    reader_.error(value_location(key), "expected a mapping for " + subject(key) + ", got " + describe(*node));
    return std::nullopt;
  }
  return node;
}

std::optional<std::size_t> MapView::choice_index(std::string_view key, Presence presence,
                                                 const std::vector<std::string>& spellings) const {
  std::optional<std::string> text = string(key, presence);
  if (!text) {
    return std::nullopt;
  }
  for (std::size_t index = 0; index < spellings.size(); ++index) {
    if (spellings[index] == *text) {
      return index;
    }
  }
  std::string hint = suggestion(*text, spellings);
  reader_.error(value_location(key), "invalid " + subject(key) + ": '" + shortened(*text, kQuotedCharacters) + "'" +
                                         (hint.empty() ? " (expected one of: " + join(spellings) + ")" : hint));
  return std::nullopt;
}

std::optional<ScalarKind> MapView::scalar_type(std::string_view key, Presence presence) const {
  return choice<ScalarKind>(key, presence,
                            {{"u8", ScalarKind::u8},
                             {"u16", ScalarKind::u16},
                             {"u32", ScalarKind::u32},
                             {"u64", ScalarKind::u64},
                             {"i8", ScalarKind::i8},
                             {"i16", ScalarKind::i16},
                             {"i32", ScalarKind::i32},
                             {"i64", ScalarKind::i64}});
}

std::optional<ByteOrder> MapView::byte_order(std::string_view key, Presence presence) const {
  return choice<ByteOrder>(key, presence, {{"le", ByteOrder::little}, {"be", ByteOrder::big}});
}

std::optional<NameRef> MapView::reference(std::string_view key, Presence presence) const {
  std::optional<std::string> name = string(key, presence);
  if (!name) {
    return std::nullopt;
  }
  return NameRef{*name, value_location(key), std::nullopt};
}

std::vector<NameRef> MapView::references(std::string_view key, Presence presence) const {
  std::vector<NameRef> result;
  std::optional<YamlNode> list = sequence(key, presence);
  if (!list) {
    return result;
  }
  for (const YamlNode& element : elements(*list)) {
    if (!element.is_scalar()) {
      reader_.error(reader_.at(element), "expected a name in " + subject(key) + ", got " + describe(element));
      continue;
    }
    result.push_back(NameRef{std::string(element.scalar()), reader_.at(element), std::nullopt});
  }
  return result;
}

}  // namespace vgen::gen::detail
