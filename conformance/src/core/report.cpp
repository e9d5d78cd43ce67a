// Transcript, requirement matrix (text and JSON) and counts of one conformance run.
#include <vgen/conform/report.hpp>

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace vgen::conform {
namespace {

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool in_suite(const Catalogue& catalogue, const RunInfo& info) { return catalogue.protocol == info.suite; }

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
  return out + "]";
}

}  // namespace

const char* to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::Pass:
      return "PASS";
    case Outcome::Fail:
      return "FAIL";
    case Outcome::Skip:
      return "SKIP";
  }
  return "?";
}

const char* to_string(Mode mode) noexcept { return mode == Mode::Faithful ? "faithful" : "hostile"; }

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

Result judged(const CheckInfo& check, Verdict verdict, const std::map<std::string, std::string>& deviations) {
  Result result{check, std::move(verdict), {}};
  if (const auto it = deviations.find(check.id); it != deviations.end()) result.deviation = it->second;
  return result;
}

Report::Report(RunInfo info, std::FILE* transcript) : info_(std::move(info)), transcript_(transcript) {}

void Report::begin() {
  std::fprintf(transcript_, "conform: %s %s %s over %s\n", info_.suite.c_str(), info_.role.c_str(),
               info_.target.c_str(), info_.transport.c_str());
  std::fflush(transcript_);
}

void Report::add(Result result) {
  const Outcome outcome = result.verdict.outcome;
  if (outcome == Outcome::Pass) ++counts_.pass;
  if (outcome == Outcome::Skip) ++counts_.skip;
  if (outcome == Outcome::Fail) ++counts_.fail;
  if (outcome != Outcome::Fail) result.deviation.clear();
  if (!result.deviation.empty()) ++counts_.deviations;
  std::fprintf(transcript_, "%s %s [%s]: %s%s%s\n", to_string(outcome), result.check.id.c_str(),
               joined(result.check.requirements, ",").c_str(), result.verdict.reason.c_str(),
               result.deviation.empty() ? "" : " (recorded deviation: ",
               result.deviation.empty() ? "" : (result.deviation + ")").c_str());
  std::fflush(transcript_);
  for (const std::string& id : result.check.requirements) by_requirement_[id].push_back(results_.size());
  results_.push_back(std::move(result));
}

void Report::end() {
  std::fprintf(transcript_, "conform: %zu checks: %d PASS, %d FAIL (%d recorded deviations), %d SKIP\n",
               results_.size(), counts_.pass, counts_.fail, counts_.deviations, counts_.skip);
  std::fflush(transcript_);
}

std::string Report::requirement_outcome(const Requirement& requirement) const {
  if (!requirement.observable) return "n/o";
  const auto it = by_requirement_.find(requirement.id);
  if (it == by_requirement_.end()) return "-";
  bool any_pass = false;
  bool any_deviation = false;
  for (const std::size_t index : it->second) {
    const Result& r = results_[index];
    if (r.verdict.outcome == Outcome::Fail && r.deviation.empty()) return "FAIL";
    if (r.verdict.outcome == Outcome::Fail) any_deviation = true;
    if (r.verdict.outcome == Outcome::Pass) any_pass = true;
  }
  if (any_deviation) return "DEVIATES";
  return any_pass ? "PASS" : "SKIP";
}

std::string Report::matrix_text(const std::vector<Catalogue>& catalogues) const {
  std::ostringstream out;
  out << "requirement matrix: " << info_.suite << " " << info_.role << " " << info_.target << " over "
      << info_.transport << "\n";
  std::map<std::string, int> totals;
  for (const Catalogue& c : catalogues) {
    if (!in_suite(c, info_)) continue;
    for (const Requirement& r : c.requirements) {
      const std::string outcome = requirement_outcome(r);
      ++totals[outcome];
      out << std::left << std::setw(9) << outcome << std::setw(58) << r.id << std::setw(12) << r.section << std::setw(9)
          << r.binds << joined(r.checks, ",") << "\n";
    }
  }
  out << "requirements:";
  for (const auto& [outcome, count] : totals) out << " " << outcome << "=" << count;
  out << "\nchecks: " << results_.size() << " run, " << counts_.pass << " PASS, " << counts_.fail << " FAIL ("
      << counts_.deviations << " recorded deviations), " << counts_.skip << " SKIP\n";
  return out.str();
}

std::string Report::matrix_json(const std::vector<Catalogue>& catalogues) const {
  std::ostringstream out;
  out << "{\n  \"suite\": " << json_string(info_.suite) << ",\n  \"role\": " << json_string(info_.role)
      << ",\n  \"target\": " << json_string(info_.target) << ",\n  \"transport\": " << json_string(info_.transport)
      << ",\n  \"counts\": {\"pass\": " << counts_.pass << ", \"fail\": " << counts_.fail
      << ", \"skip\": " << counts_.skip << ", \"deviations\": " << counts_.deviations << "},\n  \"checks\": [";
  for (std::size_t i = 0; i < results_.size(); ++i) {
    const Result& r = results_[i];
    out << (i ? "," : "") << "\n    {\"id\": " << json_string(r.check.id) << ", \"mode\": \"" << to_string(r.check.mode)
        << "\", \"outcome\": \"" << to_string(r.verdict.outcome) << "\", \"reason\": " << json_string(r.verdict.reason)
        << ", \"requirements\": " << json_list(r.check.requirements);
    if (!r.deviation.empty()) out << ", \"deviation\": " << json_string(r.deviation);
    out << "}";
  }
  out << "\n  ],\n  \"requirements\": [";
  bool first = true;
  for (const Catalogue& c : catalogues) {
    if (!in_suite(c, info_)) continue;
    for (const Requirement& r : c.requirements) {
      out << (first ? "" : ",") << "\n    {\"id\": " << json_string(r.id) << ", \"section\": " << json_string(r.section)
          << ", \"binds\": " << json_string(r.binds) << ", \"observable\": " << (r.observable ? "true" : "false")
          << ", \"result\": " << json_string(requirement_outcome(r)) << ", \"checks\": " << json_list(r.checks) << "}";
      first = false;
    }
  }
  out << "\n  ]\n}\n";
  return out.str();
}

}  // namespace vgen::conform
