#include "yaml_reader.hpp"

#include <algorithm>

#include "vgen/gen/names.hpp"

namespace vgen::gen::detail {
namespace {

// yaml-cpp marks quoted scalars with the non-specific tag "!"; plain ones with "?".
bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    text += (text.empty() ? "" : ", ") + word;
  }
  return text;
}

}  // namespace

Location Reader::at(const YAML::Mark& mark) const {
  if (mark.is_null()) {
    return Location{file_, 0, 0};
  }
  return Location{file_, mark.line + 1, mark.column + 1};
}

Location Reader::at(const YAML::Node& node) const { return at(node.Mark()); }

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Scalar:
      return is_quoted(node) ? "the quoted string \"" + node.Scalar() + "\"" : "'" + node.Scalar() + "'";
    default: return "an empty value";
  }
}

std::optional<std::string> peek_scalar(const YAML::Node& node, std::string_view key) {
  if (!node.IsMap()) {
    return std::nullopt;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key && it->second.IsScalar()) {
      return it->second.Scalar();
    }
  }
  return std::nullopt;
}

std::vector<YAML::Node> elements(const YAML::Node& sequence) {
  std::vector<YAML::Node> result;
  for (const YAML::Node& element : sequence) {
    result.push_back(element);
  }
  return result;
}

std::optional<Location> FirstSeen::insert(const std::string& key, const Location& location) {
  auto [it, inserted] = seen_.emplace(key, location);
  if (inserted) {
    return std::nullopt;
  }
  return it->second;
}

MapView::MapView(Reader& reader, const YAML::Node& node, std::string what, std::vector<std::string> keys,
                 const std::string& owner)
    : reader_(reader), kind_(what), what_(std::move(what)), location_(reader.at(node)) {
  if (std::optional<std::string> name = peek_scalar(node, "name")) {
    what_ += " '" + *name + "'";
  }
  if (!owner.empty()) {
    what_ += " of " + owner;
    kind_ += " of " + owner;
  }
  if (!node.IsMap()) {
    reader_.error(location_, "expected a mapping for " + what_ + ", got " + describe(node));
    return;
  }
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      reader_.error(reader_.at(it->first), "expected a key in " + what_ + ", got " + describe(it->first));
      continue;
    }
    std::string key = it->first.Scalar();
    auto [existing, inserted] = entries_.emplace(key, Entry{it->first, it->second});
    if (!inserted) {
      reader_.error(reader_.at(it->first), "duplicate key '" + key + "' in " + what_ + " (first given at " +
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
    std::string message = "unknown key '" + it->first + "' in " + what_;
    std::string hint = suggestion(it->first, keys);
    message += hint.empty() ? " (expected one of: " + join(keys) + ")" : hint;
    reader_.error(reader_.at(it->second.key), message);
    it = entries_.erase(it);  // read as absent from now on
  }
}

std::string MapView::subject(std::string_view key) const { return "'" + std::string(key) + "' in " + what_; }

std::string MapView::invalid_name(std::string_view key, const std::string& text) const {
  if (key == "name") {
    return "invalid name '" + text + "' for " + kind_;
  }
  return "invalid " + subject(key) + ": '" + text + "' cannot be used as a name";
}

Location MapView::value_location(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return location_;
  }
  // An empty value has no text of its own; yaml-cpp places it at the next token.
  const Entry& entry = it->second;
  return reader_.at(entry.value.IsNull() ? entry.key : entry.value);
}

std::optional<YAML::Node> MapView::value(std::string_view key, Presence presence) const {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    return it->second.value;
  }
  if (ok_ && presence == Presence::required) {
    reader_.error(location_, "missing required key '" + std::string(key) + "' in " + what_);
  }
  return std::nullopt;
}

std::optional<std::string> MapView::string(std::string_view key, Presence presence) const {
  std::optional<YAML::Node> node = value(key, presence);
  if (!node) {
    return std::nullopt;
  }
  if (!node->IsScalar()) {
    reader_.error(value_location(key), "expected a string for " + subject(key) + ", got " + describe(*node));
    return std::nullopt;
  }
  return node->Scalar();
}

std::optional<std::string> MapView::identifier(std::string_view key, Presence presence) const {
  std::optional<std::string> text = string(key, presence);
  if (!text) {
    return std::nullopt;
  }
  if (std::optional<std::string> problem = identifier_problem(*text)) {
    reader_.error(value_location(key), invalid_name(key, *text) + ": " + *problem);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> MapView::spec_name(std::string_view key, Presence presence) const {
  std::optional<std::string> text = string(key, presence);
  if (!text) {
    return std::nullopt;
  }
  if (std::optional<std::string> problem = spec_name_problem(*text)) {
    reader_.error(value_location(key), invalid_name(key, *text) + ": " + *problem);
    return std::nullopt;
  }
  return text;
}

std::optional<Integer> MapView::integer(std::string_view key, Presence presence) const {
  std::optional<YAML::Node> node = value(key, presence);
  if (!node) {
    return std::nullopt;
  }
  std::optional<Integer> number;
  if (node->IsScalar() && !is_quoted(*node)) {
    number = parse_integer(node->Scalar());
  }
  if (!number) {
    reader_.error(value_location(key), "expected an integer for " + subject(key) + ", got " + describe(*node));
  }
  return number;
}

std::optional<std::uint64_t> MapView::unsigned_integer(std::string_view key, Presence presence, std::uint64_t max) const {
  std::optional<Integer> number = integer(key, presence);
  if (!number) {
    return std::nullopt;
  }
  if (number->negative || number->magnitude > max) {
    reader_.error(value_location(key), subject(key) + " must be from 0 to " + std::to_string(max) + ", got " +
                                           number->to_string());
    return std::nullopt;
  }
  return number->magnitude;
}

std::optional<YAML::Node> MapView::sequence(std::string_view key, Presence presence) const {
  std::optional<YAML::Node> node = value(key, presence);
  if (node && !node->IsSequence()) {
    reader_.error(value_location(key), "expected a sequence for " + subject(key) + ", got " + describe(*node));
    return std::nullopt;
  }
  return node;
}

std::optional<YAML::Node> MapView::mapping(std::string_view key, Presence presence) const {
  std::optional<YAML::Node> node = value(key, presence);
  if (node && !node->IsMap()) {
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
  reader_.error(value_location(key), "invalid " + subject(key) + ": '" + *text + "'" +
                                         (hint.empty() ? " (expected one of: " + join(spellings) + ")" : hint));
  return std::nullopt;
}

std::optional<ScalarKind> MapView::scalar_type(std::string_view key, Presence presence) const {
  return choice<ScalarKind>(key, presence,
                            {{"u8", ScalarKind::u8}, {"u16", ScalarKind::u16}, {"u32", ScalarKind::u32},
                             {"u64", ScalarKind::u64}, {"i8", ScalarKind::i8}, {"i16", ScalarKind::i16},
                             {"i32", ScalarKind::i32}, {"i64", ScalarKind::i64}});
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
  std::optional<YAML::Node> list = sequence(key, presence);
  if (!list) {
    return result;
  }
  for (const YAML::Node& element : elements(*list)) {
    if (!element.IsScalar()) {
      reader_.error(reader_.at(element), "expected a name in " + subject(key) + ", got " + describe(element));
      continue;
    }
    result.push_back(NameRef{element.Scalar(), reader_.at(element), std::nullopt});
  }
  return result;
}

}  // namespace vgen::gen::detail
