// Checks of the generated-identifier table: what C++ cannot declare, and what one scope
// would declare twice.
#include <map>
#include <set>
#include <tuple>

#include "names/c_library_names.hpp"
#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen {
namespace {

// Two uses of one name in a scope conflict unless neither declares it (two references,
// or a spelling templates receive beside a declaration).
bool conflict(IdentifierUse left, IdentifierUse right) {
  const bool declared = left == IdentifierUse::declares || right == IdentifierUse::declares;
  const bool referred = left == IdentifierUse::refers || right == IdentifierUse::refers;
  const bool shadowed = left == IdentifierUse::shadows || right == IdentifierUse::shadows;
  return (declared && !shadowed) || (shadowed && referred);
}

std::string made(const GeneratedIdentifier& entry, const GeneratedScope& scope) {
  return entry.origin + " would make the " + entry.role + " '" + entry.identifier + "' in " + scope.name;
}

// Why C++ cannot declare what `entry` declares, or nothing.
std::optional<std::string> declaration_problem(const GeneratedIdentifier& entry, const GeneratedScope& scope) {
  if (entry.use != IdentifierUse::declares) return std::nullopt;
  if (std::optional<std::string> problem = cpp_identifier_problem(entry.identifier)) {
    return made(entry, scope) + ", but " + *problem;
  }
  if (scope.global && detail::is_c_global_name(entry.identifier)) {
    return made(entry, scope) + ", which the C library already declares there";
  }
  return std::nullopt;
}

std::string collision(const GeneratedIdentifier& later, const GeneratedIdentifier& earlier,
                      const GeneratedScope& scope) {
  if (earlier.origin.empty()) {
    return made(later, scope) + ", which generated code already uses for " + earlier.role;
  }
  const std::string where = " in " + scope.name;
  if (earlier.origin == later.origin && earlier.location.line == later.location.line &&
      earlier.location.column == later.location.column) {
    return later.origin + " would make its " + later.role + " and its " + earlier.role + " both '" + later.identifier +
           "'" + where;
  }
  const std::string head =
      later.origin + " collides with " + earlier.origin + " (at " + earlier.location.line_column() + "): ";
  if (earlier.role == later.role) {
    return head + "both would make the " + later.role + " '" + later.identifier + "'" + where;
  }
  return head + "its " + later.role + " and the other's " + earlier.role + " would both be '" + later.identifier + "'" +
         where;
}

// Entities reported as colliding, so that two entities whose several identifiers collide
// (a queue's index and size constants) are reported once.
using ReportedPairs = std::set<std::tuple<std::string, int, int, std::string, int, int>>;

bool first_report(ReportedPairs& reported, const GeneratedIdentifier& later, const GeneratedIdentifier& earlier) {
  return reported
      .emplace(later.origin, later.location.line, later.location.column, earlier.origin, earlier.location.line,
               earlier.location.column)
      .second;
}

void check_scope(const GeneratedScope& scope, Diagnostics& diagnostics, ReportedPairs& reported) {
  std::multimap<std::string, const GeneratedIdentifier*> seen;
  for (const GeneratedIdentifier& entry : scope.identifiers) {
    if (!entry.origin.empty()) {
      if (std::optional<std::string> problem = declaration_problem(entry, scope)) {
        diagnostics.error(entry.location, *problem);
        continue;
      }
      auto [begin, end] = seen.equal_range(entry.identifier);
      for (auto it = begin; it != end; ++it) {
        if (conflict(it->second->use, entry.use)) {
          if (first_report(reported, entry, *it->second))
            diagnostics.error(entry.location, collision(entry, *it->second, scope));
          break;
        }
      }
    }
    seen.emplace(entry.identifier, &entry);
  }
}

}  // namespace

void check_generated_identifiers(const Spec& spec, Diagnostics& diagnostics) {
  ReportedPairs reported;
  visit_generated_scopes(spec, [&](const GeneratedScope& scope) { check_scope(scope, diagnostics, reported); });
}

}  // namespace vgen::gen
