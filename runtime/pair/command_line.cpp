#include "vgen/pair/command_line.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>

namespace vgen::pair {
namespace {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// One run: announced, run, judged; an exception is a failed run.
bool run_one(const PairCommand& command, const Connection& connection, const RunContext& context,
             const std::string& value) {
  std::printf("demo: %s %s\n", command.spec.c_str(), connection.title.c_str());
  std::fflush(stdout);
  bool passed = false;
  try {
    passed = connection.run(context, value);
  } catch (const std::exception& error) {
    std::printf("demo: %s: %s\n", connection.name.c_str(), error.what());
  }
  std::printf("demo: %s %s\n", connection.name.c_str(), passed ? "passed" : "FAILED");
  std::fflush(stdout);
  return passed;
}

// What the parsed command line chose.
struct Choice {
  std::optional<std::string> mode;
  std::map<std::string, std::string> values;  // by connection name
  std::string trace_log;
};

void add_options(CLI::App& app, const PairCommand& command, Choice& choice) {
  std::vector<std::string> modes;
  std::vector<CLI::Option*> transports;
  for (const Connection& connection : command.connections) {
    if (connection.value_name.empty()) {
      modes.push_back(connection.name);
      continue;
    }
    transports.push_back(app.add_option("--" + connection.name, choice.values[connection.name], connection.description)
                             ->type_name(connection.value_name));
  }
  CLI::Option* mode = app.add_option("MODE", choice.mode, "Run the pair one way only (default: every way in turn)")
                          ->check(CLI::IsMember(modes));
  for (CLI::Option* transport : transports) mode->excludes(transport);
  if (command.open_trace) {
    app.add_option("--trace", choice.trace_log, "Write the halves' ring and state events to LOG")->type_name("LOG");
  }
}

// The connections to run: the transport options given, else the mode named, else every mode.
std::vector<const Connection*> chosen(const PairCommand& command, const CLI::App& app, const Choice& choice) {
  std::vector<const Connection*> runs;
  for (const Connection& connection : command.connections) {
    if (!connection.value_name.empty() && app.count("--" + connection.name) > 0) runs.push_back(&connection);
  }
  if (!runs.empty()) return runs;
  for (const Connection& connection : command.connections) {
    if (connection.value_name.empty() && (!choice.mode || *choice.mode == connection.name)) runs.push_back(&connection);
  }
  return runs;
}

}  // namespace

int run_command(const PairCommand& command, int argc, char** argv) {
  CLI::App app{"Runs the " + command.spec + " pair, its two halves connected each way in turn", command.spec + "-demo"};
  app.footer("Exit status: 0 when every run passed, 1 otherwise, 2 on a usage error.");
  Choice choice;
  add_options(app, command, choice);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitPassed : kExitUsage;
  }
  RunContext context;
  std::unique_ptr<trace::TraceSink> trace;
  if (!choice.trace_log.empty()) {
    try {
      trace = command.open_trace(choice.trace_log);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s: cannot record the trace: %s\n", app.get_name().c_str(), error.what());
      return kExitFailed;
    }
    context.trace = trace.get();
  }
  bool passed = true;
  for (const Connection* connection : chosen(command, app, choice)) {
    const auto value = choice.values.find(connection->name);
    passed = run_one(command, *connection, context, value != choice.values.end() ? value->second : "") && passed;
  }
  return passed ? kExitPassed : kExitFailed;
}

}  // namespace vgen::pair
