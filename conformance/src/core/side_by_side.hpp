// Requirement matrices side by side: the results of the same checks against several targets
// (vgen-xenstored and Debian's C xenstored, say), one row per requirement, one column per
// target, read from the JSON matrices the runs wrote (--json).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vgen::conform {

/// One column: its label and the JSON matrices of the runs that make it up (a frontend run
/// and a backend run, for instance).
struct MatrixColumn {
  std::string label;
  std::vector<std::filesystem::path> files;
};

/// Parses "LABEL=FILE[,FILE...]"; vgen::Error naming the text when it is not of that form.
MatrixColumn parse_column(const std::string& text);

/// The table: a row per requirement (in the first file's order), each column's result, the
/// strongest over its runs (FAIL, DEVIATES, PASS, SKIP, n/o, then - for not judged), rows where
/// the columns differ marked `*`, then each column's counts and the number of differing rows.
/// CatalogueError naming the file when one cannot be read or is not a matrix.
std::string side_by_side(const std::vector<MatrixColumn>& columns);

}  // namespace vgen::conform
