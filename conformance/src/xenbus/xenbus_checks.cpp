// The Xenbus checks: scenarios run on one device each, and the rules judged on what the
// store showed: every write of the real halves in the order it took effect (the write log)
// and what a watcher saw.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <vgen/conform/isolation.hpp>
#include <vgen/error.hpp>
#include <vgen/store/domain.hpp>
#include <vgen/xenbus/device_paths.hpp>

#include "split_world.hpp"
#include "timeline.hpp"
#include "xenbus_suite.hpp"

namespace vgen::conform::xenbus_checks {
namespace {

using namespace std::chrono_literals;
constexpr auto kStep = 3000ms;  // the longest a half may take to answer one step of the protocol

/// What a scenario run left for the checks.
struct Run {
  std::vector<Snapshot> snapshots;  ///< what a watcher saw (may miss fast changes)
  std::vector<LoggedWrite> writes;  ///< every write of the real halves, in order
  std::string frontend_dir, backend_dir;
  std::string outcome;                  ///< how the scenario went, for reasons
  bool connected = false;               ///< both ends reached Connected
  bool checked_readable = false;        ///< `unreadable` was filled in
  std::vector<std::string> unreadable;  ///< nodes of the half under test the other end could not read
  std::size_t published = 0;            ///< nodes of the half under test the other end was asked to read
  std::string errors;                   ///< exceptions that stopped a real half
  bool settled = true;                  ///< the halves finished what they were told
  Snapshot last;                        ///< both directories when the scenario ended
  bool recovered = true;                ///< hostile scenarios: a fresh device worked afterwards
  std::string recovery;                 ///< how the recovery went
  std::string bus_problems;             ///< vbus: what the buses could not attach
  bool vbus = false;                    ///< the pair's halves were attached by vbus buses
  std::size_t crashed_at = 0;           ///< BackendCrash: writes before the backend crashed
  std::size_t replaced_at = 0;          ///< BackendCrash: writes before a new backend started (0: none did)
};

enum class Scenario {
  Handshake,
  BackendCloses,
  MissingRingRef,
  FrontendGone,
  Reconfigure,
  Reconnect,
  BackendCrash,
  Hostile
};

bool both(const Snapshot& s, int state) {
  return state_of(s.frontend_state) == state && state_of(s.backend_state) == state;
}

// The nodes of one end that the other end's connection cannot read.
std::vector<std::string> unreadable_by(store::Client& reader, const std::string& dir,
                                       const std::map<std::string, std::string>& nodes) {
  std::vector<std::string> out;
  for (const auto& [name, value] : nodes) {
    try {
      reader.read(dir + "/" + name);
    } catch (const store::ClientError& e) {
      out.push_back(name + " (" + e.errno_name() + ")");
    }
  }
  return out;
}

void check_readable(Run& run, SplitWorld& world, Timeline& timeline, const std::string& role) {
  const Snapshot now = timeline.now();
  const auto& nodes = role == "frontend" ? now.frontend_nodes : now.backend_nodes;
  run.published = nodes.size();
  run.unreadable = role == "frontend" ? unreadable_by(world.backend_client(), world.frontend_dir(), nodes)
                                      : unreadable_by(world.frontend_client(), world.backend_dir(), nodes);
  run.checked_readable = true;
}

// Settles the halves and keeps what the checks judge.
void finish(Run& run, SplitWorld& world, Timeline& timeline) {
  run.settled = world.settle(kStep) && run.settled;
  run.errors = world.half_errors();
  run.bus_problems = world.bus_problems();
  run.vbus = world.vbus();
  run.last = timeline.now();
  world.stop_halves();
  run.snapshots = timeline.snapshots();
  run.writes = world.writes().writes();
  run.frontend_dir = world.frontend_dir();
  run.backend_dir = world.backend_dir();
}

bool wrote_state(const std::vector<LoggedWrite>& writes, const std::string& dir, bool frontend, int state,
                 std::size_t from = 0) {
  for (std::size_t i = from; i < writes.size(); ++i) {
    if (writes[i].frontend == frontend && writes[i].path == dir + "/state" && state_of(writes[i].value) == state)
      return true;
  }
  return false;
}

// Both real halves connect; then `after` runs and the scenario waits for `done`.
Run connected_pair(const SplitTarget& target, const StoreAccess& socket, const std::string& role,
                   const std::function<void(SplitWorld&, Timeline&, Run&)>& after) {
  SplitWorld world(target, socket);
  Timeline timeline(world.toolstack(), world.frontend_dir(), world.backend_dir());
  world.create();
  world.start_backend();
  world.start_frontend();
  Run run;
  run.connected = timeline.wait_for([](const Snapshot& s) { return both(s, 4); }, kStep);
  // Once connected nothing more is due from either half: whatever they publish is there.
  run.settled = world.settle(kStep);
  check_readable(run, world, timeline, role);
  run.outcome = run.connected ? "connected" : "never connected";
  if (run.connected) after(world, timeline, run);
  finish(run, world, timeline);
  return run;
}

Run handshake(const SplitTarget& target, const StoreAccess& socket, const std::string& role, bool backend_closes) {
  return connected_pair(target, socket, role, [backend_closes](SplitWorld& world, Timeline& timeline, Run& run) {
    if (backend_closes)
      world.backend_do([](halves::SplitBackendLink& b) { b.close(); });
    else
      world.frontend_do([](halves::SplitFrontendLink& f) { f.close(); });
    const bool closed = timeline.wait_for(
        [](const Snapshot& s) {
          return state_of(s.frontend_state) == 6 && (state_of(s.backend_state) == 6 || !s.backend_exists);
        },
        kStep);
    run.outcome += closed ? ", closed" : ", never closed";
  });
}

// The frontend reconfigures; both should be back at Connected.
Run reconfigure(const SplitTarget& target, const StoreAccess& socket, const std::string& role) {
  return connected_pair(target, socket, role, [](SplitWorld& world, Timeline&, Run& run) {
    const std::size_t from = world.writes().size();
    world.frontend_do([](halves::SplitFrontendLink& f) { f.reconfigure(); });
    const std::string fdir = world.frontend_dir(), bdir = world.backend_dir();
    const bool back = world.writes().wait_for(
        [&](const std::vector<LoggedWrite>& w) {
          return wrote_state(w, fdir, true, 7, from) && wrote_state(w, fdir, true, 4, from) &&
                 wrote_state(w, bdir, false, 4, from);
        },
        kStep);
    run.outcome += back ? ", reconfigured and connected again" : ", not connected again after Reconfiguring";
  });
}

// The frontend closes, then is replaced by a new one at Initialising: the backend goes back
// to InitWait.
Run reconnect(const SplitTarget& target, const StoreAccess& socket, const std::string& role) {
  return connected_pair(target, socket, role, [](SplitWorld& world, Timeline& timeline, Run& run) {
    world.frontend_do([](halves::SplitFrontendLink& f) { f.close(); });
    if (!timeline.wait_for([](const Snapshot& s) { return both(s, 6); }, kStep)) {
      run.outcome += ", never closed";
      return;
    }
    world.stop_frontend();
    const std::size_t from = world.writes().size();
    world.frontend_client().write(world.frontend_dir() + "/state", "1");
    const std::string bdir = world.backend_dir();
    const bool waits = world.writes().wait_for(
        [&](const std::vector<LoggedWrite>& w) { return wrote_state(w, bdir, false, 2, from); }, kStep);
    run.outcome += waits ? ", closed, InitWait again for a new frontend" : ", closed, no InitWait for a new frontend";
  });
}

// Both connect; then the backend crashes (it stops without a last write and the toolstack
// removes its directory) and, once the frontend closed, the toolstack makes a new backend
// directory and a new backend starts there, as after a backend domain's restart.
Run backend_crash(const SplitTarget& target, const StoreAccess& socket, const std::string& role) {
  return connected_pair(target, socket, role, [](SplitWorld& world, Timeline&, Run& run) {
    const std::string fdir = world.frontend_dir();
    run.crashed_at = world.writes().size();
    world.crash_backend();
    const bool closed = world.writes().wait_for(
        [&](const std::vector<LoggedWrite>& w) { return wrote_state(w, fdir, true, 6, run.crashed_at); }, kStep);
    run.outcome += closed ? ", the backend crashed and the frontend closed"
                          : ", the backend crashed and the frontend did not close";
    if (!closed) return;
    run.settled = world.settle(kStep);
    run.replaced_at = world.writes().size();
    world.replace_backend();
    const std::size_t from = run.replaced_at;
    const bool again = world.writes().wait_for(
        [&](const std::vector<LoggedWrite>& w) { return wrote_state(w, fdir, true, 4, from); }, kStep);
    run.outcome += again ? ", connected to a new backend" : ", not connected to a new backend";
  });
}

// A fresh device with both real halves connects: the half under test works again.
std::pair<bool, std::string> fresh_device_works(const SplitTarget& target, const StoreAccess& socket) {
  SplitWorld world(target, socket);
  Timeline timeline(world.toolstack(), world.frontend_dir(), world.backend_dir());
  world.create();
  world.start_backend();
  world.start_frontend();
  const bool connected = timeline.wait_for([](const Snapshot& s) { return both(s, 4); }, kStep);
  world.stop_halves();
  return {connected, connected ? "a fresh device connected" : "a fresh device never connected"};
}

// The backend under test against a frontend that announces Initialised without a ring.
Run missing_ring_ref(const SplitTarget& target, const StoreAccess& socket) {
  SplitWorld world(target, socket);
  Timeline timeline(world.toolstack(), world.frontend_dir(), world.backend_dir());
  world.create();
  world.start_backend();
  Run run;
  run.settled = world.settle(kStep);
  world.frontend_client().write(world.frontend_dir() + "/state", "3");
  finish(run, world, timeline);
  run.outcome = "frontend Initialised without ring-ref or event-channel";
  return run;
}

// Both real halves connect, then the frontend's directory disappears.
Run frontend_gone(const SplitTarget& target, const StoreAccess& socket, const std::string& role) {
  return connected_pair(target, socket, role, [](SplitWorld& world, Timeline& timeline, Run& run) {
    world.toolstack().remove(world.frontend_dir());
    const bool gone =
        timeline.wait_for([](const Snapshot& s) { return !s.backend_exists || state_of(s.backend_state) == 6; }, kStep);
    run.outcome += gone ? ", backend closed or unregistered" : ", backend stayed";
  });
}

// --- judging the write log ----------------------------------------------------------------

bool is_state(const Run& run, const LoggedWrite& w, bool frontend) {
  return w.frontend == frontend && w.path == (frontend ? run.frontend_dir : run.backend_dir) + "/state";
}

// The states a half wrote, in order (repeats of the same state folded).
std::vector<int> states(const Run& run, bool frontend) {
  std::vector<int> out;
  for (const LoggedWrite& w : run.writes) {
    if (!is_state(run, w, frontend)) continue;
    const int state = state_of(w.value);
    if (out.empty() || out.back() != state) out.push_back(state);
  }
  return out;
}

std::string sequence(const std::vector<int>& states) {
  if (states.empty()) return "none";
  std::string out;
  for (const int s : states) out += (out.empty() ? "" : " ") + std::to_string(s);
  return out;
}

std::string own_dir(const Run& run, bool frontend) { return frontend ? run.frontend_dir : run.backend_dir; }

// A node of the half's own directory other than its state, by name.
std::optional<std::string> own_node(const Run& run, const LoggedWrite& w, bool frontend) {
  const std::string dir = own_dir(run, frontend) + "/";
  if (w.frontend != frontend || w.path.rfind(dir, 0) != 0) return std::nullopt;
  const std::string name = w.path.substr(dir.size());
  if (name == "state") return std::nullopt;
  return name;
}

// The commit that first wrote `state` for the half (0: never).
std::uint64_t state_commit(const Run& run, bool frontend, int state) {
  for (const LoggedWrite& w : run.writes) {
    if (is_state(run, w, frontend) && state_of(w.value) == state) return w.commit;
  }
  return 0;
}

// The table of the split-driver notes (xenbus.h states): who may go where.
bool allowed(bool frontend, int from, int to) {
  if (from == to || to == 1) return true;
  if (frontend) {
    switch (to) {
      case 3:
        return from == 1 || from == 6;
      case 4:
        return from == 3 || from == 7;
      case 5:
        return from == 1 || from == 3 || from == 4 || from == 7;
      case 6:
        return from == 5 || from == 1 || from == 3;
      case 7:
        return from == 4;
      default:
        return false;
    }
  }
  switch (to) {
    case 2:
      return from == 1 || from == 6 || from == 4 || from == 8;
    case 4:
      return from == 1 || from == 2 || from == 8;
    case 5:
      return from == 1 || from == 2 || from == 4 || from == 8;
    case 6:
      return from == 5 || from == 1 || from == 2;
    case 8:
      return from == 4;
    default:
      return false;
  }
}

Verdict legal_transitions(const Run& run, bool frontend) {
  std::vector<int> seen = states(run, frontend);
  seen.insert(seen.begin(), 1);  // the toolstack made the device Initialising
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i] < 0) continue;
    if (seen[i - 1] >= 0 && !allowed(frontend, seen[i - 1], seen[i])) {
      return fail("went from " + std::to_string(seen[i - 1]) + " to " + std::to_string(seen[i]) + " (states " +
                  sequence(seen) + ")");
    }
  }
  return pass("states " + sequence(seen) + ", every step allowed (" + run.outcome + ")");
}

