#include "vgen/gen/render/cpp_text.hpp"

#include <vector>

#include "vgen/gen/diagnostics/quoting.hpp"

namespace vgen::gen {
namespace {

std::string hex_byte(unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("\\x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// The lines of `text`: LF, CRLF and a lone CR all end a line (a compiler takes each for a
// new line, which would end the comment).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] != '\n' && text[index] != '\r') continue;
    lines.push_back(text.substr(start, index - start));
    if (text[index] == '\r' && index + 1 < text.size() && text[index + 1] == '\n') ++index;
    start = index + 1;
  }
  lines.push_back(text.substr(start));
  return lines;
}

// One comment line: whole UTF-8 characters kept, everything else a visible escape.
std::string comment_line(std::string_view line) {
  std::string result;
  for (std::size_t offset = 0; offset < line.size();) {
    const std::string_view character = character_at(line, offset);
    const auto byte = static_cast<unsigned char>(character.front());
    const bool invalid = character.size() == 1 && byte >= 0x80;
    const bool control = character.size() == 1 && ((byte < 0x20 && byte != '\t') || byte == 0x7F);
    if (invalid || control) {
      result += hex_byte(byte);
    } else if (character == "/" && !result.empty() && result.back() == '*') {
      result += " /";  // "*/" would end a block comment
    } else if (character == "*" && !result.empty() && result.back() == '/') {
      result += " *";  // "/*" would start one
    } else {
      result += character;
    }
    offset += character.size();
  }
  while (!result.empty() && blank(result.back())) result.pop_back();
  const bool splice = !result.empty() && result.back() == '\\';
  const bool trigraph_splice = result.size() >= 3 && result.compare(result.size() - 3, 3, "?\?/") == 0;
  if (splice || trigraph_splice) result += '.';
  return result;
}

}  // namespace

std::string comment_text(std::string_view text) {
  std::vector<std::string> lines;
  for (std::string_view line : lines_of(text)) lines.push_back(comment_line(line));
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  std::string result;
  for (std::size_t index = first; index < lines.size(); ++index) {
    if (index > first) {
      result += '\n';
      result += kCommentContinuation;
      if (!lines[index].empty()) result += ' ';
    }
    result += lines[index];
  }
  return result;
}

std::string string_literal(std::string_view text) {
  std::string result = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"' || c == '?') {
      result += '\\';
      result += c;
    } else if (byte >= 0x20 && byte < 0x7F) {
      result += c;
    } else {
      result += '\\';
      result += static_cast<char>('0' + (byte >> 6));
      result += static_cast<char>('0' + ((byte >> 3) & 7));
      result += static_cast<char>('0' + (byte & 7));
    }
  }
  return result + "\"";
}

}  // namespace vgen::gen
