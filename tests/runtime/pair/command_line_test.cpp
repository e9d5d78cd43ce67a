// The demo command line: modes run by default or by name, transports chosen by their option
// run alone, --trace exists only with an opener, and the exit status says what happened.
#include <vgen/pair/command_line.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using vgen::pair::Connection;
using vgen::pair::PairCommand;
using vgen::pair::RunContext;

// A command whose connections record their runs in `runs` ("name" or "name=value").
struct Recorder {
  std::vector<std::string> runs;
  vgen::trace::TraceSink* seen_trace = nullptr;

  Connection mode(const std::string& name, bool passes = true) {
    return {name, "as " + name, "", "", [this, name, passes](const RunContext& context, const std::string&) {
              runs.push_back(name);
              seen_trace = context.trace;
              return passes;
            }};
  }
  Connection transport(const std::string& name) {
    return {name, "over " + name, "a transport", "SOCKET", [this, name](const RunContext&, const std::string& value) {
              runs.push_back(name + "=" + value);
              return true;
            }};
  }
};

int run(const PairCommand& command, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "demo");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  return vgen::pair::run_command(command, static_cast<int>(argv.size()), argv.data());
}

TEST(PairCommandLine, EveryModeRunsWhenNoneIsNamed) {
  Recorder recorder;
  const PairCommand command{"x", {recorder.mode("threads"), recorder.mode("processes"), recorder.transport("wire")}, {}};
  EXPECT_EQ(run(command, {}), 0);
  EXPECT_EQ(recorder.runs, (std::vector<std::string>{"threads", "processes"}));
}

TEST(PairCommandLine, ANamedModeRunsAlone) {
  Recorder recorder;
  const PairCommand command{"x", {recorder.mode("threads"), recorder.mode("processes")}, {}};
  EXPECT_EQ(run(command, {"processes"}), 0);
  EXPECT_EQ(recorder.runs, std::vector<std::string>{"processes"});
}

TEST(PairCommandLine, ATransportIsChosenByItsOptionAndRunsAlone) {
  Recorder recorder;
  const PairCommand command{"x", {recorder.mode("threads"), recorder.transport("vhost-user")}, {}};
  EXPECT_EQ(run(command, {"--vhost-user", "/tmp/socket"}), 0);
  EXPECT_EQ(recorder.runs, std::vector<std::string>{"vhost-user=/tmp/socket"});
  EXPECT_EQ(run(command, {"threads", "--vhost-user", "/tmp/socket"}), 2) << "a mode and a transport exclude";
}

TEST(PairCommandLine, UsageErrorsExitWithTwo) {
  Recorder recorder;
  const PairCommand command{"x", {recorder.mode("threads")}, {}};
  EXPECT_EQ(run(command, {"bogus"}), 2);
  EXPECT_EQ(run(command, {"--trace", "log"}), 2) << "no trace opener, no --trace";
  EXPECT_EQ(run(command, {"--help"}), 0);
  EXPECT_TRUE(recorder.runs.empty());
}

// A sink that keeps nothing; its address shows it reached the run.
class NullSink : public vgen::trace::TraceSink {
 public:
  void record(const vgen::trace::Event&) noexcept override {}
};

TEST(PairCommandLine, TraceOpensTheLogAndReachesTheRun) {
  Recorder recorder;
  std::string opened;
  NullSink* made = nullptr;
  const PairCommand command{"x", {recorder.mode("threads")}, [&](const std::string& log) {
                              opened = log;
                              auto sink = std::make_unique<NullSink>();
                              made = sink.get();
                              return std::unique_ptr<vgen::trace::TraceSink>(std::move(sink));
                            }};
  EXPECT_EQ(run(command, {"--trace", "ring.log"}), 0);
  EXPECT_EQ(opened, "ring.log");
  EXPECT_EQ(recorder.seen_trace, made);
  EXPECT_EQ(run(command, {}), 0);
  EXPECT_EQ(recorder.seen_trace, nullptr);
}

TEST(PairCommandLine, AFailedOrThrowingRunExitsWithOne) {
  Recorder recorder;
  Connection throwing = recorder.mode("broken");
  throwing.run = [](const RunContext&, const std::string&) -> bool { throw std::runtime_error("no memory"); };
  EXPECT_EQ(run({"x", {recorder.mode("threads", false)}, {}}, {}), 1);
  EXPECT_EQ(run({"x", {recorder.mode("threads"), throwing}, {}}, {}), 1);
  EXPECT_EQ(recorder.runs, (std::vector<std::string>{"threads", "threads"})) << "a failure does not stop the others";
}

}  // namespace