Verdict state_values(const Run& run, bool frontend) {
  int written = 0;
  for (const LoggedWrite& w : run.writes) {
    if (!is_state(run, w, frontend)) continue;
    ++written;
    if (state_of(w.value) < 0) return fail("state node holds \"" + w.value + "\", not a decimal 0..8");
  }
  if (written == 0) return fail("wrote no state (" + run.outcome + ")");
  return pass("every state written (" + std::to_string(written) + ") was a decimal 0..8");
}

// The frontend nodes any of which carries `ring`'s grant: ring-ref, or also ring-ref0 for a ring
// that may be negotiated with several pages (blkif.h).
std::vector<std::string> grant_nodes(const Run& run, const halves::RingSpec& ring) {
  const std::string ref = run.frontend_dir + "/" + std::string(ring.ring_ref);
  if (ring.pages > 1) return {ref, ref + "0"};
  return {ref};
}

Verdict ring_before_initialised(const Run& run, const SplitTarget& target) {
  // Each ring's grant and event channel, as nodes any of which satisfies the requirement.
  std::vector<std::vector<std::string>> required;
  for (const halves::RingSpec& ring : target.halves.spec->rings) {
    required.push_back(grant_nodes(run, ring));
    required.push_back({run.frontend_dir + "/" + std::string(ring.event_channel)});
  }
  std::map<std::string, std::uint64_t> written;  // path -> commit that first wrote it
  for (const LoggedWrite& w : run.writes) {
    if (w.frontend) written.emplace(w.path, w.commit);
  }
  int seen = 0;
  for (const LoggedWrite& w : run.writes) {
    const int state = state_of(w.value);
    if (!is_state(run, w, true) || (state != 3 && state != 4)) continue;
    ++seen;
    for (const std::vector<std::string>& nodes : required) {
      const bool before = std::any_of(nodes.begin(), nodes.end(), [&](const std::string& node) {
        const auto it = written.find(node);
        return it != written.end() && it->second <= w.commit;
      });
      if (!before)
        return fail("state " + std::to_string(state) + " written before " +
                    nodes.front().substr(run.frontend_dir.size() + 1));
    }
  }
  if (seen == 0) return fail("the frontend never reached Initialised (" + run.outcome + ")");
  return pass("ring-ref and event-channel written no later than Initialised");
}

