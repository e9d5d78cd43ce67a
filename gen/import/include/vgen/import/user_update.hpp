// `vgen update`'s edit of one half's user-owned files: the user's class is parsed with clang
// against the base classes the current spec generates, and compared with the class
// `vgen new-device` would write for that spec. No clang types here: vgen passes texts in and
// gets texts back through the clang module (clang_tools.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vgen::import {

/// One half's user-owned files: what they hold now and what new-device would write today.
/// Paths are absolute: the parse sees the texts there (they need not be on disk).
struct UserHalf {
  std::string header_path;
  std::string source_path;
  std::string header;        ///< the user's header now
  std::string source;        ///< the user's source now
  std::string fresh_header;  ///< the scaffold's header for the current spec
  std::string fresh_source;  ///< the scaffold's source for the current spec
  /// Optional handlers (a base method with a default) to add all the same when the scaffold
  /// overrides them and the user's class lacks them: those of queues new in the spec, such as
  /// the producer of a new device-to-driver queue, whose buffers the demo would wait for.
  std::vector<std::string> new_optional;
  /// `vgen stubs --all`: every handler the scaffold overrides counts as missing (the texts
  /// are not edited then; added_declarations and added_definitions are what matters).
  bool every_handler = false;
};

/// What the parses see besides the user's files.
struct ParseContext {
  /// The generated files of the current spec (absolute path, text), seen in place of any
  /// older copy on disk.
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> include_dirs;  ///< -I, after the user header's folder
};

/// The edited texts, or the conflicts that stopped the edit.
struct UserHalfUpdate {
  std::string header;  ///< the new header text (the old one when nothing changes)
  std::string source;
  std::vector<std::string> added;     ///< handlers added, by name
  std::string class_name;             ///< the user's class, qualified
  std::string added_declarations;     ///< the added handlers' declarations, as inserted in the header
  std::string added_definitions;      ///< and their definitions, as inserted in the source
  std::vector<std::string> moved;     ///< handlers moved out of the build, by name
  std::vector<std::string> errors;    ///< conflicts, `file:line:col: error: message`; the texts are unchanged
  std::vector<std::string> warnings;  ///< `file:line:col: warning: message`
  bool ok() const { return errors.empty(); }
};

/// The edit: an override (declaration and stub definition, as the scaffold writes them) for
/// each handler the base class requires and the user's class lacks; every handler marked
/// `override` whose base method no longer exists moved, declaration and definition, into the
/// section `#if 0  // vgen update: removed handlers` at the end of its file; everything else
/// byte for byte as it was. Declarations of the class that clang cannot parse, and handlers
/// whose name the base uses with another signature, are conflicts: nothing is edited.
UserHalfUpdate update_user_half(const UserHalf& half, const ParseContext& context);

/// The marker lines of the section removed handlers go to.
inline constexpr const char* kRemovedBegin = "#if 0  // vgen update: removed handlers";
inline constexpr const char* kRemovedEnd = "#endif  // vgen update: removed handlers";

}  // namespace vgen::import
