// Tabs in YAML indentation. YAML indents with spaces only; yaml-cpp reports a tab there as an
// unrelated syntax error ("illegal map value", "illegal block entry"), so the loader looks
// for the tab itself when parsing fails.
#pragma once

#include <optional>
#include <string_view>

#include "yaml/document.hpp"

namespace vgen::gen::detail {

/// The position of a tab in the indentation of a line of `text` (its leading blanks, and
/// blanks after the `- ` of block sequence entries), the last such line at or before
/// `last_line` (every line when `last_line` is 0); nothing when there is none.
std::optional<Position> indentation_tab(std::string_view text, int last_line);

}  // namespace vgen::gen::detail
