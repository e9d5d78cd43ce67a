// Where something was written in a spec file, for error messages that point at it.
#pragma once

#include <string>

namespace vgen::gen {

/// A 1-based line and column inside a file already known; 0 and 0 when unknown. Model
/// entries keep one per value they report errors about (the name, the type, the offset).
struct Position {
  int line = 0;    ///< 1-based line, 0 when unknown
  int column = 0;  ///< 1-based column, 0 when unknown
};

/// A position in a spec file. Line and column are 1-based; line 0 means "the whole file"
/// (for example when the file cannot be read).
struct Location {
  std::string file;  ///< the path as the user gave it (not made absolute)
  int line = 0;      ///< 1-based line, 0 when the problem is not at one place in the file
  int column = 0;    ///< 1-based column, 0 together with line 0

  /// `file:line:col`, or just `file` when there is no line.
  std::string to_string() const;
  /// `line:col`, for messages that refer to another place in the same file.
  std::string line_column() const;
  /// The same file at `position`; this location itself when `position` is unknown.
  Location at(const Position& position) const;
};

}  // namespace vgen::gen