// The frontend's details and its Initialised take effect together (one transaction), and it
// publishes nothing more while Initialised.
Verdict details_one_transaction(const Run& run) {
  const std::uint64_t initialised = state_commit(run, true, 3);
  if (initialised == 0) return fail("the frontend never wrote Initialised (" + run.outcome + ")");
  std::vector<std::string> together;
  bool after_state = false;
  for (const LoggedWrite& w : run.writes) {
    if (w.commit == initialised && own_node(run, w, true)) together.push_back(*own_node(run, w, true));
    if (w.commit == initialised) after_state = true;
    if (!after_state || w.commit == initialised) continue;
    if (is_state(run, w, true)) break;  // the next state: publishing may go on
    if (const auto name = own_node(run, w, true))
      return fail(*name + " written after Initialised, in a transaction of its own");
  }
  for (const LoggedWrite& w : run.writes) {
    if (w.commit >= initialised) break;
    if (const auto name = own_node(run, w, true))
      return fail(*name + " written before Initialised, outside its transaction");
  }
  if (together.empty()) return fail("Initialised written with no details in its transaction");
  std::string names;
  for (const std::string& n : together) names += (names.empty() ? "" : ", ") + n;
  return pass("Initialised took effect with " + names);
}

// The half reached `state` only once the other end had written one of `needed`.
Verdict reached_after(const Run& run, bool frontend, int state, std::initializer_list<int> needed, const char* what) {
  int other = 1;
  for (const LoggedWrite& w : run.writes) {
    if (is_state(run, w, !frontend)) other = state_of(w.value);
    if (!is_state(run, w, frontend) || state_of(w.value) != state) continue;
    for (const int n : needed) {
      if (other == n) return pass(std::string("reached ") + std::to_string(state) + " after " + what);
    }
    return fail(std::string("reached ") + std::to_string(state) + " before " + what + " (other end at " +
                std::to_string(other) + ")");
  }
  return fail(std::string("never reached ") + std::to_string(state) + " (" + run.outcome + ")");
}

Verdict initwait(const Run& run) {
  const std::vector<int> seen = states(run, false);
  for (const int s : seen) {
    if (s == 2) return pass("went to InitWait before connecting (states " + sequence(seen) + ")");
    if (s == 4) return fail("connected without going through InitWait (states " + sequence(seen) + ")");
  }
  return fail("never switched to InitWait; the frontend waited for it (states " + sequence(seen) + ", " + run.outcome +
              ")");
}

// Limits (max-* nodes) take effect no later than InitWait, feature-* nodes no later than
// Connected.
Verdict features_in_time(const Run& run) {
  const std::uint64_t initwait = state_commit(run, false, 2);
  const std::uint64_t connected = state_commit(run, false, 4);
  if (initwait == 0) return fail("never switched to InitWait (" + run.outcome + ")");
  std::vector<std::string> names;
  for (const LoggedWrite& w : run.writes) {
    const auto name = own_node(run, w, false);
    if (!name) continue;
    if (name->rfind("max-", 0) == 0 && w.commit > initwait) return fail(*name + " written after InitWait");
    if (name->rfind("feature-", 0) != 0) {
      if (name->rfind("max-", 0) == 0) names.push_back(*name);
      continue;
    }
    if (connected == 0 || w.commit > connected) return fail(*name + " written after Connected, or without connecting");
    names.push_back(*name);
  }
  if (names.empty()) return skip("the backend publishes no feature-* or max-* node");
  return pass(names.front() + (names.size() > 1 ? " and " + std::to_string(names.size() - 1) + " more" : "") +
              " written in time");
}

