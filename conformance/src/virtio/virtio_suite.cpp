// Running the VirtIO checks of a plan.
#include "virtio_suite.hpp"

#include <algorithm>

#include <vgen/conform/isolation.hpp>
#include <vgen/error.hpp>

#include "description.hpp"
#include "device_checks.hpp"
#include "device_link.hpp"
#include "driver_checks.hpp"

namespace vgen::conform::virtio_checks {
namespace {

bool selected(const VirtioPlan& plan, const CheckInfo& info) {
  if (info.mode == Mode::Faithful && !plan.faithful) return false;
  if (info.mode == Mode::Hostile && !plan.hostile) return false;
  return !plan.only || std::regex_search(info.id, *plan.only);
}

LinkFactory device_factory(const VirtioPlan& plan) {
  if (plan.transport == "vhost-user") {
    if (!plan.socket.empty()) return vhost_user_link(plan.socket, plan.device_id);
    if (plan.target != nullptr && plan.target->make_device) return vhost_user_child_link(*plan.target);
    throw vgen::Error("--transport vhost-user needs a linked device half or --vhost-user SOCKET");
  }
  if (plan.transport == "mmio") {
    if (!plan.program.empty()) return mmio_program_link(plan.program);
    if (plan.target != nullptr && plan.target->make_device) return mmio_child_link(*plan.target);
    throw vgen::Error("--transport mmio needs a linked device half or --program CMD");
  }
  if (plan.transport == "in-process") {
    if (plan.target != nullptr && plan.target->make_device) return in_process_link(*plan.target);
    throw vgen::Error(
        "--transport in-process needs the device half linked into the harness (run the pair's program with --conform)");
  }
  throw vgen::Error("unknown transport '" + plan.transport + "' (in-process, mmio, vhost-user)");
}

std::optional<virtio::FeatureRules> target_rules(const VirtioPlan& plan) {
  if (plan.target == nullptr || !plan.target->make_device) return std::nullopt;
  const auto model = plan.target->make_device();
  if (model->feature_rules().dependencies().empty()) return std::nullopt;
  return model->feature_rules();
}

// Probes whose answer is unknown are tried once: placed with the others, notified, and
// marked answered when the device returned them within a second (the wait ends early once
// every probe is back).
void find_out_answers(const LinkFactory& factory, std::vector<VirtioProbe>& probes,
                      const std::optional<virtio::FeatureRules>& rules, std::chrono::milliseconds timeout) {
  const bool unknown = std::any_of(probes.begin(), probes.end(), [](const VirtioProbe& p) { return p.find_out; });
  if (!unknown) return;
  const Verdict tried = run_isolated(
      [&] {
        DeviceSession session(factory, probes, rules);
        session.bring_up(~std::uint64_t{0});
        const std::vector<Placed> placed = session.place_probes();
        session.wait_for(
            [&] {
              return std::all_of(placed.begin(), placed.end(),
                                 [&](const Placed& p) { return session.used_of(p).has_value(); });
            },
            std::chrono::seconds(1));
        std::string answered;
        for (const Placed& p : placed) answered += session.used_of(p) ? '1' : '0';
        return pass(answered);
      },
      timeout);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (!probes[i].find_out) continue;
    probes[i].answered = tried.outcome == Outcome::Pass && i < tried.reason.size() && tried.reason[i] == '1';
    probes[i].find_out = false;
  }
}

void run_device_role(const VirtioPlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  const LinkFactory factory = device_factory(plan);
  std::vector<VirtioProbe> probes = plan.target != nullptr ? plan.target->probes : std::vector<VirtioProbe>{};
  std::optional<virtio::FeatureRules> rules = target_rules(plan);
  if (!plan.program.empty()) {
    DeviceDescription described = ask_program(plan.program);
    probes = std::move(described.probes);
    rules = std::move(described.rules);
  }
  find_out_answers(factory, probes, rules, plan.timeout);
  for (const auto* list : {&faithful_device_checks(), &hostile_driver_checks()}) {
    for (const DeviceCheck& check : *list) {
      if (!selected(plan, check.info)) continue;
      const Verdict verdict = run_isolated(
          [&] {
            std::unique_ptr<DeviceSession> session;
            try {
              session = std::make_unique<DeviceSession>(factory, probes, rules);
            } catch (const std::exception& error) {
              return fail(std::string("the device cannot be reached: ") + error.what());
            }
            try {
              return check.run(*session);
            } catch (const StepFailed& step) {
              return step.verdict;
            }
          },
          plan.timeout);
      report.add(judged(check.info, verdict, deviations));
    }
  }
}

}  // namespace

std::vector<CheckInfo> virtio_check_infos() {
  std::vector<CheckInfo> infos;
  for (const auto* list : {&faithful_device_checks(), &hostile_driver_checks()}) {
    for (const DeviceCheck& c : *list) infos.push_back(c.info);
  }
  for (const CheckInfo& info : driver_check_infos()) infos.push_back(info);
  return infos;
}

std::string plan_target_name(const VirtioPlan& plan) {
  if (!plan.socket.empty()) return plan.socket;
  if (!plan.program.empty()) return plan.program;
  return plan.target != nullptr ? plan.target->name : "(none)";
}

void run_virtio(const VirtioPlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  if (plan.role == "device") return run_device_role(plan, report, deviations);
  if (plan.role == "driver") return run_driver_role(plan, report, deviations);
  throw vgen::Error("unknown VirtIO role '" + plan.role + "' (device, driver)");
}

}  // namespace vgen::conform::virtio_checks
