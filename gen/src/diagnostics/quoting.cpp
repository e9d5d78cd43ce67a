#include "vgen/gen/diagnostics/quoting.hpp"

namespace vgen::gen {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at `offset` (1 to 4), or 0 when the bytes there are not
// one: overlong forms, surrogates and values past U+10FFFF are invalid too.
std::size_t sequence_length(std::string_view text, std::size_t offset) {
  const auto lead = static_cast<unsigned char>(text[offset]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  char32_t value = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
  } else {
    return 0;
  }
  if (offset + length > text.size()) return 0;
  for (std::size_t index = 1; index < length; ++index) {
    const auto byte = static_cast<unsigned char>(text[offset + index]);
    if (!is_continuation(byte)) return 0;
    value = (value << 6) | (byte & 0x3F);
  }
  const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  const bool surrogate = value >= 0xD800 && value <= 0xDFFF;
  return value < smallest[length] || surrogate || value > 0x10FFFF ? 0 : length;
}

std::string hex_escape(unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("\\x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

std::string escaped_ascii(unsigned char byte) {
  switch (byte) {
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      break;
  }
  if (byte < 0x20 || byte == 0x7F) return hex_escape(byte);
  return std::string(1, static_cast<char>(byte));
}

}  // namespace

std::string printable(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t offset = 0; offset < text.size();) {
    const std::size_t length = sequence_length(text, offset);
    if (length == 1) {
      result += escaped_ascii(static_cast<unsigned char>(text[offset]));
    } else if (length > 1) {
      result.append(text.substr(offset, length));
    } else {
      result += hex_escape(static_cast<unsigned char>(text[offset]));
    }
    offset += length == 0 ? 1 : length;
  }
  return result;
}

std::string shortened(std::string_view text, std::size_t limit) {
  std::size_t offset = 0;
  for (std::size_t count = 0; offset < text.size() && count < limit; ++count) {
    offset += character_at(text, offset).size();
  }
  if (offset >= text.size()) return std::string(text);
  return std::string(text.substr(0, offset)) + "...";
}

std::string_view character_at(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return {};
  const std::size_t length = sequence_length(text, offset);
  return text.substr(offset, length == 0 ? 1 : length);
}

}  // namespace vgen::gen
