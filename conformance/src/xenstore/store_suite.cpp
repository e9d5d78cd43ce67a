// Running the XenStore checks.
#include "store_suite.hpp"

#include <unistd.h>

#include "store_checks.hpp"

namespace vgen::conform::xenstore_checks {
namespace {

std::string base_for(const std::string& check_id) {
  std::string leaf = check_id;
  for (char& c : leaf) {
    if (c == '.') c = '-';
  }
  return "/conform/" + leaf + "-" + std::to_string(::getpid());
}

void clean_up(const StorePlan& plan, const std::string& base) {
  try {
    StoreConnection c(plan.socket);
    c.request(store::MessageType::Remove, arg(base));
  } catch (const std::exception&) {
  }
}

}  // namespace

std::vector<CheckInfo> store_check_infos() {
  std::vector<CheckInfo> infos;
  for (const StoreCheck& c : store_checks()) infos.push_back(c.info);
  return infos;
}

bool reachable(const StorePlan& plan) {
  try {
    StoreConnection c(plan.socket);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void run_store(const StorePlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  std::string ended_by;  // the check after which the daemon stopped answering
  for (const StoreCheck& check : store_checks()) {
    if (check.info.mode == Mode::Faithful ? !plan.faithful : !plan.hostile) continue;
    if (plan.only && !std::regex_search(check.info.id, *plan.only)) continue;
    StoreSession session(plan.socket, base_for(check.info.id));
    Verdict verdict;
    if (!ended_by.empty()) {
      verdict = skip("the daemon no longer answers: it went away during " + ended_by);
    } else {
      try {
        verdict = check.run(session);
      } catch (const std::exception& error) {
        verdict = fail(std::string("the daemon cannot be reached: ") + error.what());
      }
      if (!reachable(plan)) ended_by = check.info.id;
    }
    clean_up(plan, session.base());
    report.add(judged(check.info, verdict, deviations));
  }
}

}  // namespace vgen::conform::xenstore_checks
