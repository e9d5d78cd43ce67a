// Spec text inside error messages: whole UTF-8 characters or escapes, never half a character,
// and never control characters that would break the one-line-per-error format.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vgen::gen {

/// `text` as a message may show it: valid UTF-8 kept whole; each byte that is not part of
/// valid UTF-8 as `\xNN`; tab, newline and carriage return as `\t`, `\n`, `\r`; other control
/// characters as `\xNN`. Applying it twice changes nothing more.
std::string printable(std::string_view text);

/// `text` cut after `limit` characters (UTF-8 sequences, or single invalid bytes) with "..."
/// appended when something was cut.
std::string shortened(std::string_view text, std::size_t limit);

/// The character starting at byte `offset` of `text`: its whole UTF-8 sequence, or the one
/// byte when that is not valid UTF-8.
std::string_view character_at(std::string_view text, std::size_t offset);

}  // namespace vgen::gen
