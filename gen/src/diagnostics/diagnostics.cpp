#include "vgen/gen/diagnostics/diagnostics.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "vgen/gen/diagnostics/quoting.hpp"

namespace vgen::gen {

std::string Diagnostic::to_string() const { return location.to_string() + ": error: " + printable(message); }

bool operator==(const Diagnostic& left, const Diagnostic& right) {
  return std::tie(left.location.file, left.location.line, left.location.column, left.message) ==
         std::tie(right.location.file, right.location.line, right.location.column, right.message);
}

void Diagnostics::error(const Location& location, std::string message) {
  if (!notes_.empty()) {
    auto note = notes_.find(std::tuple(location.file, location.line, location.column));
    if (note != notes_.end()) message += note->second;
  }
  entries_.push_back(Diagnostic{location, std::move(message)});
}

void Diagnostics::annotate(const Location& location, std::string note) {
  notes_.insert_or_assign(std::tuple(location.file, location.line, location.column), std::move(note));
}

void Diagnostics::append(const Diagnostics& other) {
  entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  // Rank files by first appearance so that a topology's own errors and those of the specs it
  // uses come out grouped, in the order the user would meet them.
  std::map<std::string, std::size_t> file_rank;
  for (const Diagnostic& entry : entries_) {
    file_rank.emplace(entry.location.file, file_rank.size());
  }
  std::vector<Diagnostic> result;
  std::set<std::tuple<std::string, int, int, std::string>> seen;
  for (const Diagnostic& entry : entries_) {
    const Location& where = entry.location;
    if (seen.emplace(where.file, where.line, where.column, entry.message).second) {
      result.push_back(entry);
    }
  }
  std::stable_sort(result.begin(), result.end(), [&](const Diagnostic& left, const Diagnostic& right) {
    return std::tuple(file_rank[left.location.file], left.location.line, left.location.column) <
           std::tuple(file_rank[right.location.file], right.location.line, right.location.column);
  });
  return result;
}

}  // namespace vgen::gen
