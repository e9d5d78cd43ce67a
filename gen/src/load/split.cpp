// `kind: split` specs: Xen-style frontend/backend pairs over a shared request/response ring.
// See docs/spec-format.md, "Split drivers".
#include <algorithm>
#include <bit>
#include <cctype>
#include <map>

#include "load/loaders.hpp"
#include "load/ring_profile.hpp"
#include "vgen/gen/diagnostics/quoting.hpp"
#include "vgen/gen/load/layout.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen::detail {
namespace {

const std::vector<std::string> kRingKeys{"pages",    "request",       "response",        "profile",
                                         "ring_ref", "event_channel", "page_order_node", "max_page_order_node"};
const std::vector<std::string> kNamedRingKeys{"name",       "pages",         "request",         "response",
                                              "ring_ref",   "event_channel", "page_order_node", "max_page_order_node",
                                              "description"};
const std::vector<std::string> kCompatibleKeys{"frontend", "backend"};
const std::vector<std::string> kStoreKeys{"name", "side", "type", "description"};

// Largest ring vgen accepts: 256 pages (1 MiB), far above what Xen backends offer
// (max-ring-page-order is typically at most 4), and small enough that slot counts fit u32.
constexpr std::uint64_t kMaxRingPages = 256;

// Nodes the xenbus/vbus handshake itself owns in every device directory.
const std::vector<std::string> kProtocolNodes{"state", "backend", "backend-id", "frontend", "frontend-id", "online"};

// A store path relative to the device directory: [A-Za-z0-9_-]+ components joined by '/'.
std::optional<std::string> store_path_problem(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return "it must be a relative path with no leading or trailing '/'";
  }
  if (path.find("//") != std::string::npos) {
    return "it contains an empty path component";
  }
  for (std::size_t index = 0; index < path.size(); ++index) {
    const char c = path[index];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '/') {
      return "it contains '" + std::string(character_at(path, index)) + "'; use letters, digits, '-', '_' and '/'";
    }
  }
  return std::nullopt;
}

// A compatible string: printable, no spaces.
std::optional<std::string> compatible_problem(const std::string& text) {
  if (text.empty()) {
    return "it is empty";
  }
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (!std::isgraph(static_cast<unsigned char>(text[index]))) {
      return "it contains '" + std::string(character_at(text, index)) + "'; use printable ASCII without spaces";
    }
  }
  return std::nullopt;
}

std::optional<Compatible> load_compatible(const MapView& top, Flavour flavour) {
  Reader& reader = top.reader();
  std::optional<YamlNode> node = top.mapping("compatible", Presence::optional);
  if (flavour == Flavour::xenbus) {
    if (top.has("compatible")) {
      reader.error(top.value_location("compatible"),
                   "'compatible' applies to the vbus flavour only; xenbus matches drivers by device_type");
    }
    return std::nullopt;
  }
  if (!top.has("compatible")) {
    reader.error(top.location(), "missing required key 'compatible' in " + top.what() +
                                     " (the vbus flavour matches drivers by compatible strings)");
    return std::nullopt;
  }
  if (!node) {
    return std::nullopt;
  }
  MapView entry(reader, *node, "compatible", kCompatibleKeys);
  std::optional<std::string> frontend = entry.string("frontend", Presence::required);
  std::optional<std::string> backend = entry.string("backend", Presence::required);
  bool ok = frontend && backend;
  for (const auto& [key, text] : {std::pair{"frontend", frontend}, std::pair{"backend", backend}}) {
    if (std::optional<std::string> problem = text ? compatible_problem(*text) : std::nullopt) {
      reader.error(entry.value_location(key),
                   "invalid compatible string '" + *text + "' for the " + key + ": " + *problem);
      ok = false;
    }
  }
  if (ok && *frontend == *backend) {
    reader.error(entry.value_location("backend"),
                 "the frontend and backend compatible strings are both '" + *backend + "'; they must differ");
    ok = false;
  }
  if (!ok) {
    return std::nullopt;
  }
  return Compatible{*frontend, *backend};
}