// What the backend publishes when connecting takes effect no later than Connected: nothing of
// its own is written while it is Connected.
Verdict info_with_connected(const Run& run) {
  const std::uint64_t connected = state_commit(run, false, 4);
  if (connected == 0) return fail("never Connected (" + run.outcome + ")");
  std::vector<std::string> together;
  bool in_connected = false;
  for (const LoggedWrite& w : run.writes) {
    if (w.commit == connected) {
      in_connected = true;
      if (const auto name = own_node(run, w, false)) together.push_back(*name);
      continue;
    }
    if (!in_connected) continue;
    if (is_state(run, w, false)) break;
    if (const auto name = own_node(run, w, false); name && *name != "online")
      return fail(*name + " written after Connected");
  }
  if (together.empty()) return pass("Connected; the device publishes nothing when connecting");
  std::string names;
  for (const std::string& n : together) names += (names.empty() ? "" : ", ") + n;
  return pass("Connected took effect with " + names);
}

Verdict follows_closing(const Run& run, bool frontend) {
  bool other_closing = false;
  bool closing = false;
  for (const LoggedWrite& w : run.writes) {
    if (is_state(run, w, !frontend) && state_of(w.value) == 5) other_closing = true;
    if (!is_state(run, w, frontend)) continue;
    if (other_closing && state_of(w.value) == 5) closing = true;
    if (closing && state_of(w.value) == 6) return pass("followed the other end through Closing to Closed");
  }
  const std::vector<int> seen = states(run, frontend);
  if (!other_closing) return fail("the other end never went Closing (" + run.outcome + ")");
  return fail(std::string(closing ? "went Closing but never Closed" : "did not follow the other end to Closing") +
              " (states " + sequence(seen) + ")");
}

Verdict nodes_readable(const Run& run) {
  if (!run.checked_readable) return fail("the scenario never got to look (" + run.outcome + ")");
  if (!run.unreadable.empty()) return fail("the other end cannot read " + run.unreadable.front());
  if (!run.connected) return fail("every node readable, but the pair never connected");
  return pass("the other end reads all " + std::to_string(run.published) + " nodes it published");
}

// A half writes only below its own directory and its domain's error/ directory.
Verdict own_directory(const Run& run, bool frontend) {
  const std::string dir = own_dir(run, frontend) + "/";
  const std::string errors =
      store::domain_path(frontend ? SplitWorld::kFrontendDomain : SplitWorld::kBackendDomain) + "/error/";
  int written = 0;
  for (const LoggedWrite& w : run.writes) {
    if (w.frontend != frontend) continue;
    ++written;
    if (w.path.rfind(dir, 0) != 0 && w.path.rfind(errors, 0) != 0)
      return fail("wrote " + w.path + ", outside its directory");
  }
  if (written == 0) return fail("wrote nothing (" + run.outcome + ")");
  return pass("all " + std::to_string(written) + " writes below its directory or its error directory");
}

Verdict bad_details(const Run& run) {
  const std::vector<int> seen = states(run, false);
  for (const int s : seen) {
    if (s == 4) return fail("connected to a frontend that published no ring (states " + sequence(seen) + ")");
  }
  if (seen.empty() || seen.back() != 5)
    return fail("did not go Closing over a frontend without a ring (states " + sequence(seen) + ")");
  bool error = false;
  for (const LoggedWrite& w : run.writes) error = error || (!w.frontend && w.path.find("/error/") != std::string::npos);
  if (!error) return fail("went Closing without writing an error node");
  return pass("wrote an error node and went Closing instead of connecting");
}

// error/<nodename>/error under the backend's own domain, "<errno> <message>".
Verdict error_node(const Run& run) {
  const std::string home = store::domain_path(SplitWorld::kBackendDomain) + "/";
  const std::string nodename =
      run.backend_dir.rfind(home, 0) == 0 ? run.backend_dir.substr(home.size()) : run.backend_dir.substr(1);
  const std::string expected = home + "error/" + nodename + "/error";
  for (const LoggedWrite& w : run.writes) {
    if (w.frontend || w.path.find("/error") == std::string::npos || w.path.rfind(run.backend_dir + "/", 0) == 0)
      continue;
    if (w.path != expected) return fail("error written to " + w.path + ", not " + expected);
    std::size_t digits = 0;
    while (digits < w.value.size() && std::isdigit(static_cast<unsigned char>(w.value[digits]))) ++digits;
    if (digits == 0 || digits + 1 >= w.value.size() || w.value[digits] != ' ')
      return fail("error node holds \"" + w.value + "\", not \"<errno> <message>\"");
    return pass(expected.substr(home.size()) + " = \"" + w.value + "\"");
  }
  return fail("wrote no error node over a frontend without a ring");
}

Verdict frontend_gone_check(const Run& run) {
  if (run.outcome.find("backend closed or unregistered") == std::string::npos)
    return fail("the frontend's directory vanished and " + run.outcome);
  return pass("when the frontend's directory vanished, " + run.outcome);
}

// The frontend went Reconfiguring and, once the backend answered, Connected again.
Verdict frontend_reconfigures(const Run& run) {
  bool asked = false, answered = false;
  for (const LoggedWrite& w : run.writes) {
    if (is_state(run, w, true) && state_of(w.value) == 7) asked = true;
    if (asked && is_state(run, w, false) && state_of(w.value) == 8) answered = true;
    if (is_state(run, w, true) && state_of(w.value) == 4 && asked) {
      if (!answered) return fail("back to Connected before the backend was Reconfigured");
      return pass("Reconfiguring, then Connected once the backend was Reconfigured");
    }
  }
  return fail(std::string(asked ? "never back to Connected" : "never went Reconfiguring") + " (" + run.outcome + ")");
}

// The backend answered Reconfiguring with Reconfigured, and Connected after the frontend.
Verdict backend_answers_reconfiguring(const Run& run) {
  bool asked = false, answered = false, frontend_back = false;
  for (const LoggedWrite& w : run.writes) {
    if (is_state(run, w, true) && state_of(w.value) == 7) asked = true;
    if (asked && is_state(run, w, true) && state_of(w.value) == 4) frontend_back = true;
    if (!asked || !is_state(run, w, false)) continue;
    if (state_of(w.value) == 8) answered = true;
    if (state_of(w.value) == 4) {
      if (!answered) return fail("went Connected without answering Reconfigured");
      if (!frontend_back) return fail("went Connected again before the frontend did");
      return pass("Reconfigured, then Connected after the frontend");
    }
  }
  if (!asked) return fail("the frontend never went Reconfiguring (" + run.outcome + ")");
  return fail(std::string(answered ? "never Connected again" : "never answered Reconfigured") + " (" + run.outcome +
              ")");
}

Verdict backend_reconnects(const Run& run) {
  if (run.outcome.find("InitWait again") == std::string::npos) return fail(run.outcome);
  return pass(run.outcome);
}

