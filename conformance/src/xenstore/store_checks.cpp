// Faithful and hostile checks of a XenStore daemon.
#include "store_checks.hpp"

#include <set>
#include <thread>

namespace vgen::conform::xenstore_checks {
namespace {

using store::MessageType;
using namespace std::chrono_literals;
constexpr auto kEventWait = 500ms;

bool is(const std::optional<store::Message>& reply, MessageType type) {
  return reply && reply->header.type == static_cast<std::uint32_t>(type);
}
bool ok(const std::optional<store::Message>& reply, MessageType type) {
  return is(reply, type) && text_of(*reply) == "OK";
}

// Ends a check early with a FAIL (thrown by the request helpers below).
struct Failed {
  Verdict verdict;
};

StoreCheck make(std::string id, std::vector<std::string> reqs, std::string summary,
                std::function<Verdict(StoreSession&)> run, Mode mode = Mode::Faithful) {
  auto guarded = [run = std::move(run)](StoreSession& s) {
    try {
      return run(s);
    } catch (const Failed& failed) {
      return failed.verdict;
    }
  };
  return {{std::move(id), std::move(reqs), mode, std::move(summary)}, std::move(guarded)};
}

// Writes `value` at `path`; a FAIL when the daemon does not answer OK.
void write(StoreConnection& c, const std::string& path, std::string_view value = "") {
  const auto r = c.request(MessageType::Write, arg(path) + std::string(value));
  if (!ok(r, MessageType::Write)) throw Failed{fail("WRITE " + path + " answered " + describe(r))};
}
void watch(StoreConnection& c, const std::string& path, const std::string& token) {
  const auto r = c.request(MessageType::Watch, arg(path) + arg(token));
  if (!ok(r, MessageType::Watch)) throw Failed{fail("WATCH " + path + " answered " + describe(r))};
}

// --- wire format --------------------------------------------------------------------------

Verdict reply_header(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("a"), "1");
  const std::uint32_t id = c->next_request_id();
  const auto read = c->request(MessageType::Read, arg(s.path("a")));
  if (!read) return fail("READ got no reply");
  if (read->header.type != static_cast<std::uint32_t>(MessageType::Read) || read->header.req_id != id ||
      read->header.tx_id != 0) {
    return fail("READ reply carries type " + std::to_string(read->header.type) + ", req_id " +
                std::to_string(read->header.req_id) + ", tx_id " + std::to_string(read->header.tx_id));
  }
  const auto missing = c->request(MessageType::Read, arg(s.path("missing")));
  if (!is(missing, MessageType::Error) || missing->header.req_id != id + 1)
    return fail("a failed READ answered " + describe(missing) + " with another req_id");
  return pass("replies echo type (or ERROR), req_id and tx_id");
}

Verdict error_names(StoreSession& s) {
  static const std::set<std::string> kNames = {"EINVAL", "EACCES",  "EEXIST",    "EISDIR", "ENOENT", "ENOMEM",
                                               "ENOSPC", "EIO",     "ENOTEMPTY", "ENOSYS", "EROFS",  "EBUSY",
                                               "EAGAIN", "EISCONN", "E2BIG",     "EPERM"};
  auto c = s.connect();
  const auto replies = {c->request(MessageType::Read, arg(s.path("missing"))),
                        c->request(MessageType::Read, arg("bad path")),
                        c->request(MessageType::TransactionEnd, arg("T"), 0x7ffffff0)};
  for (const auto& r : replies) {
    if (!is(r, MessageType::Error)) return fail("expected an ERROR, got " + describe(r));
    if (kNames.count(text_of(*r)) == 0 || r->payload.back() != '\0')
      return fail("error payload \"" + text_of(*r) + "\" is no errno name of xs_wire.h with its NUL");
  }
  return pass("errors carry an errno name of xs_wire.h and a NUL");
}

Verdict ok_replies(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::Write, arg(s.path("ok")) + "v");
  if (!is(r, MessageType::Write) || r->payload != std::string("OK\0", 3))
    return fail("WRITE answered " + describe(r) + " (payload " + std::to_string(r ? r->payload.size() : 0) + " bytes)");
  return pass("a successful WRITE answers \"OK\" and its NUL");
}

// --- paths --------------------------------------------------------------------------------

