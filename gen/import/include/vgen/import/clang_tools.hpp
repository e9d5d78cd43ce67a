// What vgen needs of clang, behind one interface loaded on first use. The clang and LLVM
// libraries are large (about 240 MB of address space, a tenth of a second to load), so they
// live in a module of their own, vgen-clang.so, which `vgen` opens only for `import`, `update`
// and specs that say `from:`; every other command starts without them.
#pragma once

#include <string>
#include <vector>

#include "vgen/gen/spec/types.hpp"
#include "vgen/import/importer.hpp"
#include "vgen/import/request.hpp"
#include "vgen/import/user_update.hpp"

namespace vgen::import {

/// The clang-backed operations, as the module provides them.
class ClangTools {
 public:
  virtual ~ClangTools() = default;
  /// import_headers() of importer.hpp.
  virtual ImportResult import_headers(const ImportRequest& request) const = 0;
  /// verify_sources() of source_check.hpp.
  virtual std::vector<std::string> verify_sources(const vgen::gen::TypeTable& types) const = 0;
  /// update_user_half() of user_update.hpp.
  virtual UserHalfUpdate update_user_half(const UserHalf& half, const ParseContext& context) const = 0;
};

/// The environment variable that names the module file instead of the default place.
inline constexpr const char* kClangModuleVariable = "VGEN_CLANG_MODULE";

/// The module's default place: `executable_dir`/../lib/vgen/vgen-clang.so, in the build tree
/// and the install tree alike.
std::string default_clang_module(const std::string& executable_dir);

/// The tools, loading the module the first time. Throws vgen::gen::FileError (exit status 4)
/// naming the module's path and the loader's reason when it cannot be loaded.
const ClangTools& clang_tools();

/// True when some struct of `types` says `from:`, so checking the spec needs clang.
bool has_sources(const vgen::gen::TypeTable& types);

}  // namespace vgen::import

/// The module's one entry point (C linkage, so dlsym finds it by this name).
extern "C" const vgen::import::ClangTools* vgen_clang_tools();
