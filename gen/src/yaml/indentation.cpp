#include "yaml/indentation.hpp"

namespace vgen::gen::detail {
namespace {

// The 0-based column of a tab in the indentation of `line`, or nothing.
std::optional<std::size_t> tab_in_indentation(std::string_view line) {
  std::size_t column = 0;
  while (column < line.size()) {
    const char c = line[column];
    if (c == '\t') return column;
    const bool entry = c == '-' && column + 1 < line.size() && (line[column + 1] == ' ' || line[column + 1] == '\t');
    if (c != ' ' && !entry) return std::nullopt;
    ++column;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Position> indentation_tab(std::string_view text, int last_line) {
  std::optional<Position> found;
  int number = 1;
  for (std::size_t start = 0; start <= text.size() && (last_line == 0 || number <= last_line); ++number) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (std::optional<std::size_t> column = tab_in_indentation(text.substr(start, end - start))) {
      found = Position{number, static_cast<int>(*column) + 1};
    }
    start = end + 1;
  }
  return found;
}

}  // namespace vgen::gen::detail