// The frontend's states written from write `from` up to write `to`.
std::vector<int> states_between(const Run& run, bool frontend, std::size_t from, std::size_t to) {
  std::vector<int> out;
  for (std::size_t i = from; i < std::min(to, run.writes.size()); ++i) {
    if (!is_state(run, run.writes[i], frontend)) continue;
    const int state = state_of(run.writes[i].value);
    if (out.empty() || out.back() != state) out.push_back(state);
  }
  return out;
}

// Once its Connected backend crashed, the frontend went Closing and Closed (4 -> 5 -> 6, or
// 4 -> 6 is not allowed) and stayed alive.
Verdict closed_after_crash(const Run& run) {
  if (!run.connected) return fail("the pair never connected (" + run.outcome + ")");
  if (!run.errors.empty()) return fail("the frontend stopped with an error: " + run.errors);
  const std::size_t to = run.replaced_at == 0 ? run.writes.size() : run.replaced_at;
  std::vector<int> seen = states_between(run, true, run.crashed_at, to);
  seen.insert(seen.begin(), 4);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (!allowed(true, seen[i - 1], seen[i]))
      return fail("went from " + std::to_string(seen[i - 1]) + " to " + std::to_string(seen[i]) +
                  " after the crash (states " + sequence(seen) + ")");
  }
  if (seen.back() != 6) return fail("did not close after its backend crashed (states " + sequence(seen) + ")");
  return pass("states " + sequence(seen) + " after the crash");
}

// Closed after the crash, the frontend connected to the new backend: Initialised with fresh
// ring details in one transaction, then Connected after the backend.
Verdict reconnects_after_crash(const Run& run, const SplitTarget& target) {
  if (run.replaced_at == 0) return fail("no new backend was started (" + run.outcome + ")");
  const std::vector<int> seen = states_between(run, true, run.replaced_at, run.writes.size());
  // Every ring's grant: ring-ref, or ring-ref0 when it was negotiated with several pages
  // (xen-netif: tx-ring-ref and rx-ring-ref), each with the commit that first rewrote it.
  std::vector<std::vector<std::string>> rings;
  for (const halves::RingSpec& spec : target.halves.spec->rings) rings.push_back(grant_nodes(run, spec));
  std::vector<std::uint64_t> ring_commits(rings.size(), 0);
  std::uint64_t initialised = 0;
  int backend = 1;
  for (std::size_t i = run.replaced_at; i < run.writes.size(); ++i) {
    const LoggedWrite& w = run.writes[i];
    if (is_state(run, w, false)) backend = state_of(w.value);
    for (std::size_t r = 0; r < rings.size(); ++r) {
      const bool grant = std::find(rings[r].begin(), rings[r].end(), w.path) != rings[r].end();
      if (w.frontend && grant && ring_commits[r] == 0) ring_commits[r] = w.commit;
    }
    if (!is_state(run, w, true)) continue;
    if (state_of(w.value) == 3 && initialised == 0) initialised = w.commit;
    if (state_of(w.value) == 4) {
      if (initialised == 0)
        return fail("Connected to the new backend without Initialised (states " + sequence(seen) + ")");
      for (std::size_t r = 0; r < rings.size(); ++r) {
        if (ring_commits[r] != initialised)
          return fail("Initialised again without a fresh " + rings[r].front().substr(run.frontend_dir.size() + 1) +
                      " in its transaction");
      }
      if (backend != 4) return fail("Connected before the new backend (at " + std::to_string(backend) + ")");
      return pass("states " + sequence(seen) + " with the new backend, fresh ring details with Initialised");
    }
  }
  return fail("never connected to the new backend (states " + sequence(seen) + ", " + run.outcome + ")");
}

// vbus: the domain's bus attached the pair's half by its compatible string and the half went
// through the handshake to Connected.
Verdict attached_by_compatible(const Run& run, const SplitTarget& target, bool frontend) {
  const std::string_view compatible =
      frontend ? target.halves.spec->frontend_compatible : target.halves.spec->backend_compatible;
  if (!run.vbus) return fail("not attached by a vbus bus");
  if (!run.bus_problems.empty()) return fail("the bus did not attach it: " + run.bus_problems);
  if (!run.connected)
    return fail("attached as '" + std::string(compatible) + "' but never connected (" + run.outcome + ")");
  return pass("the bus attached '" + std::string(compatible) + "'; states " + sequence(states(run, frontend)));
}

// --- hostile peers ------------------------------------------------------------------------

// A scripted backend against the real frontend, or a scripted frontend against the real backend.
using Script = std::function<void(SplitWorld&, Timeline&)>;

Run hostile_run(const SplitTarget& target, const StoreAccess& socket, const std::string& role, const Script& script) {
  Run run;
  {
    SplitWorld world(target, socket);
    Timeline timeline(world.toolstack(), world.frontend_dir(), world.backend_dir());
    world.create();
    if (role == "frontend")
      world.start_frontend();
    else
      world.start_backend();
    script(world, timeline);
    finish(run, world, timeline);
    run.outcome = "it ended at state " +
                  (role == "frontend" ? run.last.frontend_state : run.last.backend_state).value_or("(gone)");
    // A backend's last error node says which of the scripted frontend's nodes it refused.
    if (role == "backend") {
      for (auto w = run.writes.rbegin(); w != run.writes.rend(); ++w) {
        if (w->frontend || w->path.find("/error/") == std::string::npos || w->path.rfind(run.backend_dir + "/", 0) == 0)
          continue;
        run.outcome += " (error node \"" + w->value + "\")";
        break;
      }
    }
  }
  std::tie(run.recovered, run.recovery) = fresh_device_works(target, socket);
  return run;
}

// The half stayed alive, did what it was told, and a fresh device works.
Verdict survived(const Run& run) {
  if (!run.errors.empty()) return fail("the half stopped with an error: " + run.errors);
  if (!run.settled) return fail("the half stopped answering; " + run.outcome);
  if (!run.recovered) return fail(run.outcome + "; " + run.recovery);
  return pass(run.outcome + "; " + run.recovery);
}

// survived(), and the half under test did not go Connected on what it was given.
Verdict refused(const Run& run, bool frontend) {
  for (const int s : states(run, frontend)) {
    if (s == 4) return fail("went Connected (states " + sequence(states(run, frontend)) + ")");
  }
  return survived(run);
}

// survived(), and the half ended Closed (or its directory is gone).
Verdict ended_closed(const Run& run, bool frontend) {
  const auto& state = frontend ? run.last.frontend_state : run.last.backend_state;
  if (state && state_of(state) != 6)
    return fail("did not close: " + run.outcome + " (states " + sequence(states(run, frontend)) + ")");
  return survived(run);
}

