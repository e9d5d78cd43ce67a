// Cross-checking the catalogues against the registered checks.
#include <vgen/conform/catalogue_audit.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace vgen::conform {
namespace {

// Orders section numbers as numbers where both parts are ("2.2" before "2.10").
struct SectionOrder {
  bool operator()(const std::string& a, const std::string& b) const {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
        std::size_t ei = i, ej = j;
        while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
        while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
        const auto na = std::stoull(a.substr(i, ei - i)), nb = std::stoull(b.substr(j, ej - j));
        if (na != nb) return na < nb;
        i = ei;
        j = ej;
      } else {
        if (a[i] != b[j]) return a[i] < b[j];
        ++i;
        ++j;
      }
    }
    return a.size() - i < b.size() - j;
  }
};

std::string where(const Requirement& r) { return r.file + ":" + std::to_string(r.line) + ": " + r.id; }

void audit_requirement(const Requirement& r, const std::map<std::string, const CheckInfo*>& checks,
                       std::vector<std::string>& problems) {
  if (!r.observable) {
    if (r.reason.empty()) problems.push_back(where(r) + ": unobservable without a reason");
    if (!r.checks.empty()) problems.push_back(where(r) + ": unobservable but names checks");
    return;
  }
  if (r.checks.empty()) problems.push_back(where(r) + ": observable but names no check");
  for (const std::string& id : r.checks) {
    const auto it = checks.find(id);
    if (it == checks.end()) {
      problems.push_back(where(r) + ": names check '" + id + "', which does not exist");
    } else if (std::find(it->second->requirements.begin(), it->second->requirements.end(), r.id) ==
               it->second->requirements.end()) {
      problems.push_back(where(r) + ": names check '" + id + "', which does not name it back");
    }
  }
}

void audit_check(const CheckInfo& check, const std::map<std::string, const Requirement*>& requirements,
                 std::vector<std::string>& problems) {
  if (check.requirements.empty()) problems.push_back("check " + check.id + ": names no requirement");
  for (const std::string& id : check.requirements) {
    const auto it = requirements.find(id);
    if (it == requirements.end()) {
      problems.push_back("check " + check.id + ": names requirement '" + id + "', which does not exist");
    } else if (std::find(it->second->checks.begin(), it->second->checks.end(), check.id) == it->second->checks.end()) {
      problems.push_back("check " + check.id + ": names requirement '" + id + "', which does not list it");
    }
  }
}

}  // namespace

std::vector<std::string> audit_catalogues(const std::vector<Catalogue>& catalogues,
                                          const std::vector<CheckInfo>& checks) {
  std::vector<std::string> problems;
  std::map<std::string, const Requirement*> requirements;
  for (const Catalogue& c : catalogues) {
    for (const Requirement& r : c.requirements) {
      if (!requirements.emplace(r.id, &r).second) problems.push_back(where(r) + ": duplicate requirement id");
    }
  }
  std::map<std::string, const CheckInfo*> by_id;
  for (const CheckInfo& check : checks) {
    if (!by_id.emplace(check.id, &check).second) problems.push_back("check " + check.id + ": duplicate check id");
  }
  for (const Catalogue& c : catalogues) {
    for (const Requirement& r : c.requirements) audit_requirement(r, by_id, problems);
  }
  for (const CheckInfo& check : checks) audit_check(check, requirements, problems);
  return problems;
}

std::string catalogue_counts(const std::vector<Catalogue>& catalogues, const std::vector<CheckInfo>& checks) {
  std::ostringstream out;
  std::size_t total = 0;
  std::size_t observable = 0;
  for (const Catalogue& c : catalogues) {
    std::map<std::string, std::pair<int, int>, SectionOrder> per_section;  // section -> observable, not
    for (const Requirement& r : c.requirements) {
      auto& counts = per_section[r.section];
      (r.observable ? counts.first : counts.second)++;
      ++total;
      if (r.observable) ++observable;
    }
    out << c.protocol << ": " << c.requirements.size() << " requirements (" << c.title << ")\n";
    for (const auto& [section, counts] : per_section) {
      out << "  " << section << ": " << counts.first + counts.second << " (" << counts.second << " unobservable)\n";
    }
  }
  out << "total: " << total << " requirements, " << observable << " observable, " << checks.size() << " checks\n";
  return out.str();
}

}  // namespace vgen::conform
