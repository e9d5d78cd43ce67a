// Error reports of the spec loader: collected rather than thrown, so that one run of
// `vgen check` reports every problem it finds in a file, not only the first.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"

namespace vgen::gen {

/// One error found in a spec: where and what.
struct Diagnostic {
  Location location;    ///< where the offending text starts
  std::string message;  ///< what is wrong, naming the key/field and the values involved

  /// The compiler-style line `file:line:col: error: message` (or `file: error: message`), the
  /// message made printable (see quoting.hpp): spec text never breaks the line or a character.
  std::string to_string() const;
};

/// Same position and message.
bool operator==(const Diagnostic& left, const Diagnostic& right);

/// An ordered collection of diagnostics.
class Diagnostics {
 public:
  /// Records an error at `location` (with the note of that position, if any).
  void error(const Location& location, std::string message);
  /// Ends every message reported at `location` from now on with `note`: for positions that
  /// stand for text written elsewhere, such as an alias standing for its anchor's content.
  void annotate(const Location& location, std::string note);
  /// Appends every diagnostic of `other`.
  void append(const Diagnostics& other);

  /// True when nothing was reported.
  bool empty() const { return entries_.empty(); }
  /// Number of diagnostics reported, repeats included.
  std::size_t size() const { return entries_.size(); }
  /// In the order they were reported.
  const std::vector<Diagnostic>& entries() const { return entries_; }
  /// For printing: files in the order they were first reported, each file's diagnostics by
  /// line and column (keeping report order for the same position), exact repeats removed.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> entries_;
  std::map<std::tuple<std::string, int, int>, std::string> notes_;
};

}  // namespace vgen::gen