std::optional<StoreNode> load_store_node(Reader& reader, const YamlNode& node) {
  MapView entry(reader, node, "store node", kStoreKeys);
  std::optional<std::string> name = entry.string("name", Presence::required);
  std::optional<Side> side =
      entry.choice<Side>("side", Presence::required, {{"frontend", Side::frontend}, {"backend", Side::backend}});
  std::optional<std::string> type = entry.choice<std::string>("type", Presence::required,
                                                              {{"u8", "u8"},
                                                               {"u16", "u16"},
                                                               {"u32", "u32"},
                                                               {"u64", "u64"},
                                                               {"i8", "i8"},
                                                               {"i16", "i16"},
                                                               {"i32", "i32"},
                                                               {"i64", "i64"},
                                                               {"string", "string"}});
  if (name) {
    if (std::optional<std::string> problem = store_path_problem(*name)) {
      reader.error(entry.value_location("name"), "invalid store node name '" + *name + "': " + *problem);
      name.reset();
    } else if (std::find(kProtocolNodes.begin(), kProtocolNodes.end(), *name) != kProtocolNodes.end()) {
      reader.error(entry.value_location("name"), "store node '" + *name +
                                                     "' belongs to the xenbus handshake, which "
                                                     "vgen's runtime manages; do not declare it");
      name.reset();
    }
  }
  if (type && parse_scalar(*type) && scalar_is_signed(*parse_scalar(*type))) {
    reader.error(entry.value_location("type"), "store node '" + name.value_or("") + "' has the signed type " + *type +
                                                   "; the halves read store numbers as unsigned decimals, as Xen's "
                                                   "drivers do (use u8, u16, u32 or u64)");
    type.reset();
  }
  if (!name || !side || !type) {
    return std::nullopt;
  }
  return StoreNode{*name,
                   *side,
                   parse_scalar(*type),
                   entry.string("description", Presence::optional).value_or(""),
                   entry.location(),
                   entry.value_position("name")};
}

std::vector<StoreNode> load_store(const MapView& top) {
  std::vector<StoreNode> nodes;
  std::optional<YamlNode> list = top.sequence("store", Presence::optional);
  if (!list) {
    return nodes;
  }
  FirstSeen seen;
  for (const YamlNode& node : elements(*list)) {
    std::optional<StoreNode> store_node = load_store_node(top.reader(), node);
    if (!store_node) {
      continue;
    }
    const std::string side = std::string(side_name(store_node->side));
    if (!seen.unique(top.reader(), side + "/" + store_node->name, store_node->location.at(store_node->name_position),
                     side + " store node '" + store_node->name + "'")) {
      continue;
    }
    nodes.push_back(std::move(*store_node));
  }
  return nodes;
}

// xen/io/ring.h: the ring's slots follow a 64-byte header; each slot is a union of request
// and response; the slot count is rounded down to a power of two.
void size_ring(Reader& reader, const Location& where, SplitRing& ring, const TypeDefinition& request,
               const TypeDefinition& response) {
  ring.entry_align = std::max(request.layout.align, response.layout.align);
  ring.entry_size = align_up(std::max(request.layout.size, response.layout.size), ring.entry_align);
  std::uint64_t slots = (ring.pages * kPageSize - kSharedRingHeaderSize) / ring.entry_size;
  if (slots == 0) {
    reader.error(where, "a ring slot of " + std::to_string(ring.entry_size) + " bytes does not fit in " +
                            std::to_string(ring.pages) + " page(s) after the 64-byte ring header");
    return;
  }
  std::uint64_t entries = 1;
  while (entries * 2 <= slots) {
    entries *= 2;
  }
  ring.ring_entries = static_cast<std::uint32_t>(entries);
}

// A node name a ring entry gives (`ring_ref: tx-ring-ref`), checked as a store path.
std::optional<std::string> ring_node(const MapView& ring, const std::string& key) {
  std::optional<std::string> name = ring.string(key, Presence::optional);
  if (!name) return std::nullopt;
  std::optional<std::string> problem = store_path_problem(*name);
  if (!problem && std::find(kProtocolNodes.begin(), kProtocolNodes.end(), *name) != kProtocolNodes.end()) {
    problem = "it belongs to the xenbus handshake, which vgen's runtime manages";
  }
  if (problem) {
    ring.reader().error(ring.value_location(key),
                        "invalid ring node name '" + *name + "' for '" + key + "': " + *problem);
    return std::nullopt;
  }
  return name;
}

