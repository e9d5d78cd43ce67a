// Reading a file, parsing its YAML and dispatching on `kind`.
#include "vgen/gen/load/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "load/loaders.hpp"
#include "vgen/gen/diagnostics/error.hpp"
#include "vgen/gen/load/layout.hpp"
#include "vgen/gen/names/generated_names.hpp"
#include "vgen/gen/names/names.hpp"

namespace vgen::gen {
namespace {

using detail::MapView;
using detail::Presence;
using detail::Reader;
using detail::YamlDocument;
using detail::YamlNode;
using detail::YamlParse;

// The spec-format revision this vgen reads.
constexpr std::uint64_t kFormat = 1;

const std::vector<std::string> kKinds{"virtio", "split", "rpmsg", "topology"};

std::vector<std::string> top_level_keys(const std::string& kind) {
  std::vector<std::string> keys{"kind", "name", "description", "format"};
  std::vector<std::string> specific;
  if (kind == "virtio") {
    specific = {"types", "device_id", "vendor_id", "features", "config", "queues"};
  } else if (kind == "split") {
    specific = {"types", "device_type", "flavour", "compatible", "ring", "rings", "store"};
  } else if (kind == "rpmsg") {
    specific = {"types", "service", "buffer_size", "endpoints"};
  } else {
    specific = {"components", "instances", "connections"};
  }
  keys.insert(keys.end(), specific.begin(), specific.end());
  return keys;
}

// Reads the whole file; on failure says why in `problem` and returns nothing.
std::optional<std::string> read_file(const std::string& path, std::string& problem) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    problem = "it is a directory";
    return std::nullopt;
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    problem = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << stream.rdbuf();
  if (stream.bad()) {
    problem = std::strerror(errno);
    return std::nullopt;
  }
  return text.str();
}

// Parses the single YAML document of a file; nothing (reported) when it has none, several,
// or is not a mapping.
std::optional<YamlNode> root_of(const YamlParse& parsed, Reader& reader) {
  if (parsed.problem) {
    reader.error(reader.at(parsed.problem->position), parsed.problem->message);
    return std::nullopt;
  }
  if (parsed.documents == 0) {
    reader.error(Location{reader.file(), 1, 1}, "the file is empty; expected a mapping with 'kind' and 'name'");
    return std::nullopt;
  }
  if (parsed.documents > 1) {
    reader.error(reader.at(parsed.second_document),
                 "expected one YAML document, found " + std::to_string(parsed.documents));
    return std::nullopt;
  }
  YamlNode root = parsed.document->root();
  if (!root.is_map()) {
    reader.error(reader.at(root),
                 "expected a mapping with 'kind' and 'name' at the top level, got " + detail::describe(root));
    return std::nullopt;
  }
  return root;
}

// The `kind` of the root mapping, or nothing (reported; a misspelt `kind` key as such).
std::optional<std::string> read_kind(const YamlNode& root, Reader& reader) {
  std::vector<YamlNode::Entry> entries = root.entries();
  for (const YamlNode::Entry& entry : entries) {
    if (!entry.key.is_scalar() || entry.key.scalar() != "kind") {
      continue;
    }
    std::string kind(entry.value.is_scalar() ? entry.value.scalar() : "");
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
      std::string hint = suggestion(kind, kKinds);
      reader.error(reader.at(entry.value.is_null() ? entry.key : entry.value),
                   "invalid 'kind': " + detail::describe(entry.value) +
                       (hint.empty() ? " (expected one of: virtio, split, rpmsg, topology)" : hint));
      return std::nullopt;
    }
    return kind;
  }
  for (const YamlNode::Entry& entry : entries) {
    if (entry.key.is_scalar() && closest_match(entry.key.scalar(), {"kind"})) {
      reader.error(reader.at(entry.key), "unknown key '" + std::string(entry.key.scalar()) +
                                             "'; did you mean 'kind'? (one of: virtio, split, rpmsg, topology)");
      return std::nullopt;
    }
  }
  reader.error(reader.at(root), "missing required key 'kind' (one of: virtio, split, rpmsg, topology)");
  return std::nullopt;
}

// `name`, `description` and `format`, common to every kind.
void read_header(const MapView& top, std::string& name, std::string& description) {
  name = top.spec_name("name", Presence::required).value_or("");
  description = top.string("description", Presence::optional).value_or("");
  if (top.has("format")) {
    std::optional<std::uint64_t> format = top.unsigned_integer("format", Presence::optional, 0xFFFFFFFF);
    if (format && *format != kFormat) {
      top.reader().error(top.value_location("format"),
                         "unsupported format " + std::to_string(*format) + "; this vgen reads format 1");
    }
  }
}