Verdict path_rules(StoreSession& s) {
  auto c = s.connect();
  const std::vector<std::pair<std::string, const char*>> bad = {{s.path("sp ace"), "a space"},
                                                                {s.path("st*ar"), "a '*'"},
                                                                {s.path("double") + "//x", "a double slash"},
                                                                {s.path("trailing") + "/", "a trailing slash"},
                                                                {"", "an empty path"},
                                                                {"/" + std::string(3100, 'a'), "3101 bytes"}};
  for (const auto& [path, what] : bad) {
    const auto r = c->request(MessageType::Write, arg(path) + "v");
    if (!is(r, MessageType::Error))
      return fail("WRITE of a path with " + std::string(what) + " answered " + describe(r));
  }
  const auto good = c->request(MessageType::Write, arg(s.path("A-z_0@9")) + "v");
  if (!ok(good, MessageType::Write))
    return fail("WRITE of a path of letters, digits and -_@ answered " + describe(good));
  return pass("paths with other characters, doubled or trailing slashes, empty or over 3072 bytes refused");
}

Verdict write_creates_parents(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("p/q/r"), "leaf");
  for (const std::string& parent : {s.path("p"), s.path("p/q")}) {
    const auto r = c->request(MessageType::Read, arg(parent));
    if (!is(r, MessageType::Read)) return fail("parent " + parent + " of a written path reads " + describe(r));
    if (!r->payload.empty()) return fail("parent " + parent + " was created with value \"" + r->payload + "\"");
  }
  return pass("WRITE created the missing parents with empty values");
}

Verdict read_binary(StoreSession& s) {
  auto c = s.connect();
  const std::string value("a\0b\x01\xff", 5);
  write(*c, s.path("bin"), value);
  const auto r = c->request(MessageType::Read, arg(s.path("bin")));
  if (!is(r, MessageType::Read) || r->payload != value) return fail("READ of 5 binary bytes answered " + describe(r));
  const auto missing = c->request(MessageType::Read, arg(s.path("nothing")));
  if (!is_error(missing, "ENOENT")) return fail("READ of a missing path answered " + describe(missing));
  return pass("values read back as written, NUL bytes included; a missing path is ENOENT");
}

Verdict mkdir_keeps_value(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("m"), "kept");
  const auto again = c->request(MessageType::Mkdir, arg(s.path("m")));
  const auto deep = c->request(MessageType::Mkdir, arg(s.path("n/o")));
  const auto value = c->request(MessageType::Read, arg(s.path("m")));
  const auto parent = c->request(MessageType::Read, arg(s.path("n")));
  if (!ok(again, MessageType::Mkdir) || !ok(deep, MessageType::Mkdir))
    return fail("MKDIR answered " + describe(again) + " / " + describe(deep));
  if (!value || value->payload != "kept")
    return fail("MKDIR of an existing node changed its value to " + describe(value));
  if (!is(parent, MessageType::Read)) return fail("MKDIR did not create the missing parent: " + describe(parent));
  return pass("MKDIR creates the path and its parents, and leaves an existing value alone");
}

Verdict rm_subtree(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("t/u/v"), "x");
  const auto r = c->request(MessageType::Remove, arg(s.path("t")));
  if (!ok(r, MessageType::Remove)) return fail("RM answered " + describe(r));
  for (const std::string& p : {s.path("t"), s.path("t/u"), s.path("t/u/v")}) {
    if (!is_error(c->request(MessageType::Read, arg(p)), "ENOENT"))
      return fail(p + " still exists after RM of its ancestor");
  }
  return pass("RM removed the node and everything below it");
}

Verdict rm_missing(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("parent"), "");
  const auto leaf = c->request(MessageType::Remove, arg(s.path("parent/absent")));
  if (!ok(leaf, MessageType::Remove))
    return fail("RM of a missing node whose parent exists answered " + describe(leaf));
  return pass("RM of a missing node under an existing parent is OK");
}

Verdict rm_missing_parent(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::Remove, arg(s.path("absent/child")));
  if (!is(r, MessageType::Error)) return fail("RM of a node whose parent is missing answered " + describe(r));
  return pass("RM of a node whose parent is missing is an error (" + text_of(*r) + ")");
}