// One ring: the `ring:` mapping (`named` false) or an entry of `rings:`.
// For `ring:`, `profile` receives its profile and `profile_at` where it is written.
std::optional<SplitRing> load_ring(Reader& reader, const YamlNode& node, const TypeTable& types, bool named,
                                   RingProfile* profile = nullptr, Location* profile_at = nullptr,
                                   bool* typed = nullptr) {
  MapView ring(reader, node, named ? "ring entry" : "ring", named ? kNamedRingKeys : kRingKeys);
  SplitRing result;
  result.location = ring.location();
  if (named) {
    std::optional<std::string> name = ring.identifier("name", Presence::required);
    if (!name) return std::nullopt;
    result.name = *name;
    result.name_position = ring.value_position("name");
    result.nodes.ring_ref = *name + "-ring-ref";
    result.description = ring.string("description", Presence::optional).value_or("");
  }
  const std::string what = named ? "ring '" + result.name + "'" : "the ring";
  std::optional<std::uint64_t> pages = ring.unsigned_integer("pages", Presence::optional, 0xFFFFFFFF);
  if (pages && (!is_power_of_two(*pages) || *pages > kMaxRingPages)) {
    reader.error(ring.value_location("pages"), "ring pages must be a power of two from 1 to " +
                                                   std::to_string(kMaxRingPages) + " (ring-page-order 0 to " +
                                                   std::to_string(std::countr_zero(kMaxRingPages)) + "), got " +
                                                   std::to_string(*pages));
    pages.reset();
  }
  result.pages = static_cast<std::uint32_t>(pages.value_or(1));
  const std::pair<const char*, std::string*> node_keys[] = {{"ring_ref", &result.nodes.ring_ref},
                                                            {"event_channel", &result.nodes.event_channel},
                                                            {"page_order_node", &result.nodes.page_order},
                                                            {"max_page_order_node", &result.nodes.max_page_order}};
  for (std::size_t index = 0; index < std::size(node_keys); ++index) {
    if (std::optional<std::string> name = ring_node(ring, node_keys[index].first)) {
      *node_keys[index].second = *name;
      result.nodes.written[index] = ring.value_location(node_keys[index].first);
    }
  }
  std::optional<NameRef> request = ring.reference("request", Presence::required);
  std::optional<NameRef> response = ring.reference("response", Presence::required);
  const TypeDefinition* request_type = request ? resolve_struct(reader, *request, types, what + " request") : nullptr;
  const TypeDefinition* response_type =
      response ? resolve_struct(reader, *response, types, what + " response") : nullptr;
  if (request) result.request = *request;
  if (response) result.response = *response;
  bool pages_ok = pages || !ring.has("pages");
  if (request_type && response_type && pages_ok) {
    // The larger of the two types decides the slot size.
    const bool request_larger = request_type->layout.size >= response_type->layout.size;
    size_ring(reader, request_larger ? request->location : response->location, result, *request_type, *response_type);
  }
  if (profile != nullptr) {
    *profile = ring.choice<RingProfile>("profile", Presence::optional, {{"blkif", RingProfile::blkif}})
                   .value_or(RingProfile::none);
    *profile_at = ring.value_location("profile");
    *typed = request_type && response_type;
  }
  return result;
}

