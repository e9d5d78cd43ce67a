// Code generation: renders the templates of a spec's kind (one mustache template per output
// file, found in the templates folder) into files, and writes them only when their content
// changed, so that a build that regenerates does not rebuild what stayed the same.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vgen/error.hpp"
#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

/// Who owns an output file, which decides when vgen may write it.
enum class FileRole : std::uint8_t {
  generated,  ///< rewritten by every `vgen generate`: base classes, message structs, the demo
  user,       ///< the subclass of one half: written once when missing, never overwritten
  project,    ///< the project around the pair (spec, CMakeLists.txt, lit suite): new-device only
};

/// "generated", "user" or "project".
const char* file_role_name(FileRole role);

/// One template and the file it produces.
struct TemplateFile {
  std::string template_name;   ///< path under the templates folder: "virtio/driver_base.hpp.mustache"
  std::string output_pattern;  ///< mustache text giving the output path: "{{name_snake}}_driver_base.hpp"
  FileRole role;
};

/// An output file rendered in memory.
struct RenderedFile {
  std::string path;  ///< relative to the output folder
  FileRole role;
  std::string content;
};

/// A refusal to generate: a missing or broken template. Specs are not refused here: whatever
/// generated code cannot serve is an error of the checker (the loader), so that `vgen check`
/// refuses what `vgen generate` would. `location` points into the template when known.
class GenerateError : public vgen::Error {
 public:
  GenerateError(Location location, const std::string& message);
  const Location& location() const { return location_; }
  /// `file:line:col: error: message`.
  std::string diagnostic() const;

 private:
  Location location_;
};

/// A file vgen cannot read or write (a missing templates folder, an output folder that is in
/// the way): exit status 4 rather than 1.
class FileError : public GenerateError {
 public:
  using GenerateError::GenerateError;
};

/// The templates that make the files of `spec`'s kind (every valid device spec has them).
std::vector<TemplateFile> template_files(const Spec& spec);

/// Renders every file of `spec` whose role is in `roles`, reading templates from
/// `templates`; C++ files go through `clang_format` (see formatter.hpp) when given. Throws
/// GenerateError.
std::vector<RenderedFile> render(const Spec& spec, const std::filesystem::path& templates,
                                 const std::vector<FileRole>& roles,
                                 const std::optional<std::string>& clang_format = std::nullopt);

/// What writing one file did.
enum class WriteOutcome : std::uint8_t { created, updated, unchanged, kept };

/// "created", "updated", "unchanged" or "kept (user-owned)".
const char* write_outcome_name(WriteOutcome outcome);

/// Writes `file` under `directory` (creating folders): generated files when their content
/// differs, user and project files only when missing. Throws FileError on I/O failure.
WriteOutcome write_file(const std::filesystem::path& directory, const RenderedFile& file);

}  // namespace vgen::gen

namespace vgen::gen {

/// The paths (relative to the output folder) of the files of `spec` whose role is in
/// `roles`, without reading templates: what `vgen generate --list-outputs` prints.
std::vector<std::string> output_paths(const Spec& spec, const std::vector<FileRole>& roles);

}  // namespace vgen::gen