// survived(), and the half acted once on a state written several times: it wrote each of its
// states once in a row.
Verdict idempotent(const Run& run, bool frontend) {
  int previous = -2;
  for (const LoggedWrite& w : run.writes) {
    if (!is_state(run, w, frontend)) continue;
    const int state = state_of(w.value);
    if (state == previous)
      return fail("switched to " + std::to_string(state) + " again while in it: it acted on a repeated event");
    previous = state;
  }
  return survived(run);
}

void write_state(store::Client& c, const std::string& dir, const std::string& value) { c.write(dir + "/state", value); }

// A node only its owner may read, written and restricted at once.
void write_private(store::Client& c, const std::string& path, const std::string& value) {
  store::run_transaction(c, [&](store::TransactionId tx) {
    c.write(path, value, tx);
    c.set_permissions(path, {{c.domain(), store::Access::None}}, tx);
  });
}

// A scripted frontend's ring details: every ring's grant node (one page: the spec's ring-ref
// node, no ring-page-order) and event-channel node, as the spec names them (xen-netif's
// tx-ring-ref, rx-ring-ref, event-channel-tx, event-channel-rx), each ring a grant and port of
// its own; `restricted` makes every node one the backend may not read.
void write_ring_details(SplitWorld& w, bool restricted) {
  std::uint32_t index = 0;
  for (const halves::RingSpec& ring : w.target().halves.spec->rings) {
    const std::string ref = w.frontend_dir() + "/" + std::string(ring.ring_ref);
    const std::string port = w.frontend_dir() + "/" + std::string(ring.event_channel);
    if (restricted) {
      write_private(w.frontend_client(), ref, std::to_string(index));
      write_private(w.frontend_client(), port, std::to_string(1 + index));
    } else {
      w.frontend_client().write(ref, std::to_string(9999 - index));
      w.frontend_client().write(port, std::to_string(77 + index));
    }
    ++index;
  }
}

bool frontend_at(const Snapshot& s, int state) { return state_of(s.frontend_state) == state; }
bool backend_at(const Snapshot& s, int state) { return state_of(s.backend_state) == state; }

std::map<std::string, Script> scripts() {
  return {
      // Scripted backends, against the real frontend.
      {"backend-skips-initwait",
       [](SplitWorld& w, Timeline&) { write_state(w.backend_client(), w.backend_dir(), "4"); }},
      {"backend-repeats-states",
       [](SplitWorld& w, Timeline& t) {
         for (int i = 0; i < 3; ++i) write_state(w.backend_client(), w.backend_dir(), "2");
         t.wait_for([](const Snapshot& s) { return frontend_at(s, 3); }, kStep);
         w.settle(kStep);
         for (int i = 0; i < 3; ++i) write_state(w.backend_client(), w.backend_dir(), "5");
       }},
      {"backend-vanishes",
       [](SplitWorld& w, Timeline& t) {
         write_state(w.backend_client(), w.backend_dir(), "2");
         t.wait_for([](const Snapshot& s) { return frontend_at(s, 3); }, kStep);
         w.toolstack().remove(w.backend_dir());
       }},
      {"backend-jumps-to-closed",
       [](SplitWorld& w, Timeline& t) {
         write_state(w.backend_client(), w.backend_dir(), "2");
         t.wait_for([](const Snapshot& s) { return frontend_at(s, 3); }, kStep);
         write_state(w.backend_client(), w.backend_dir(), "6");
       }},
      {"backend-garbage-state",
       [](SplitWorld& w, Timeline&) { write_state(w.backend_client(), w.backend_dir(), "banana"); }},
      {"backend-unreadable-state",
       [](SplitWorld& w, Timeline& t) {
         write_state(w.backend_client(), w.backend_dir(), "2");
         t.wait_for([](const Snapshot& s) { return frontend_at(s, 3); }, kStep);
         write_private(w.backend_client(), w.backend_dir() + "/state", "4");
       }},
      // Scripted frontends, against the real backend.
      {"frontend-skips-initialised",
       [](SplitWorld& w, Timeline& t) {
         t.wait_for([](const Snapshot& s) { return backend_at(s, 2); }, kStep);
         write_ring_details(w, false);
         write_state(w.frontend_client(), w.frontend_dir(), "4");
       }},
      {"frontend-repeats-states",
       [](SplitWorld& w, Timeline& t) {
         t.wait_for([](const Snapshot& s) { return backend_at(s, 2); }, kStep);
         write_ring_details(w, false);
         for (int i = 0; i < 3; ++i) write_state(w.frontend_client(), w.frontend_dir(), "3");
       }},
      {"frontend-vanishes",
       [](SplitWorld& w, Timeline& t) {
         t.wait_for([](const Snapshot& s) { return backend_at(s, 2); }, kStep);
         w.toolstack().remove(w.frontend_dir());
       }},
      {"frontend-garbage-state",
       [](SplitWorld& w, Timeline&) { write_state(w.frontend_client(), w.frontend_dir(), "banana"); }},
      {"frontend-ring-ref-after-initialised",
       [](SplitWorld& w, Timeline& t) {
         t.wait_for([](const Snapshot& s) { return backend_at(s, 2); }, kStep);
         write_state(w.frontend_client(), w.frontend_dir(), "3");
         w.settle(kStep);  // the backend has seen Initialised with no ring
         write_ring_details(w, false);
       }},
      {"frontend-unreadable-ring",
       [](SplitWorld& w, Timeline& t) {
         t.wait_for([](const Snapshot& s) { return backend_at(s, 2); }, kStep);
         write_ring_details(w, true);
         write_state(w.frontend_client(), w.frontend_dir(), "3");
       }},
  };
}

// --- the check table ----------------------------------------------------------------------

struct XenbusCheck {
  CheckInfo info;
  std::string role;  ///< the half it judges
  Scenario scenario;
  std::string script;  ///< hostile: the scripted peer
  std::function<Verdict(const Run&, const SplitTarget&)> judge;
};

using Judge = std::function<Verdict(const Run&, const SplitTarget&)>;

XenbusCheck faithful(std::string id, std::string req, std::string role, Scenario scenario, std::string summary,
                     Judge judge) {
  return {{std::move(id), {std::move(req)}, Mode::Faithful, std::move(summary)},
          std::move(role),
          scenario,
          "",
          std::move(judge)};
}

XenbusCheck hostile(std::string id, std::string req, std::string role, std::string script, std::string summary,
                    Judge judge) {
  return {{std::move(id), {std::move(req)}, Mode::Hostile, std::move(summary)},
          std::move(role),
          Scenario::Hostile,
          std::move(script),
          std::move(judge)};
}