Verdict directory_children(StoreSession& s) {
  auto c = s.connect();
  for (const char* leaf : {"d/x", "d/y", "d/z/deeper"}) write(*c, s.path(leaf), "");
  const auto r = c->request(MessageType::Directory, arg(s.path("d")));
  if (!is(r, MessageType::Directory)) return fail("DIRECTORY answered " + describe(r));
  std::set<std::string> names;
  for (std::size_t start = 0; start < r->payload.size();) {
    const std::size_t end = r->payload.find('\0', start);
    names.insert(r->payload.substr(start, end - start));
    if (end == std::string::npos) return fail("DIRECTORY names are not NUL-terminated");
    start = end + 1;
  }
  if (names != std::set<std::string>{"x", "y", "z"})
    return fail("DIRECTORY listed " + std::to_string(names.size()) + " names, not the leaf names x, y, z");
  return pass("DIRECTORY lists the immediate children by leaf name");
}

Verdict directory_part(StoreSession& s) {
  auto c = s.connect();
  for (int i = 0; i < 40; ++i) write(*c, s.path("big/child-with-a-long-name-" + std::to_string(i)), "");
  const auto first = c->request(MessageType::DirectoryPart, arg(s.path("big")) + arg("0"));
  if (is_error(first, "ENOSYS") || is_error(first, "EINVAL"))
    return skip("the daemon does not implement DIRECTORY_PART (" + text_of(*first) + ")");
  if (!is(first, MessageType::DirectoryPart)) return fail("DIRECTORY_PART answered " + describe(first));
  const std::string gen = first->payload.substr(0, first->payload.find('\0'));
  const auto again = c->request(MessageType::DirectoryPart, arg(s.path("big")) + arg("0"));
  if (!again || again->payload.substr(0, again->payload.find('\0')) != gen)
    return fail("the generation count changed without a change");
  write(*c, s.path("big/new"), "");
  const auto changed = c->request(MessageType::DirectoryPart, arg(s.path("big")) + arg("0"));
  if (!changed || changed->payload.substr(0, changed->payload.find('\0')) == gen)
    return fail("the generation count stayed after a child was added");
  return pass("DIRECTORY_PART answers a generation count that moves only with the node");
}

Verdict perms_roundtrip(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("perm"), "");
  const std::string perms = arg("n0") + arg("r5") + arg("b7");
  const auto set = c->request(MessageType::SetPermissions, arg(s.path("perm")) + perms);
  if (!ok(set, MessageType::SetPermissions)) return fail("SET_PERMS answered " + describe(set));
  const auto get = c->request(MessageType::GetPermissions, arg(s.path("perm")));
  if (!is(get, MessageType::GetPermissions) || get->payload != perms)
    return fail("GET_PERMS answered " + describe(get) + " after SET_PERMS n0 r5 b7");
  return pass("GET_PERMS answers the permissions SET_PERMS gave, owner first");
}

Verdict perms_malformed(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("perm2"), "");
  const auto r = c->request(MessageType::SetPermissions, arg(s.path("perm2")) + arg("x1"));
  if (!is(r, MessageType::Error)) return fail("SET_PERMS with permission \"x1\" answered " + describe(r));
  return pass("a malformed permission is refused (" + text_of(*r) + ")");
}

// --- watches ------------------------------------------------------------------------------

Verdict watch_initial_event(StoreSession& s) {
  auto c = s.connect();
  watch(*c, s.path("w"), "tok");
  const auto e = c->event(kEventWait);
  if (!e) return fail("no event straight after WATCH");
  if (e->path != s.path("w") || e->token != "tok") return fail("the first event names " + e->path + " / " + e->token);
  return pass("a new watch fires once at once, with the watched path");
}

// Registers a watch on base/w, then returns the path of the first event `change` causes.
std::optional<WatchEvent> event_after(StoreSession& s, StoreConnection& watcher,
                                      const std::function<void(StoreConnection&)>& change) {
  watch(watcher, s.path("w"), "t");
  watcher.drain_events();
  auto writer = s.connect();
  change(*writer);
  return watcher.event(kEventWait);
}

Verdict watch_fires(StoreSession& s) {
  auto c = s.connect();
  auto writer = s.connect();
  watch(*c, s.path("w"), "t");
  const std::vector<std::pair<const char*, std::function<void()>>> changes = {
      {"creation", [&] { write(*writer, s.path("w/new"), "1"); }},
      {"a value change", [&] { write(*writer, s.path("w/new"), "2"); }},
      {"a permission change", [&] { writer->request(MessageType::SetPermissions, arg(s.path("w/new")) + arg("b0")); }},
      {"a removal", [&] { writer->request(MessageType::Remove, arg(s.path("w/new"))); }},
  };
  for (const auto& [what, change] : changes) {
    c->drain_events();
    change();
    const auto e = c->event(kEventWait);
    if (!e) return fail(std::string("no event for ") + what + " below the watched path");
    if (e->path != s.path("w/new")) return fail(std::string("the event for ") + what + " names " + e->path);
  }
  return pass("events for creation, value change, permission change and removal of a child");
}

