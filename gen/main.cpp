// The vgen command line. Exit status: 0 success, 1 invalid spec (or unreadable file),
// 2 usage error (unknown option, missing argument), 3 internal error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "vgen/gen/loader.hpp"
#include "vgen/gen/summary.hpp"
#include "vgen/gen/version.hpp"

namespace {

constexpr int kExitInvalidSpec = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

const char* const kExitCodes =
    "Exit status: 0 success; 1 a spec is invalid or unreadable (errors on stderr as\n"
    "file:line:col: error: message); 2 usage error; 3 internal error.";

struct CheckOptions {
  std::vector<std::string> files;
  bool verbose = false;
};

void add_check(CLI::App& app, CheckOptions& options) {
  CLI::App* check = app.add_subcommand("check", "Validate device specs and topologies; print nothing when all are valid");
  check->add_option("SPEC", options.files, "Spec or topology files (YAML)")->required()->type_name("FILE");
  check->add_flag("-v,--verbose", options.verbose, "Print each valid file's layout summary (type sizes, field offsets)");
  check->footer(kExitCodes);
}

// Loads every file, prints all errors (sorted, without repeats) and the summaries.
int run_check(const CheckOptions& options) {
  vgen::gen::Diagnostics all;
  for (const std::string& file : options.files) {
    vgen::gen::LoadResult result = vgen::gen::load_file(file);
    all.append(result.diagnostics);
    if (result.ok() && options.verbose) {
      vgen::gen::write_summary(std::cout, *result.document);
    }
  }
  for (const vgen::gen::Diagnostic& diagnostic : all.sorted()) {
    std::cerr << diagnostic.to_string() << '\n';
  }
  return all.empty() ? 0 : kExitInvalidSpec;
}

// CLI11 reports an unknown command only as "A subcommand is required"; name it instead.
// The top level takes no option values, so the first non-option argument is the command.
bool unknown_command(int argc, char** argv, const CLI::App& app) {
  std::vector<std::string> commands;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(command->get_name());
  }
  for (int index = 1; index < argc; ++index) {
    std::string argument = argv[index];
    if (argument.empty() || argument[0] == '-') {
      continue;
    }
    if (std::find(commands.begin(), commands.end(), argument) != commands.end()) {
      return false;
    }
    std::cerr << "vgen: unknown command '" << argument << "' (commands: check)\nRun with --help for more information.\n";
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vgen: tooling for paravirtual device drivers (VirtIO, Xen split drivers, rpmsg)", "vgen"};
  app.set_version_flag("--version", "vgen " + std::string(vgen::gen::version()), "Print the vgen version and exit");
  app.require_subcommand(1);
  app.footer(kExitCodes);
  CheckOptions check;
  add_check(app, check);
  if (unknown_command(argc, argv, app)) {
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int status = app.exit(error);  // prints help, the version, or the usage error
    return status == 0 ? 0 : kExitUsage;
  }
  try {
    return run_check(check);
  } catch (const std::exception& error) {
    std::cerr << "vgen: internal error: " << error.what() << '\n';
    return kExitInternal;
  }
}
