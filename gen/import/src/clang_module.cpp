// vgen-clang.so's entry point: the clang-backed operations behind vgen::import::ClangTools.
#include "vgen/import/clang_tools.hpp"
#include "vgen/import/importer.hpp"
#include "vgen/import/source_check.hpp"
#include "vgen/import/user_update.hpp"

namespace {

class Tools final : public vgen::import::ClangTools {
 public:
  vgen::import::ImportResult import_headers(const vgen::import::ImportRequest& request) const override {
    return vgen::import::import_headers(request);
  }
  std::vector<std::string> verify_sources(const vgen::gen::TypeTable& types) const override {
    return vgen::import::verify_sources(types);
  }
  vgen::import::UserHalfUpdate update_user_half(const vgen::import::UserHalf& half,
                                                const vgen::import::ParseContext& context) const override {
    return vgen::import::update_user_half(half, context);
  }
};

}  // namespace

extern "C" const vgen::import::ClangTools* vgen_clang_tools() {
  static const Tools tools;
  return &tools;
}