Verdict watch_no_sibling(StoreSession& s) {
  auto c = s.connect();
  const auto e = event_after(s, *c, [&](StoreConnection& w) { write(w, s.path("wother"), "x"); });
  if (e)
    return fail("a change of " + s.path("wother") + " fired a watch on " + s.path("w") + " (event " + e->path + ")");
  return pass("a sibling sharing the watched path's prefix fires nothing");
}

Verdict watch_parent_removed(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("w/leaf"), "x");
  const auto e = event_after(s, *c, [&](StoreConnection& w) { w.request(MessageType::Remove, arg(s.base())); });
  if (!e) return fail("removing an ancestor of the watched path fired nothing");
  if (e->path != s.path("w")) return fail("removing an ancestor fired " + e->path + ", not the watched path");
  return pass("removing an ancestor fires the watch with the watched path");
}

Verdict watch_transaction(StoreSession& s) {
  auto c = s.connect();
  watch(*c, s.path("w"), "t");
  c->drain_events();
  auto writer = s.connect();
  const auto start = writer->request(MessageType::TransactionStart, arg(""));
  if (!is(start, MessageType::TransactionStart)) return fail("TRANSACTION_START answered " + describe(start));
  const auto tx = static_cast<std::uint32_t>(std::stoul(text_of(*start)));
  writer->request(MessageType::Write, arg(s.path("w/in-tx")) + "v", tx);
  if (const auto early = c->event(200ms))
    return fail("a write inside a transaction fired " + early->path + " before the commit");
  const auto end = writer->request(MessageType::TransactionEnd, arg("T"), tx);
  if (!ok(end, MessageType::TransactionEnd)) return fail("TRANSACTION_END answered " + describe(end));
  const auto e = c->event(kEventWait);
  if (!e || e->path != s.path("w/in-tx")) return fail("the commit fired " + (e ? e->path : std::string("nothing")));
  return pass("a transaction's change fires at its commit, not before");
}

Verdict watch_event_format(StoreSession& s) {
  auto c = s.connect();
  const auto e = event_after(s, *c, [&](StoreConnection& w) { write(w, s.path("w/f"), "1"); });
  if (!e) return fail("no event");
  if (e->header.req_id != 0 || e->header.tx_id != 0)
    return fail("WATCH_EVENT with req_id " + std::to_string(e->header.req_id) + ", tx_id " +
                std::to_string(e->header.tx_id));
  if (e->token != "t") return fail("WATCH_EVENT carries token \"" + e->token + "\"");
  return pass("WATCH_EVENT carries path and token, req_id and tx_id 0");
}

Verdict watch_ignores_tx(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::Watch, arg(s.path("w")) + arg("t"), 12345);
  if (!ok(r, MessageType::Watch)) return fail("WATCH with an unknown tx_id answered " + describe(r));
  return pass("the tx_id of a WATCH is ignored");
}

Verdict watch_special(StoreSession& s) {
  auto c = s.connect();
  for (const char* special : {"@introduceDomain", "@releaseDomain"}) {
    const auto r = c->request(MessageType::Watch, arg(special) + arg("s"));
    if (!ok(r, MessageType::Watch)) return fail(std::string("WATCH ") + special + " answered " + describe(r));
  }
  return pass("@introduceDomain and @releaseDomain accepted as watch paths");
}

Verdict unwatch_stops(StoreSession& s) {
  auto c = s.connect();
  watch(*c, s.path("w"), "t");
  const auto r = c->request(MessageType::Unwatch, arg(s.path("w")) + arg("t"));
  if (!ok(r, MessageType::Unwatch)) return fail("UNWATCH answered " + describe(r));
  c->drain_events();
  write(*s.connect(), s.path("w/after"), "x");
  if (const auto e = c->event(300ms)) return fail("an event for " + e->path + " came after UNWATCH");
  return pass("no event after UNWATCH");
}

