#include "vgen/gen/names/names.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "names/c_library_names.hpp"
#include "vgen/gen/diagnostics/quoting.hpp"

namespace vgen::gen {
namespace {

// Words generated C or C++ code cannot use as names.
constexpr std::string_view kKeywords[] = {
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "auto",
    "bitand",
    "bitor",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "char8_t",
    "char16_t",
    "char32_t",
    "class",
    "compl",
    "concept",
    "const",
    "consteval",
    "constexpr",
    "constinit",
    "const_cast",
    "continue",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "default",
    "delete",
    "do",
    "double",
    "dynamic_cast",
    "else",
    "enum",
    "explicit",
    "export",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "register",
    "reinterpret_cast",
    "requires",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "static_cast",
    "struct",
    "switch",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typedef",
    "typeid",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "wchar_t",
    "while",
    "xor",
    "xor_eq",
};

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

// Splits "virtio-blk", "blk_outhdr", "blkifRequest" into words.
std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> result;
  std::string current;
  for (std::size_t index = 0; index < name.size(); ++index) {
    char c = name[index];
    if (c == '-' || c == '_' || c == '.' || c == ' ' || c == '/') {
      if (!current.empty()) {
        result.push_back(current);
      }
      current.clear();
      continue;
    }
    bool camel_break = is_upper(c) && !current.empty() && (is_lower(current.back()) || is_digit(current.back()));
    if (camel_break) {
      result.push_back(current);
      current.clear();
    }
    current += c;
  }
  if (!current.empty()) {
    result.push_back(current);
  }
  return result;
}

}  // namespace

std::optional<std::string> identifier_problem(std::string_view name) {
  if (name.empty()) {
    return "it is empty";
  }
  if (!is_lower(name[0]) && !is_upper(name[0])) {
    return "it must start with a letter";
  }
  return cpp_identifier_problem(name);
}

std::optional<std::string> cpp_identifier_problem(std::string_view identifier) {
  if (identifier.empty()) {
    return "it is empty";
  }
  if (is_digit(identifier[0])) {
    return "it must start with a letter";
  }
  for (std::size_t index = 0; index < identifier.size(); ++index) {
    const char c = identifier[index];
    if (!is_lower(c) && !is_upper(c) && !is_digit(c) && c != '_') {
      return "it contains '" + std::string(character_at(identifier, index)) + "'; use letters, digits and '_'";
    }
  }
  if (std::find(std::begin(kKeywords), std::end(kKeywords), identifier) != std::end(kKeywords)) {
    return "it is a reserved word in C or C++";
  }
  if (std::optional<std::string_view> header = detail::c_macro_header(identifier)) {
    return "the C library defines it as a macro (" + std::string(*header) + ")";
  }
  if (identifier.find("__") != std::string_view::npos) {
    return "it contains '__', which C++ reserves";
  }
  if (identifier.size() > 1 && identifier[0] == '_' && is_upper(identifier[1])) {
    return "it starts with '_' and a capital letter, which C++ reserves";
  }
  return std::nullopt;
}

std::optional<std::string> spec_name_problem(std::string_view name) {
  if (name.empty()) {
    return "it is empty";
  }
  if (!is_lower(name[0])) {
    return "it must start with a lowercase letter";
  }
  for (std::size_t index = 0; index < name.size(); ++index) {
    const char c = name[index];
    if (!is_lower(c) && !is_digit(c) && c != '-' && c != '_') {
      return "it contains '" + std::string(character_at(name, index)) + "'; use lowercase letters, digits, '-' and '_'";
    }
  }
  return std::nullopt;
}

std::string to_snake_case(std::string_view name) {
  std::string result;
  for (const std::string& word : words(name)) {
    if (!result.empty()) {
      result += '_';
    }
    std::transform(word.begin(), word.end(), std::back_inserter(result), lower);
  }
  return result;
}

std::string to_pascal_case(std::string_view name) {
  std::string result;
  for (const std::string& word : words(name)) {
    result += upper(word[0]);
    std::transform(word.begin() + 1, word.end(), std::back_inserter(result), lower);
  }
  return result;
}

std::string to_upper_case(std::string_view name) {
  std::string result = to_snake_case(name);
  std::transform(result.begin(), result.end(), result.begin(), upper);
  return result;
}

std::size_t edit_distance(std::string_view left, std::string_view right) {
  // Optimal string alignment distance over a full table (names are short).
  std::size_t rows = left.size() + 1;
  std::size_t columns = right.size() + 1;
  std::vector<std::size_t> table(rows * columns);
  auto at = [&](std::size_t row, std::size_t column) -> std::size_t& { return table[row * columns + column]; };
  for (std::size_t row = 0; row < rows; ++row) {
    at(row, 0) = row;
  }
  for (std::size_t column = 0; column < columns; ++column) {
    at(0, column) = column;
  }
  for (std::size_t row = 1; row < rows; ++row) {
    for (std::size_t column = 1; column < columns; ++column) {
      std::size_t cost = lower(left[row - 1]) == lower(right[column - 1]) ? 0 : 1;
      at(row, column) = std::min({at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + cost});
      bool transposed = row > 1 && column > 1 && lower(left[row - 1]) == lower(right[column - 2]) &&
                        lower(left[row - 2]) == lower(right[column - 1]);
      if (transposed) {
        at(row, column) = std::min(at(row, column), at(row - 2, column - 2) + 1);
      }
    }
  }
  return at(rows - 1, columns - 1);
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> match = closest_match(word, candidates);
  return match ? "; did you mean '" + *match + "'?" : "";
}

}  // namespace vgen::gen