Spec read_spec(const MapView& top, const std::string& kind, const std::string& file) {
  Spec spec;
  spec.source = file;
  read_header(top, spec.name, spec.description);
  spec.name_position = top.value_position("name");
  if (std::optional<YamlNode> types = top.sequence("types", Presence::optional)) {
    spec.types = detail::load_types(top.reader(), *types);
  }
  lay_out_types(spec.types, top.reader().diagnostics());
  if (kind == "virtio") {
    spec.device = detail::load_virtio(top, spec.types);
  } else if (kind == "split") {
    spec.device = detail::load_split(top, spec.types);
  } else {
    spec.device = detail::load_rpmsg(top, spec.types);
  }
  if (!spec.name.empty()) {
    check_generated_identifiers(spec, top.reader().diagnostics());
  }
  return spec;
}

// Loads the instance specs of one topology, each file once.
class InstanceSpecs {
 public:
  InstanceSpecs(const std::string& topology_file, Diagnostics& diagnostics)
      : base_(std::filesystem::path(topology_file).parent_path()), diagnostics_(diagnostics) {}

  void load(Instance& instance, const Location& used_at) {
    std::filesystem::path path(instance.spec_path);
    instance.resolved_path = (path.is_absolute() ? path : base_ / path).lexically_normal().string();
    auto [cached, inserted] = cache_.emplace(instance.resolved_path, Entry{});
    if (inserted) {
      cached->second = load_uncached(instance.resolved_path);
    }
    instance.spec = cached->second.spec;
    if (instance.spec == nullptr) {
      diagnostics_.error(used_at, "cannot use spec '" + instance.spec_path + "' of instance '" + instance.name +
                                      "': " + cached->second.problem);
    }
  }

 private:
  struct Entry {
    std::shared_ptr<const Spec> spec;  // null when unusable
    std::string problem;               // why it is unusable
  };

  Entry load_uncached(const std::string& path) {
    std::string problem;
    std::optional<std::string> text = read_file(path, problem);
    if (!text) {
      return Entry{nullptr, "cannot read '" + path + "': " + problem};
    }
    LoadResult result = gen::load_text(*text, path);
    diagnostics_.append(result.diagnostics);
    if (!result.ok()) {
      return Entry{nullptr, "it has errors"};
    }
    if (Spec* spec = std::get_if<Spec>(&*result.document)) {
      return Entry{std::make_shared<const Spec>(std::move(*spec)), ""};
    }
    return Entry{nullptr, "it is a topology, not a device spec"};
  }

  std::filesystem::path base_;
  Diagnostics& diagnostics_;
  std::map<std::string, Entry> cache_;
};

Topology read_topology(const MapView& top, const std::string& file) {
  Topology topology;
  read_header(top, topology.name, topology.description);
  InstanceSpecs specs(file, top.reader().diagnostics());
  Topology parts = detail::load_topology(
      top, [&specs](Instance& instance, const Location& used_at) { specs.load(instance, used_at); });
  parts.name = std::move(topology.name);
  parts.description = std::move(topology.description);
  parts.source = file;
  return parts;
}

}  // namespace

LoadResult load_text(std::string_view text, const std::string& file_name) {
  LoadResult result;
  Reader reader(file_name, result.diagnostics);
  const YamlParse parsed = YamlDocument::parse(text);
  std::optional<YamlNode> root = root_of(parsed, reader);
  if (!root) {
    return result;
  }
  std::optional<std::string> kind = read_kind(*root, reader);
  if (!kind) {
    return result;
  }
  MapView top(reader, *root, *kind == "topology" ? "topology" : *kind + " spec", top_level_keys(*kind));
  Document document =
      *kind == "topology" ? Document(read_topology(top, file_name)) : Document(read_spec(top, *kind, file_name));
  if (result.diagnostics.empty()) {
    result.document = std::move(document);
  }
  return result;
}

LoadResult load_file(const std::string& path) {
  LoadResult result;
  std::string problem;
  std::optional<std::string> text = read_file(path, problem);
  if (!text) {
    result.diagnostics.error(Location{path, 0, 0}, "cannot read file: " + problem);
    return result;
  }
  return load_text(*text, path);
}

namespace {

// The file at `path` when it loads and holds a `Document` of the alternative T; otherwise
// SpecError, with `mismatch` when the file holds the other alternative.
template <class T>
T load_or_throw(const std::string& path, const std::string& mismatch) {
  LoadResult result = load_file(path);
  if (result.ok()) {
    if (T* document = std::get_if<T>(&*result.document)) {
      return std::move(*document);
    }
    result.diagnostics.error(Location{path, 0, 0}, mismatch);
  }
  throw SpecError(result.diagnostics.sorted());
}

}  // namespace

Spec load_spec_or_throw(const std::string& path) {
  return load_or_throw<Spec>(path, "expected a device spec, found a topology");
}

Topology load_topology_or_throw(const std::string& path) {
  return load_or_throw<Topology>(path, "expected a topology, found a device spec");
}

}  // namespace vgen::gen