const std::vector<XenbusCheck>& table() {
  constexpr bool F = true, B = false;
  static const std::vector<XenbusCheck> checks = {
      // The frontend, against the pair's own backend.
      faithful("xenbus.frontend.ring-before-initialised", "xenbus/handshake/frontend-publishes-with-initialised",
               "frontend", Scenario::Handshake, "ring details present once Initialised",
               [](const Run& r, const SplitTarget& t) { return ring_before_initialised(r, t); }),
      faithful("xenbus.frontend.details-in-one-transaction", "xenbus/handshake/frontend-details-one-transaction",
               "frontend", Scenario::Handshake, "details and Initialised take effect together",
               [](const Run& r, const SplitTarget&) { return details_one_transaction(r); }),
      faithful("xenbus.frontend.connected-after-backend", "xenbus/handshake/frontend-connects-after-backend",
               "frontend", Scenario::Handshake, "Connected only after the backend",
               [](const Run& r, const SplitTarget&) { return reached_after(r, F, 4, {4}, "the backend connected"); }),
      faithful("xenbus.frontend.legal-transitions", "xenbus/states/frontend-transitions", "frontend",
               Scenario::Handshake, "every state change allowed",
               [](const Run& r, const SplitTarget&) { return legal_transitions(r, F); }),
      faithful("xenbus.frontend.state-values", "xenbus/states/frontend-values", "frontend", Scenario::Handshake,
               "state nodes hold 0..8", [](const Run& r, const SplitTarget&) { return state_values(r, F); }),
      faithful("xenbus.frontend.nodes-readable", "xenbus/nodes/frontend-readable", "frontend", Scenario::Handshake,
               "published nodes readable by the backend",
               [](const Run& r, const SplitTarget&) { return nodes_readable(r); }),
      faithful("xenbus.frontend.own-directory", "xenbus/nodes/frontend-own-directory", "frontend", Scenario::Handshake,
               "writes only its own directory and error node",
               [](const Run& r, const SplitTarget&) { return own_directory(r, F); }),
      faithful("xenbus.frontend.follows-backend-closing", "xenbus/teardown/frontend-follows-closing", "frontend",
               Scenario::BackendCloses, "Closing, then Closed, after the backend",
               [](const Run& r, const SplitTarget&) { return follows_closing(r, F); }),
      faithful("xenbus.frontend.reconfigures", "xenbus/reconfigure/frontend-returns-connected", "frontend",
               Scenario::Reconfigure, "Reconfiguring, then Connected after the backend",
               [](const Run& r, const SplitTarget&) { return frontend_reconfigures(r); }),
      faithful("vbus.frontend.attached-by-compatible", "xenbus/vbus/frontend-by-compatible", "frontend",
               Scenario::Handshake, "vbus: the bus attaches the frontend by compatible string",
               [](const Run& r, const SplitTarget& t) { return attached_by_compatible(r, t, F); }),
      // The backend, against the pair's own frontend.
      faithful("xenbus.backend.initwait-before-waiting", "xenbus/handshake/backend-initwait", "backend",
               Scenario::Handshake, "InitWait before waiting for the frontend",
               [](const Run& r, const SplitTarget&) { return initwait(r); }),
      faithful("xenbus.backend.features-in-time", "xenbus/handshake/backend-features-in-time", "backend",
               Scenario::Handshake, "max-* by InitWait, feature-* by Connected",
               [](const Run& r, const SplitTarget&) { return features_in_time(r); }),
      faithful("xenbus.backend.connected-after-frontend", "xenbus/handshake/backend-connects-after-frontend", "backend",
               Scenario::Handshake, "Connected only after the frontend's details",
               [](const Run& r, const SplitTarget&) {
                 return reached_after(r, B, 4, {3, 4}, "the frontend was Initialised");
               }),
      faithful("xenbus.backend.info-with-connected", "xenbus/handshake/backend-info-with-connected", "backend",
               Scenario::Handshake, "device details no later than Connected",
               [](const Run& r, const SplitTarget&) { return info_with_connected(r); }),
      faithful("xenbus.backend.legal-transitions", "xenbus/states/backend-transitions", "backend", Scenario::Handshake,
               "every state change allowed", [](const Run& r, const SplitTarget&) { return legal_transitions(r, B); }),
      faithful("xenbus.backend.state-values", "xenbus/states/backend-values", "backend", Scenario::Handshake,
               "state nodes hold 0..8", [](const Run& r, const SplitTarget&) { return state_values(r, B); }),
      faithful("xenbus.backend.nodes-readable", "xenbus/nodes/backend-readable", "backend", Scenario::Handshake,
               "published nodes readable by the frontend",
               [](const Run& r, const SplitTarget&) { return nodes_readable(r); }),
      faithful("xenbus.backend.own-directory", "xenbus/nodes/backend-own-directory", "backend", Scenario::Handshake,
               "writes only its own directory and error node",
               [](const Run& r, const SplitTarget&) { return own_directory(r, B); }),
      faithful("xenbus.backend.follows-frontend-closing", "xenbus/teardown/backend-follows-closing", "backend",
               Scenario::Handshake, "Closing, then Closed, after the frontend",
               [](const Run& r, const SplitTarget&) { return follows_closing(r, B); }),
      faithful("xenbus.backend.bad-details-closing", "xenbus/handshake/backend-refuses-missing-details", "backend",
               Scenario::MissingRingRef, "no ring: error node and Closing",
               [](const Run& r, const SplitTarget&) { return bad_details(r); }),
      faithful("xenbus.backend.error-node", "xenbus/errors/error-node", "backend", Scenario::MissingRingRef,
               "error/<nodename>/error holds \"<errno> <message>\"",
               [](const Run& r, const SplitTarget&) { return error_node(r); }),
      faithful("xenbus.backend.frontend-gone", "xenbus/teardown/backend-unregisters-when-frontend-gone", "backend",
               Scenario::FrontendGone, "the frontend gone: the backend closes",
               [](const Run& r, const SplitTarget&) { return frontend_gone_check(r); }),
      faithful("xenbus.backend.answers-reconfiguring", "xenbus/reconfigure/backend-answers", "backend",
               Scenario::Reconfigure, "Reconfigured, then Connected after the frontend",
               [](const Run& r, const SplitTarget&) { return backend_answers_reconfiguring(r); }),
      faithful("xenbus.backend.reconnects", "xenbus/teardown/backend-reconnects", "backend", Scenario::Reconnect,
               "Closed, then InitWait for a frontend back at Initialising",
               [](const Run& r, const SplitTarget&) { return backend_reconnects(r); }),
      faithful("vbus.backend.attached-by-compatible", "xenbus/vbus/backend-by-compatible", "backend",
               Scenario::Handshake, "vbus: the bus attaches and probes the backend by compatible string",
               [](const Run& r, const SplitTarget& t) { return attached_by_compatible(r, t, B); }),
      // Scripted backends against the real frontend.
      hostile("hostile-backend.skips-initwait", "xenbus/handshake/backend-initwait", "frontend",
              "backend-skips-initwait", "a backend going 1 to 4",
              [](const Run& r, const SplitTarget&) { return survived(r); }),
      hostile("hostile-backend.repeats-states", "xenbus/watch/frontend-idempotent", "frontend",
              "backend-repeats-states", "a backend writing each state three times",
              [](const Run& r, const SplitTarget&) { return idempotent(r, F); }),
      hostile("hostile-backend.vanishes", "xenbus/teardown/frontend-backend-gone", "frontend", "backend-vanishes",
              "a backend directory removed mid-handshake",
              [](const Run& r, const SplitTarget&) { return ended_closed(r, F); }),
      hostile("hostile-backend.jumps-to-closed", "xenbus/teardown/frontend-missed-closing", "frontend",
              "backend-jumps-to-closed", "a backend going Closed without Closing",
              [](const Run& r, const SplitTarget&) { return ended_closed(r, F); }),
      {{"hostile-backend.crashes-connected",
        {"xenbus/teardown/frontend-backend-crashed"},
        Mode::Hostile,
        "a Connected backend that dies: its directory removed, no Closing"},
       "frontend",
       Scenario::BackendCrash,
       "",
       [](const Run& r, const SplitTarget&) { return closed_after_crash(r); }},
      faithful("xenbus.frontend.reconnects-after-crash", "xenbus/teardown/frontend-reconnects", "frontend",
               Scenario::BackendCrash, "Closed after a crash, connects to a new backend",
               [](const Run& r, const SplitTarget& t) { return reconnects_after_crash(r, t); }),
      hostile("hostile-backend.garbage-state", "xenbus/states/backend-values", "frontend", "backend-garbage-state",
              "a backend state of \"banana\"", [](const Run& r, const SplitTarget&) { return refused(r, F); }),
      hostile("hostile-backend.unreadable-state", "xenbus/nodes/backend-readable", "frontend",
              "backend-unreadable-state", "a backend Connected in a state node the frontend cannot read",
              [](const Run& r, const SplitTarget&) { return refused(r, F); }),
      // Scripted frontends against the real backend.
      hostile("hostile-frontend.skips-initialised", "xenbus/states/frontend-transitions", "backend",
              "frontend-skips-initialised", "a frontend going 1 to 4 with a bogus ring",
              [](const Run& r, const SplitTarget&) { return refused(r, B); }),
      hostile("hostile-frontend.repeats-states", "xenbus/watch/backend-idempotent", "backend",
              "frontend-repeats-states", "a frontend writing Initialised three times",
              [](const Run& r, const SplitTarget&) { return idempotent(r, B); }),
      hostile("hostile-frontend.vanishes", "xenbus/teardown/backend-unregisters-when-frontend-gone", "backend",
              "frontend-vanishes", "a frontend directory removed mid-handshake",
              [](const Run& r, const SplitTarget&) { return ended_closed(r, B); }),
      hostile("hostile-frontend.garbage-state", "xenbus/states/frontend-values", "backend", "frontend-garbage-state",
              "a frontend state of \"banana\"", [](const Run& r, const SplitTarget&) { return refused(r, B); }),
      hostile("hostile-frontend.ring-ref-after-initialised", "xenbus/handshake/frontend-publishes-with-initialised",
              "backend", "frontend-ring-ref-after-initialised", "a frontend publishing its ring after Initialised",
              [](const Run& r, const SplitTarget&) { return refused(r, B); }),
      hostile("hostile-frontend.unreadable-ring", "xenbus/nodes/frontend-readable", "backend",
              "frontend-unreadable-ring", "a frontend whose ring-ref the backend cannot read",
              [](const Run& r, const SplitTarget&) { return refused(r, B); }),
  };
  return checks;
}