// Every ring node is used by one ring alone, except event channel nodes, which rings share
// (one port for both). Reported at the later node (where its name is written, else at its
// ring's name), naming the earlier one.
void check_ring_nodes(Reader& reader, const std::vector<SplitRing>& rings, const std::vector<Location>& where) {
  struct Use {
    std::string role;
    std::string ring;
    Location location;
  };
  static const char* const kRoles[] = {"ring_ref", "event_channel", "page_order_node", "max_page_order_node"};
  std::map<std::string, Use> used;
  for (std::size_t index = 0; index < rings.size(); ++index) {
    const SplitRing& ring = rings[index];
    const std::string ring_name = ring.name.empty() ? "the ring" : "ring '" + ring.name + "'";
    const std::string keys[] = {"frontend/" + ring.nodes.ring_ref, "frontend/" + ring.nodes.event_channel,
                                "frontend/" + ring.nodes.page_order, "backend/" + ring.nodes.max_page_order};
    for (std::size_t role = 0; role < std::size(kRoles); ++role) {
      if (role >= 2 && ring.pages == 1) continue;  // a one-page ring writes no page order
      const Location at = ring.nodes.written[role].value_or(where[index]);
      const auto [found, fresh] = used.try_emplace(keys[role], Use{kRoles[role], ring_name, at});
      if (fresh || (role == 1 && found->second.role == kRoles[1])) continue;
      const std::string node = keys[role].substr(keys[role].find('/') + 1);
      if (found->second.ring == ring_name) {
        reader.error(at, "ring node '" + node + "' is both the " + found->second.role + " and the " + kRoles[role] +
                             " of " + ring_name);
      } else {
        reader.error(at, "duplicate ring node '" + node + "': the " + kRoles[role] + " of " + ring_name + " is the " +
                             found->second.role + " of " + found->second.ring + " (at " +
                             found->second.location.line_column() + ")" +
                             (role >= 2 ? "; give one of them its own " + std::string(kRoles[role]) : ""));
      }
    }
  }
}

// The device's first-ring fields, which the blkif profile and one-ring code read.
void mirror_first_ring(SplitDevice& device) {
  if (device.rings.empty()) return;
  const SplitRing& first = device.rings.front();
  device.ring_pages = first.pages;
  device.request = first.request;
  device.response = first.response;
  device.entry_size = first.entry_size;
  device.entry_align = first.entry_align;
  device.ring_entries = first.ring_entries;
}

void load_rings(const MapView& top, const TypeTable& types, SplitDevice& device) {
  Reader& reader = top.reader();
  if (top.has("ring") && top.has("rings")) {
    reader.error(top.value_location("rings"), "a split spec has 'ring' (one ring) or 'rings' (several), not both");
    return;
  }
  if (!top.has("rings")) {
    std::optional<YamlNode> node = top.mapping("ring", Presence::required);
    if (!node) return;
    Location profile_at;
    bool typed = false;
    std::optional<SplitRing> ring = load_ring(reader, *node, types, false, &device.profile, &profile_at, &typed);
    if (!ring) return;
    device.rings.push_back(std::move(*ring));
    check_ring_nodes(reader, device.rings, {device.rings.front().location});
    mirror_first_ring(device);
    if (typed) check_ring_profile(reader, profile_at, device, types);
    return;
  } else {
    std::optional<YamlNode> list = top.sequence("rings", Presence::required);
    if (!list) return;
    device.named_rings = true;
    FirstSeen seen;
    std::vector<Location> where;
    for (const YamlNode& node : elements(*list)) {
      std::optional<SplitRing> ring = load_ring(reader, node, types, true);
      if (!ring) continue;
      const Location at = ring->location.at(ring->name_position);
      if (!seen.unique(reader, ring->name, at, "ring name '" + ring->name + "'")) continue;
      where.push_back(at);
      device.rings.push_back(std::move(*ring));
    }
    if (elements(*list).empty()) reader.error(top.value_location("rings"), "'rings' lists no ring; give at least one");
    check_ring_nodes(reader, device.rings, where);
  }
  mirror_first_ring(device);
}

}  // namespace

SplitDevice load_split(const MapView& top, const TypeTable& types) {
  SplitDevice device;
  Reader& reader = top.reader();
  if (std::optional<std::string> device_type = top.string("device_type", Presence::required)) {
    if (std::optional<std::string> problem = spec_name_problem(*device_type)) {
      reader.error(top.value_location("device_type"), "invalid device_type '" + *device_type + "': " + *problem);
    }
    device.device_type = *device_type;
  }
  std::optional<Flavour> flavour =
      top.choice<Flavour>("flavour", Presence::required, {{"xenbus", Flavour::xenbus}, {"vbus", Flavour::vbus}});
  device.flavour = flavour.value_or(Flavour::xenbus);
  if (flavour) {
    device.compatible = load_compatible(top, *flavour);
  }
  load_rings(top, types, device);
  device.store = load_store(top);
  return device;
}

}  // namespace vgen::gen::detail
