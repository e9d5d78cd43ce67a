// Error reports of the spec loader: collected rather than thrown, so that one run of
// `vgen check` reports every problem it finds in a file, not only the first.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "vgen/gen/location.hpp"

namespace vgen::gen {

/// One error found in a spec: where and what.
struct Diagnostic {
  Location location;    ///< where the offending text starts
  std::string message;  ///< what is wrong, naming the key/field and the values involved

  /// The compiler-style line `file:line:col: error: message` (or `file: error: message`).
  std::string to_string() const;
};

/// Same position and message.
bool operator==(const Diagnostic& left, const Diagnostic& right);

/// An ordered collection of diagnostics.
class Diagnostics {
 public:
  /// Records an error at `location`.
  void error(const Location& location, std::string message);
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
};

}  // namespace vgen::gen
