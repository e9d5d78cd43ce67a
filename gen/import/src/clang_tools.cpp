// Loading vgen-clang.so: dlopen on first use, one entry point, errors that name the file.
#include "vgen/import/clang_tools.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

#include "vgen/gen/render/generator.hpp"
#include "vgen/gen/render/templates_location.hpp"

namespace vgen::import {
namespace {

using Entry = const ClangTools* (*)();

std::string module_path() {
  if (const char* path = std::getenv(kClangModuleVariable); path != nullptr && *path != '\0') return path;
  return default_clang_module(vgen::gen::executable_dir().string());
}

const ClangTools& load() {
  const std::string path = module_path();
  // RTLD_LOCAL: the module's copies of vgen's generator code stay its own.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    throw vgen::gen::FileError({}, "cannot load vgen's clang module " + path + ": " +
                                       (reason ? reason : "unknown reason") + " (set " + kClangModuleVariable +
                                       " to its path)");
  }
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "vgen_clang_tools"));
  const ClangTools* tools = entry != nullptr ? entry() : nullptr;
  if (tools == nullptr) {
    throw vgen::gen::FileError({}, "vgen's clang module " + path + " has no vgen_clang_tools entry point");
  }
  return *tools;  // the module stays loaded until the process ends
}

}  // namespace

std::string default_clang_module(const std::string& executable_dir) {
  return (std::filesystem::path(executable_dir) / ".." / "lib" / "vgen" / "vgen-clang.so").lexically_normal().string();
}

const ClangTools& clang_tools() {
  static const ClangTools& tools = load();
  return tools;
}

bool has_sources(const vgen::gen::TypeTable& types) {
  for (const vgen::gen::TypeDefinition& type : types.types) {
    if (const vgen::gen::StructType* body = type.as_struct(); body != nullptr && body->from) return true;
  }
  return false;
}

}  // namespace vgen::import
