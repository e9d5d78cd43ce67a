// Rules for names in specs, the case conversions templates need, and the "did you mean"
// suggestion for misspelled keys and references.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vgen::gen {

/// Why `name` cannot be used as an identifier in generated C/C++ code, or nothing when it can:
/// it must match [A-Za-z][A-Za-z0-9_]* and pass cpp_identifier_problem.
std::optional<std::string> identifier_problem(std::string_view name);

/// Why C++ code cannot declare `identifier`, or nothing when it can: it must match
/// [A-Za-z_][A-Za-z0-9_]*, and not be a C or C++ keyword, a macro of the C library or POSIX
/// headers (`EOF`, `errno`, `major`), or reserved (`__` anywhere, `_` then a capital).
std::optional<std::string> cpp_identifier_problem(std::string_view identifier);

/// Why `name` cannot name a spec, component or instance (used in file and directory names),
/// or nothing when it can: [a-z][a-z0-9_-]*.
std::optional<std::string> spec_name_problem(std::string_view name);

/// "virtio-blk", "VirtioBlk", "blk_outhdr" -> "virtio_blk", "virtio_blk", "blk_outhdr".
std::string to_snake_case(std::string_view name);
/// "virtio-blk", "blk_outhdr" -> "VirtioBlk", "BlkOuthdr".
std::string to_pascal_case(std::string_view name);
/// "virtio-blk" -> "VIRTIO_BLK".
std::string to_upper_case(std::string_view name);

/// Edit distance between `left` and `right`, ignoring letter case; an adjacent
/// transposition counts as one edit ("bti" is one edit from "bit").
std::size_t edit_distance(std::string_view left, std::string_view right);

/// The candidate closest to `word`, when it is close enough to be a likely misspelling
/// (at most max(1, |word| / 3) edits); ties go to the earliest candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" when a candidate is close to `word`, otherwise "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vgen::gen
