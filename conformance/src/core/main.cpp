// The harness's command line.
#include <vgen/conform/main.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include <vgen/conform/catalogue.hpp>
#include <vgen/conform/catalogue_audit.hpp>
#include <vgen/conform/deviations.hpp>
#include <vgen/conform/report.hpp>
#include <vgen/conform/trace.hpp>
#include <vgen/trace/recorder.hpp>

#include "../rpmsg/rpmsg_suite.hpp"
#include "../virtio/description.hpp"
#include "../virtio/mmio_serving.hpp"
#include "../virtio/vhost_user_serving.hpp"
#include "../virtio/virtio_suite.hpp"
#include "../xenbus/xenbus_suite.hpp"
#include "../xenstore/store_suite.hpp"
#include "all_checks.hpp"
#include "side_by_side.hpp"

namespace vgen::conform {
namespace {

// Options every suite shares: outputs, filters, deviations.
struct Common {
  std::string mode = "all";
  std::string check;
  std::string deviations;
  std::string matrix;
  std::string json;
  std::string catalogue;
  double timeout = 15;
  std::string trace_log;
};

void add_common(CLI::App& app, Common& c) {
  app.add_option("--mode", c.mode, "faithful, hostile or all")->check(CLI::IsMember({"faithful", "hostile", "all"}));
  app.add_option("--check", c.check, "run only the checks whose id matches this regular expression");
  app.add_option("--deviations", c.deviations,
                 "YAML list of {check, note}: known deviations, recorded instead of failing");
  app.add_option("--matrix", c.matrix, "write the requirement matrix as text to FILE ('-': standard output)");
  app.add_option("--json", c.json, "write the requirement matrix as JSON to FILE ('-': standard output)");
  app.add_option("--catalogue", c.catalogue, "directory of the requirement catalogues");
  app.add_option("--timeout", c.timeout, "seconds one check (or one driver run) may take");
  app.add_option("--trace", c.trace_log,
                 "record what the checks drive (queues, status, features, configuration, registers, Xen rings, "
                 "grants, events, store messages, Xenbus states, rpmsg messages) to LOG, which `vgen trace show` reads")
      ->type_name("LOG");
}

void write_output(const std::string& destination, const std::string& text) {
  if (destination.empty()) return;
  if (destination == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::ofstream out(destination);
  out << text;
  if (!out) throw vgen::Error("cannot write " + destination);
}

std::vector<Catalogue> catalogues(const Common& c) {
  return load_catalogues(c.catalogue.empty() ? default_catalogue_directory() : std::filesystem::path(c.catalogue));
}

int finish(Report& report, const Common& c) {
  report.end();
  if (!c.matrix.empty() || !c.json.empty()) {
    const std::vector<Catalogue> all = catalogues(c);
    write_output(c.matrix, report.matrix_text(all));
    write_output(c.json, report.matrix_json(all));
  }
  return report.exit_status();
}

const VirtioTarget* pick(const std::vector<VirtioTarget>& list, const std::string& name) {
  if (list.empty()) {
    if (!name.empty()) throw vgen::Error("no VirtIO target named '" + name + "' is linked into this program");
    return nullptr;
  }
  if (name.empty()) return &list.front();
  for (const VirtioTarget& t : list) {
    if (t.name == name) return &t;
  }
  std::string known;
  for (const VirtioTarget& t : list) known += (known.empty() ? "" : ", ") + t.name;
  throw vgen::Error("no VirtIO target named '" + name + "' (linked: " + known + ")");
}

int run_virtio(const Targets& targets, const std::string& target, virtio_checks::VirtioPlan plan, const Common& c) {
  plan.target = pick(targets.virtio, target);
  plan.faithful = c.mode != "hostile";
  plan.hostile = c.mode != "faithful";
  if (!c.check.empty()) plan.only = std::regex(c.check);
  plan.timeout = std::chrono::milliseconds(static_cast<long>(c.timeout * 1000));
  const auto deviations = c.deviations.empty() ? std::map<std::string, std::string>{} : load_deviations(c.deviations);
  Report report({"virtio", virtio_checks::plan_target_name(plan), plan.role, plan.transport}, stdout);
  report.begin();
  virtio_checks::run_virtio(plan, report, deviations);
  return finish(report, c);
}

int run_xenstore(xenstore_checks::StorePlan plan, const Common& c) {
  plan.faithful = c.mode != "hostile";
  plan.hostile = c.mode != "faithful";
  if (!c.check.empty()) plan.only = std::regex(c.check);
  const auto deviations = c.deviations.empty() ? std::map<std::string, std::string>{} : load_deviations(c.deviations);
  Report report({"xenstore", plan.socket, "daemon", "xs_wire socket"}, stdout);
  report.begin();
  xenstore_checks::run_store(plan, report, deviations);
  return finish(report, c);
}

template <class T>
const T* pick_named(const std::vector<T>& list, const std::string& name, const char* kind) {
  if (list.empty())
    throw vgen::Error(std::string("no ") + kind +
                      " pair is linked into this program (run the pair's program with --conform)");
  if (name.empty()) return &list.front();
  for (const T& t : list) {
    if (t.name == name) return &t;
  }
  throw vgen::Error(std::string("no ") + kind + " pair named '" + name + "' is linked into this program");
}

int run_xenbus(const Targets& targets, const std::string& target, xenbus_checks::XenbusPlan plan, const Common& c) {
  plan.target = pick_named(targets.split, target, "split");
  plan.faithful = c.mode != "hostile";
  plan.hostile = c.mode != "faithful";
  if (!c.check.empty()) plan.only = std::regex(c.check);
  plan.timeout = std::chrono::milliseconds(static_cast<long>(c.timeout * 1000));
  const auto deviations = c.deviations.empty() ? std::map<std::string, std::string>{} : load_deviations(c.deviations);
  Report report(
      {"xenbus", plan.target->name, plan.role,
       plan.store.socket.empty() ? "in-process store"
                                 : plan.store.socket + (plan.store.shim_dir.empty() ? "" : " (guests on ring pages)")},
      stdout);
  report.begin();
  xenbus_checks::run_xenbus(plan, report, deviations);
  return finish(report, c);
}

int run_rpmsg(const Targets& targets, const std::string& target, rpmsg_checks::RpmsgPlan plan, const Common& c) {
  plan.target = pick_named(targets.rpmsg, target, "rpmsg");
  plan.faithful = c.mode != "hostile";
  plan.hostile = c.mode != "faithful";
  if (!c.check.empty()) plan.only = std::regex(c.check);
  plan.timeout = std::chrono::milliseconds(static_cast<long>(c.timeout * 1000));
  const auto deviations = c.deviations.empty() ? std::map<std::string, std::string>{} : load_deviations(c.deviations);
  Report report({"rpmsg", plan.target->name, plan.role,
                 plan.transport == "processes" ? "shared-memory vrings across two processes" : "shared-memory vrings"},
                stdout);
  report.begin();
  rpmsg_checks::run_rpmsg(plan, report, deviations);
  return finish(report, c);
}

int run_catalogue(const Common& c, bool counts) {
  const std::vector<Catalogue> all = catalogues(c);
  const std::vector<std::string> problems = audit_catalogues(all, all_check_infos());
  for (const std::string& p : problems) std::printf("catalogue: %s\n", p.c_str());
  if (counts || problems.empty()) std::fputs(catalogue_counts(all, all_check_infos()).c_str(), stdout);
  std::printf("catalogue: %zu problems\n", problems.size());
  return problems.empty() ? 0 : 1;
}

int list_checks() {
  for (const CheckInfo& info : all_check_infos()) {
    std::string requirements;
    for (const std::string& r : info.requirements) requirements += (requirements.empty() ? "" : ",") + r;
    std::printf("%-48s %-8s %s  [%s]\n", info.id.c_str(), to_string(info.mode), info.summary.c_str(),
                requirements.c_str());
  }
  return 0;
}

// ROLE:TRANSPORT:ARGUMENT, e.g. device:mmio:5.
int serve(const Targets& targets, const std::string& target, const std::string& endpoint) {
  const std::size_t first = endpoint.find(':');
  const std::size_t second = endpoint.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos)
    throw vgen::Error("--conform-serve wants ROLE:TRANSPORT:ARGUMENT, not '" + endpoint + "'");
  const std::string role = endpoint.substr(0, first);
  const std::string transport = endpoint.substr(first + 1, second - first - 1);
  const std::string argument = endpoint.substr(second + 1);
  const VirtioTarget* t = pick(targets.virtio, target);
  if (t == nullptr) throw vgen::Error("--conform-serve: no VirtIO half is linked into this program");
  if (transport == "mmio") return virtio_checks::serve_over_socket(*t, role, std::stoi(argument));
  if (transport == "vhost-user" && role == "device") return virtio_checks::serve_vhost_user(*t, argument);
  throw vgen::Error("--conform-serve: cannot serve " + role + " over " + transport);
}

}  // namespace

int main(int argc, char** argv, const Targets& targets) {
  CLI::App app("vgen conformance harness: checks one half of a pair, requirement by requirement", "vgen-conform");
  app.require_subcommand(0, 1);
  std::string target, endpoint;
  bool conform_flag = false;
  app.add_option("--target", target, "the linked pair to test (by name)");
  app.add_option("--conform-serve", endpoint,
                 "serve a linked half to a harness: ROLE:TRANSPORT:ARGUMENT (device:mmio:FD, driver:mmio:FD, "
                 "device:vhost-user:SOCKET)");
  app.add_flag("--conform", conform_flag, "ignored: how a pair's program hands its command line to the harness");
  bool describe = false;
  app.add_flag("--conform-describe", describe,
               "print the linked device's requests and feature dependencies for a harness");

  Common common;
  virtio_checks::VirtioPlan plan;
  CLI::App* virtio = app.add_subcommand("virtio", "check a VirtIO device or driver");
  virtio->add_option("--role", plan.role, "the half under test")->check(CLI::IsMember({"device", "driver"}));
  virtio->add_option("--transport", plan.transport, "how the half is reached")
      ->check(CLI::IsMember({"in-process", "mmio", "vhost-user"}));
  virtio->add_option("--program", plan.program,
                     "a command serving the device half (given --conform-serve device:mmio:FD)");
  virtio->add_option("--vhost-user", plan.socket,
                     "the socket of a vhost-user back end (implies --transport vhost-user)");
  virtio->add_option("--device-id", plan.device_id,
                     "the device type (VIRTIO_ID_*) behind --vhost-user, which the protocol does not carry");
  add_common(*virtio, common);

  xenstore_checks::StorePlan store_plan;
  CLI::App* xenstore = app.add_subcommand("xenstore", "check a XenStore daemon on an xs_wire socket");
  xenstore->add_option("--store", store_plan.socket, "the daemon's socket")->required();
  add_common(*xenstore, common);

  xenbus_checks::XenbusPlan xenbus_plan;
  CLI::App* xenbus = app.add_subcommand("xenbus", "check a split pair's frontend or backend through a store");
  xenbus->add_option("--role", xenbus_plan.role, "the half under test")->check(CLI::IsMember({"frontend", "backend"}));
  xenbus->add_option("--store", xenbus_plan.store.socket, "a store daemon's socket (default: a store in this process)");
  xenbus
      ->add_option("--shim-dir", xenbus_plan.store.shim_dir,
                   "the guests reach the daemon through ring pages in this folder (Debian's C xenstored under "
                   "vgen-xenstored-shim) instead of CONTROL set-domid")
      ->needs("--store");
  add_common(*xenbus, common);

  rpmsg_checks::RpmsgPlan rpmsg_plan;
  CLI::App* rpmsg = app.add_subcommand("rpmsg", "check an rpmsg pair's remote or host, the harness playing the other");
  rpmsg->add_option("--role", rpmsg_plan.role, "the half under test")->check(CLI::IsMember({"remote", "host"}));
  rpmsg
      ->add_option("--transport", rpmsg_plan.transport,
                   "threads (the half on a thread of the harness) or processes (in a process of its own, sharing "
                   "only the vrings' memory)")
      ->check(CLI::IsMember({"threads", "processes"}));
  add_common(*rpmsg, common);

  bool counts = false;
  CLI::App* catalogue = app.add_subcommand("catalogue", "check the requirement catalogues against the checks");
  catalogue->add_flag("--counts", counts, "print requirements per section");
  catalogue->add_option("--catalogue", common.catalogue, "directory of the requirement catalogues");
  CLI::App* list = app.add_subcommand("list", "list every check with its requirements");
  std::vector<std::string> columns;
  CLI::App* compare = app.add_subcommand("compare", "print requirement matrices (--json of earlier runs) side by side");
  compare->add_option("columns", columns, "LABEL=FILE[,FILE...]: one column, from one or more runs' matrices")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  std::unique_ptr<trace::TraceSink> recorder;
  if (!common.trace_log.empty()) {
    try {
      recorder = trace::open_recorder(common.trace_log);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "vgen-conform: cannot record the trace: %s\n", error.what());
      return 2;
    }
    set_check_trace(recorder.get());
  }
  struct Unset {
    ~Unset() { set_check_trace(nullptr); }
  } unset;
  try {
    if (!endpoint.empty()) return serve(targets, target, endpoint);
    if (describe) {
      const VirtioTarget* t = pick(targets.virtio, target);
      if (t == nullptr) throw vgen::Error("--conform-describe: no VirtIO half is linked into this program");
      std::fputs(virtio_checks::describe_device(*t).c_str(), stdout);
      return 0;
    }
    if (virtio->parsed()) {
      if (!plan.socket.empty()) plan.transport = "vhost-user";
      return run_virtio(targets, target, plan, common);
    }
    if (xenstore->parsed()) return run_xenstore(store_plan, common);
    if (xenbus->parsed()) return run_xenbus(targets, target, xenbus_plan, common);
    if (rpmsg->parsed()) return run_rpmsg(targets, target, rpmsg_plan, common);
    if (catalogue->parsed()) return run_catalogue(common, counts);
    if (list->parsed()) return list_checks();
    if (compare->parsed()) {
      std::vector<MatrixColumn> parsed;
      for (const std::string& c : columns) parsed.push_back(parse_column(c));
      std::fputs(side_by_side(parsed).c_str(), stdout);
      return 0;
    }
    std::fputs(app.help().c_str(), stderr);
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "vgen-conform: %s\n", error.what());
    return 2;
  }
}

}  // namespace vgen::conform
