// The requirements catalogue: one YAML file per protocol (conformance/catalogue/*.yaml) listing
// every rule the harness knows, where it comes from, which side it binds, whether a peer can
// observe it, and the checks that cover it. See conformance/README.md for the format.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <vgen/error.hpp>

namespace vgen::conform {

/// A catalogue file that cannot be read or breaks the format; the message starts with
/// "file:line:column:".
class CatalogueError : public vgen::Error {
 public:
  using vgen::Error::Error;
};

/// One rule of a protocol.
struct Requirement {
  std::string id;          ///< unique across catalogues, e.g. "virtio/2.1.2/no-use-before-driver-ok"
  std::string section;     ///< where the rule is stated, e.g. "2.1.2" or "xs_wire.h"
  std::string level;       ///< "MUST", "MUST NOT" or "implied" (a rule the layout definition implies)
  std::string binds;       ///< the side the rule binds: driver, device, frontend, backend, host, remote, daemon, client
  std::string text;        ///< the rule, paraphrased
  bool observable = true;  ///< whether a peer can tell that the rule was broken
  std::string reason;      ///< why it is not observable (observable == false only)
  std::vector<std::string> checks;  ///< ids of the checks that cover it (observable only)
  std::string file;                 ///< the catalogue file it came from
  int line = 0;                     ///< its line there
};

/// The requirements of one protocol.
struct Catalogue {
  std::string protocol;                   ///< "virtio", "xenstore", "xenbus", "rpmsg"
  std::string title;                      ///< what the catalogue covers, one line
  std::vector<std::string> sources;       ///< documents the rules come from
  std::vector<Requirement> requirements;  ///< in file order
};

/// Reads one catalogue file. Throws CatalogueError naming the file and line of the problem.
Catalogue load_catalogue(const std::filesystem::path& file);
/// Reads every *.yaml file of `directory`, sorted by name.
std::vector<Catalogue> load_catalogues(const std::filesystem::path& directory);

/// Where the catalogues are: $VGEN_CONFORM_CATALOGUE if set, else the source tree's
/// conformance/catalogue (compiled in), else <prefix>/share/vgen/conformance next to the binary.
std::filesystem::path default_catalogue_directory();

}  // namespace vgen::conform