Verdict reset_watches(StoreSession& s) {
  auto c = s.connect();
  watch(*c, s.path("w"), "t");
  const auto r = c->request(MessageType::ResetWatches, arg(""));
  if (!ok(r, MessageType::ResetWatches)) return fail("RESET_WATCHES answered " + describe(r));
  c->drain_events();
  write(*s.connect(), s.path("w/after"), "x");
  if (const auto e = c->event(300ms)) return fail("an event for " + e->path + " came after RESET_WATCHES");
  return pass("no event after RESET_WATCHES");
}

// --- transactions -------------------------------------------------------------------------

std::optional<std::uint32_t> start(StoreConnection& c) {
  const auto r = c.request(MessageType::TransactionStart, arg(""));
  if (!is(r, MessageType::TransactionStart)) return std::nullopt;
  const std::string id = text_of(*r);
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<std::uint32_t>(std::stoul(id));
}

Verdict transaction_id(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::TransactionStart, arg(""));
  if (!is(r, MessageType::TransactionStart)) return fail("TRANSACTION_START answered " + describe(r));
  const std::string id = text_of(*r);
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos || id == "0")
    return fail("transaction id \"" + id + "\" is no non-zero unsigned decimal");
  return pass("TRANSACTION_START answers a decimal id");
}

Verdict transaction_isolation(StoreSession& s) {
  auto c = s.connect();
  auto other = s.connect();
  write(*c, s.path("iso"), "before");
  const auto tx = start(*c);
  if (!tx) return fail("TRANSACTION_START failed");
  c->request(MessageType::Write, arg(s.path("iso")) + "inside", *tx);
  const auto outside = other->request(MessageType::Read, arg(s.path("iso")));
  const auto inside = c->request(MessageType::Read, arg(s.path("iso")), *tx);
  if (!outside || outside->payload != "before")
    return fail("another connection read " + describe(outside) + " before the commit");
  if (!inside || inside->payload != "inside")
    return fail("the transaction read " + describe(inside) + " after its own write");
  c->request(MessageType::TransactionEnd, arg("T"), *tx);
  const auto after = other->request(MessageType::Read, arg(s.path("iso")));
  if (!after || after->payload != "inside") return fail("after the commit another connection read " + describe(after));
  return pass("writes in a transaction are seen only by it until the commit");
}

Verdict transaction_abort(StoreSession& s) {
  auto c = s.connect();
  write(*c, s.path("ab"), "kept");
  const auto tx = start(*c);
  if (!tx) return fail("TRANSACTION_START failed");
  c->request(MessageType::Write, arg(s.path("ab")) + "dropped", *tx);
  const auto end = c->request(MessageType::TransactionEnd, arg("F"), *tx);
  if (!ok(end, MessageType::TransactionEnd)) return fail("TRANSACTION_END F answered " + describe(end));
  const auto value = c->request(MessageType::Read, arg(s.path("ab")));
  if (!value || value->payload != "kept") return fail("an aborted transaction's write stayed: " + describe(value));
  return pass("TRANSACTION_END F discards the transaction");
}

Verdict transaction_conflict(StoreSession& s) {
  auto c = s.connect();
  auto other = s.connect();
  write(*c, s.path("cf"), "0");
  const auto tx = start(*c);
  if (!tx) return fail("TRANSACTION_START failed");
  c->request(MessageType::Read, arg(s.path("cf")), *tx);
  c->request(MessageType::Write, arg(s.path("cf")) + "1", *tx);
  write(*other, s.path("cf"), "2");
  const auto end = c->request(MessageType::TransactionEnd, arg("T"), *tx);
  if (!is_error(end, "EAGAIN")) return fail("committing over an intervening write answered " + describe(end));
  return pass("a commit over an intervening write to a node it used is EAGAIN");
}

Verdict transaction_id_ends(StoreSession& s) {
  auto c = s.connect();
  const auto tx = start(*c);
  if (!tx) return fail("TRANSACTION_START failed");
  c->request(MessageType::TransactionEnd, arg("F"), *tx);
  const auto r = c->request(MessageType::Read, arg(s.base()), *tx);
  if (!is(r, MessageType::Error)) return fail("a request in an ended transaction answered " + describe(r));
  return pass("an ended transaction's id is refused (" + text_of(*r) + ")");
}

// --- domains ------------------------------------------------------------------------------

