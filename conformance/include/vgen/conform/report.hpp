// What a conformance run produces: a transcript line per check as it completes (for FileCheck),
// a requirement matrix as text and as JSON, and the counts. A FAIL listed as a known deviation
// is still printed as FAIL but does not make the exit status non-zero.
#pragma once

#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <vgen/conform/catalogue.hpp>
#include <vgen/conform/check.hpp>
#include <vgen/conform/verdict.hpp>

namespace vgen::conform {

/// What was tested: the suite, the half under test and the way it was reached.
struct RunInfo {
  std::string suite;      ///< "virtio", "xenstore", "xenbus", "rpmsg"
  std::string target;     ///< the half under test, e.g. "loopback" or the daemon's socket
  std::string role;       ///< the side under test: device, driver, frontend, backend, host, remote, daemon
  std::string transport;  ///< in-process, mmio, vhost-user, store socket, ...
};

/// One check's result.
struct Result {
  CheckInfo check;        ///< which check
  Verdict verdict;        ///< its outcome and reason
  std::string deviation;  ///< non-empty: a FAIL the run was told to expect (the note)
};

/// `check` judged `verdict`, with the note `deviations` (check id to note) holds for it, if any.
Result judged(const CheckInfo& check, Verdict verdict, const std::map<std::string, std::string>& deviations);

/// Counts of one run.
struct Counts {
  int pass = 0;
  int fail = 0;  ///< including recorded deviations
  int skip = 0;
  int deviations = 0;  ///< FAILs recorded as known deviations
};

/// Collects results, prints the transcript as they come, and writes the matrices.
class Report {
 public:
  /// Transcript lines go to `transcript` (flushed after each line).
  Report(RunInfo info, std::FILE* transcript);

  /// Prints the header line "conform: <suite> <role> <target> over <transport>".
  void begin();
  /// Records one result and prints "PASS|FAIL|SKIP <check> [<requirements>]: <reason>".
  void add(Result result);
  /// Prints the summary line "conform: N checks: a PASS, b FAIL (d recorded deviations), c SKIP".
  void end();

  /// The counts so far.
  const Counts& counts() const noexcept { return counts_; }
  /// Every result so far.
  const std::vector<Result>& results() const noexcept { return results_; }
  /// 0 when no FAIL other than a recorded deviation, 1 otherwise.
  int exit_status() const noexcept { return counts_.fail > counts_.deviations ? 1 : 0; }

  /// The requirement matrix of `catalogues` (only the suite's protocols are listed): one row
  /// per requirement with its section, side, the combined outcome of its checks in this run
  /// ("-" when no check of it ran, "n/o" when unobservable) and the checks; then counts.
  std::string matrix_text(const std::vector<Catalogue>& catalogues) const;
  /// The same as JSON: run info, counts, every check result, every requirement row.
  std::string matrix_json(const std::vector<Catalogue>& catalogues) const;

 private:
  std::string requirement_outcome(const Requirement& requirement) const;

  RunInfo info_;
  std::FILE* transcript_;
  std::vector<Result> results_;
  std::map<std::string, std::vector<std::size_t>> by_requirement_;  // requirement -> indexes into results_
  Counts counts_;
};

/// `text` as a JSON string literal, quotes included.
std::string json_string(const std::string& text);

}  // namespace vgen::conform