Run run_scenario(const XenbusPlan& plan, Scenario scenario, const std::string& script) {
  const SplitTarget& t = *plan.target;
  switch (scenario) {
    case Scenario::Handshake:
      return handshake(t, plan.store, plan.role, false);
    case Scenario::BackendCloses:
      return handshake(t, plan.store, plan.role, true);
    case Scenario::MissingRingRef:
      return missing_ring_ref(t, plan.store);
    case Scenario::FrontendGone:
      return frontend_gone(t, plan.store, plan.role);
    case Scenario::Reconfigure:
      return reconfigure(t, plan.store, plan.role);
    case Scenario::Reconnect:
      return reconnect(t, plan.store, plan.role);
    case Scenario::BackendCrash:
      return backend_crash(t, plan.store, plan.role);
    case Scenario::Hostile:
      return hostile_run(t, plan.store, plan.role, scripts().at(script));
  }
  return {};
}

}  // namespace

std::vector<CheckInfo> xenbus_check_infos() {
  std::vector<CheckInfo> infos;
  for (const XenbusCheck& c : table()) infos.push_back(c.info);
  return infos;
}

void run_xenbus(const XenbusPlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  if (plan.target == nullptr)
    throw vgen::Error(
        "the xenbus suite needs a split pair linked into the harness (run the pair's program with --conform)");
  // vbus pairs run every check, their halves attached by each domain's bus; the vbus checks
  // apply to them alone.
  const bool vbus = !plan.target->halves.spec->frontend_compatible.empty();
  if (plan.role != "frontend" && plan.role != "backend")
    throw vgen::Error("unknown xenbus role '" + plan.role + "' (frontend, backend)");
  std::map<std::pair<Scenario, std::string>, std::vector<const XenbusCheck*>> groups;
  for (const XenbusCheck& c : table()) {
    if (c.role != plan.role || (c.info.mode == Mode::Faithful ? !plan.faithful : !plan.hostile)) continue;
    if (plan.only && !std::regex_search(c.info.id, *plan.only)) continue;
    if (!vbus && c.info.id.rfind("vbus.", 0) == 0) continue;
    groups[{c.scenario, c.script}].push_back(&c);
  }
  for (const auto& group : groups) {
    const auto& key = group.first;
    const auto& list = group.second;
    const auto verdicts = run_isolated_batch(
        [&] {
          const Run run = run_scenario(plan, key.first, key.second);
          std::vector<Verdict> out;
          for (const XenbusCheck* c : list) out.push_back(c->judge(run, *plan.target));
          return out;
        },
        list.size(), plan.timeout);
    for (std::size_t i = 0; i < list.size(); ++i) report.add(judged(list[i]->info, verdicts[i], deviations));
  }
}

}  // namespace vgen::conform::xenbus_checks