Verdict domain_path(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::GetDomainPath, arg("7"));
  if (!is(r, MessageType::GetDomainPath) || text_of(*r) != "/local/domain/7")
    return fail("GET_DOMAIN_PATH 7 answered " + describe(r));
  return pass("GET_DOMAIN_PATH 7 is /local/domain/7");
}

Verdict is_introduced(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::IsDomainIntroduced, arg("0"));
  if (!is(r, MessageType::IsDomainIntroduced) || (text_of(*r) != "T" && text_of(*r) != "F"))
    return fail("IS_DOMAIN_INTRODUCED answered " + describe(r));
  return pass("IS_DOMAIN_INTRODUCED answers T or F (" + text_of(*r) + ")");
}

// --- hostile ------------------------------------------------------------------------------

// After `act` on a connection of its own, the daemon must still serve a new connection.
Verdict survives(StoreSession& s, const std::string& what_happened) {
  try {
    auto fresh = s.connect();
    const auto r = fresh->request(MessageType::Write, arg(s.path("alive")) + "yes");
    if (!ok(r, MessageType::Write))
      return fail(what_happened + "; afterwards a new connection's WRITE answered " + describe(r));
  } catch (const std::exception& error) {
    return fail(what_happened + "; afterwards: " + error.what());
  }
  return pass(what_happened + "; the daemon still serves new connections");
}

std::string fate(StoreConnection& c, const std::optional<store::Message>& reply) {
  if (reply) return "answered " + describe(reply);
  return c.closed() ? "closed the connection" : "answered nothing";
}

Verdict oversized(StoreSession& s) {
  auto c = s.connect();
  store::Header h{static_cast<std::uint32_t>(MessageType::Write), 1, 0, 5000};
  const auto raw = store::encode_header(h);
  c->send_raw(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()) + arg(s.path("big")) +
              std::string(5000 - s.path("big").size() - 1, 'x'));
  const auto reply = c->next(1s);
  if (reply && reply->header.type == static_cast<std::uint32_t>(MessageType::Write))
    return fail("a 5000-byte payload was accepted");
  return survives(s, "a payload of 5000 bytes: " + fate(*c, reply));
}

Verdict truncated(StoreSession& s) {
  {
    auto c = s.connect();
    store::Header h{static_cast<std::uint32_t>(MessageType::Write), 1, 0, 100};
    const auto raw = store::encode_header(h);
    c->send_raw(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()) + "/half");
  }
  return survives(s, "a message cut short by a close");
}

Verdict unknown_type(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(static_cast<MessageType>(99), arg(""));
  if (r && !is(r, MessageType::Error)) return fail("message type 99 answered " + describe(r));
  return survives(s, "message type 99: " + fate(*c, r));
}

Verdict no_nul(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::Read, s.path("no-nul"));
  return survives(s, "a path without its NUL: " + fate(*c, r));
}

Verdict start_in_transaction(StoreSession& s) {
  auto c = s.connect();
  const auto r = c->request(MessageType::TransactionStart, arg(""), 77);
  if (is(r, MessageType::TransactionStart)) return fail("TRANSACTION_START with tx_id 77 started a transaction");
  return survives(s, "TRANSACTION_START with a non-zero tx_id: " + fate(*c, r));
}

