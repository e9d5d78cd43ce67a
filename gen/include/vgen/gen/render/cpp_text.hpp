// Spec text placed in generated C++: the one place where descriptions become comment text and
// names and strings become string literals, so that no spec text ever becomes code.
#pragma once

#include <string>
#include <string_view>

namespace vgen::gen {

/// The prefix of every line of a comment after the first (the first line's is the template's).
inline constexpr std::string_view kCommentContinuation = "///";

/// `text` as the body of `//` comment lines: the lines of `text` (split at LF, CRLF or CR),
/// the second and later each starting with kCommentContinuation and a space; blank lines at
/// both ends and trailing blanks of each line dropped; control characters and bytes that are
/// not UTF-8 written as `\xNN`; `/*` and `*/` split by a space; a line ending in a backslash
/// or the trigraph `??/` (a line splice) followed by a dot.
std::string comment_text(std::string_view text);

/// `text` as a C++ narrow string literal, quotes included: printable ASCII as it is, `\\`,
/// `\"` and `\?` (no trigraph can form), every other byte as a three-digit octal escape, so
/// the literal holds exactly the bytes of `text` whatever the source and execution charsets.
std::string string_literal(std::string_view text);

}  // namespace vgen::gen