std::vector<StoreCheck> make_checks() {
  return {
      make("store.reply-header", {"xenstore/wire/reply-echoes-request"}, "replies echo type, req_id, tx_id",
           reply_header),
      make("store.error-names", {"xenstore/wire/error-names"}, "errors are errno names", error_names),
      make("store.ok-replies", {"xenstore/wire/ok-reply"}, "success without payload is OK", ok_replies),
      make("store.path-rules",
           {"xenstore/paths/allowed-characters", "xenstore/paths/no-double-or-trailing-slash",
            "xenstore/paths/length-limit"},
           "bad paths refused", path_rules),
      make("store.write-creates-parents", {"xenstore/paths/parents-exist", "xenstore/WRITE/creates-parents"},
           "WRITE creates parents", write_creates_parents),
      make("store.read-binary", {"xenstore/READ/returns-value"}, "values read back as written", read_binary),
      make("store.mkdir-keeps-value", {"xenstore/MKDIR/ensures-path"}, "MKDIR creates, keeps values",
           mkdir_keeps_value),
      make("store.rm-subtree", {"xenstore/RM/removes-subtree"}, "RM removes the subtree", rm_subtree),
      make("store.rm-missing-ok", {"xenstore/RM/missing-node-ok"}, "RM of a missing node is fine", rm_missing),
      make("store.rm-missing-parent", {"xenstore/RM/missing-parent-error"}, "RM under a missing parent fails",
           rm_missing_parent),
      make("store.directory-children", {"xenstore/DIRECTORY/leaf-names"}, "DIRECTORY lists leaf names",
           directory_children),
      make("store.directory-part", {"xenstore/DIRECTORY_PART/generation"}, "DIRECTORY_PART generation", directory_part),
      make("store.perms-roundtrip", {"xenstore/PERMS/round-trip"}, "permissions read back", perms_roundtrip),
      make("store.perms-malformed", {"xenstore/PERMS/malformed-refused"}, "malformed permissions refused",
           perms_malformed),
      make("store.watch-initial-event", {"xenstore/WATCH/fires-at-registration"}, "a watch fires once at registration",
           watch_initial_event),
      make("store.watch-fires", {"xenstore/WATCH/fires-on-changes"}, "events on creation, change, permissions, removal",
           watch_fires),
      make("store.watch-no-sibling", {"xenstore/WATCH/children-only"}, "no event for a prefix-sharing sibling",
           watch_no_sibling),
      make("store.watch-parent-removed", {"xenstore/WATCH_EVENT/ancestor-removal-path"},
           "ancestor removal fires the watched path", watch_parent_removed),
      make("store.watch-transaction", {"xenstore/WATCH/transaction-at-commit"}, "transaction changes fire at commit",
           watch_transaction),
      make("store.watch-event-format", {"xenstore/WATCH_EVENT/ids-zero"}, "WATCH_EVENT format", watch_event_format),
      make("store.watch-ignores-tx", {"xenstore/WATCH/tx-id-ignored"}, "a WATCH's tx_id is ignored", watch_ignores_tx),
      make("store.watch-special-paths", {"xenstore/WATCH/special-paths"}, "special watch paths accepted",
           watch_special),
      make("store.unwatch-stops", {"xenstore/UNWATCH/stops-events"}, "UNWATCH stops events", unwatch_stops),
      make("store.reset-watches", {"xenstore/RESET_WATCHES/drops-watches"}, "RESET_WATCHES drops watches",
           reset_watches),
      make("store.transaction-id", {"xenstore/TRANSACTION_START/decimal-id"}, "transaction ids are decimal",
           transaction_id),
      make("store.transaction-isolation", {"xenstore/TRANSACTION_START/isolated-copy"},
           "a transaction works on its own copy", transaction_isolation),
      make("store.transaction-abort", {"xenstore/TRANSACTION_END/abort-discards"}, "F discards", transaction_abort),
      make("store.transaction-conflict", {"xenstore/TRANSACTION_END/conflict-eagain"}, "conflicting commit is EAGAIN",
           transaction_conflict),
      make("store.transaction-id-ends", {"xenstore/TRANSACTION_END/id-invalid-after-end"},
           "an ended transaction id is refused", transaction_id_ends),
      make("store.domain-path", {"xenstore/GET_DOMAIN_PATH/local-domain"}, "GET_DOMAIN_PATH", domain_path),
      make("store.is-introduced", {"xenstore/IS_DOMAIN_INTRODUCED/t-or-f"}, "IS_DOMAIN_INTRODUCED answers T or F",
           is_introduced),
      make("hostile.store-oversized-payload", {"xenstore/wire/payload-limit"}, "a payload over 4096 bytes", oversized,
           Mode::Hostile),
      make("hostile.store-truncated-message", {"xenstore/wire/whole-messages"}, "a message cut short by a close",
           truncated, Mode::Hostile),
      make("hostile.store-unknown-type", {"xenstore/wire/known-types"}, "an unknown message type", unknown_type,
           Mode::Hostile),
      make("hostile.store-path-without-nul", {"xenstore/wire/nul-terminated-strings"}, "a path without its NUL", no_nul,
           Mode::Hostile),
      make("hostile.store-start-in-transaction", {"xenstore/TRANSACTION_START/zero-tx-id"},
           "TRANSACTION_START with a tx_id", start_in_transaction, Mode::Hostile),
  };
}

}  // namespace

const std::vector<StoreCheck>& store_checks() {
  static const std::vector<StoreCheck> checks = make_checks();
  return checks;
}

}  // namespace vgen::conform::xenstore_checks
