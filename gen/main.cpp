// The vgen command line: check, generate, new-device, update, stubs, import, trace
// show|stats|export|html|tap|attach. Exit status: 0 success, 1 invalid spec (or unreadable spec,
// or a spec vgen cannot generate code for; for trace show, a damaged log; for update, a
// conflict), 2 usage error, 3 internal error, 4 a file or folder vgen cannot read or write.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "vgen/gen/diagnostics/error.hpp"
#include "vgen/gen/diagnostics/quoting.hpp"
#include "vgen/gen/load/loader.hpp"
#include "vgen/gen/load/summary.hpp"
#include "vgen/gen/names/names.hpp"
#include "vgen/gen/render/formatter.hpp"
#include "vgen/gen/render/generator.hpp"
#include "vgen/gen/render/templates_location.hpp"
#include "vgen/gen/render/version.hpp"
#include "vgen/gen/scaffold/scaffold.hpp"
#include "vgen/gen/trace_decode/spec_payloads.hpp"
#include "vgen/import/clang_tools.hpp"
#include "vgen/import/project_update.hpp"
#include "vgen/import/spec_writer.hpp"
#include "vgen/trace/error.hpp"
#include "vgen/trace/log_reader.hpp"
#include "vgen/trace_tap/command.hpp"
#include "vgen/trace_view/attach.hpp"
#include "vgen/trace_view/html.hpp"
#include "vgen/trace_view/perfetto.hpp"
#include "vgen/trace_view/show.hpp"
#include "vgen/trace_view/stats.hpp"

namespace {

namespace fs = std::filesystem;
using vgen::gen::FileRole;

constexpr int kExitInvalidSpec = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;
constexpr int kExitFiles = 4;

const char* const kExitCodes =
    "Exit status: 0 success; 1 a spec is invalid or unreadable, or vgen cannot generate code for it\n"
    "(errors on stderr as file:line:col: error: message); 2 usage error; 3 internal error;\n"
    "4 a file or folder cannot be read or written (missing templates, output folder in the way).";

const char* const kCommands = "check, generate, new-device, update, stubs, import, trace";

struct CheckOptions {
  std::vector<std::string> files;
  bool verbose = false;
};

struct GenerateOptions {
  std::string spec;
  std::string output;
  std::optional<std::string> templates;
  bool generated_only = false;
  bool list_outputs = false;
  bool no_format = false;
  bool quiet = false;
};

struct NewDeviceOptions {
  std::string name;
  std::string kind;
  std::optional<std::string> directory;
  std::optional<std::string> templates;
  bool quiet = false;
};

struct UpdateOptions {
  std::string spec;
  std::optional<std::string> output;
  std::optional<std::string> templates;
  std::vector<std::string> include_dirs;
  bool quiet = false;
  bool all = false;  // stubs: every handler, not only the missing ones
};

struct ImportOptions {
  vgen::import::ImportRequest request;
  std::vector<std::string> defines;  // PREFIX[=NAME]
  bool cxx = false;
  std::string output;
  std::optional<std::string> name;
  std::uint32_t device_id = 1;
};

struct TraceOptions {
  std::string log;
  vgen::trace_view::ShowFilter filter;
  vgen::trace_tap::TapCommandOptions tap;
  std::string perfetto;                                           // export: where the JSON trace goes
  std::string spec;                                               // show: the device spec that decodes payloads
  unsigned buckets = vgen::trace_view::kDefaultOccupancyBuckets;  // stats: occupancy time buckets
  std::string html;                                               // html: where the page goes
  std::uint64_t max_records = vgen::trace_view::HtmlOptions{}.max_records;  // html: records in the page
  vgen::trace_view::AttachOptions attach;
};

// A time after a log's first record: a number of seconds, 0 or more.
const CLI::Validator kSeconds(
    [](std::string& text) -> std::string {
      double seconds = 0;
      if (!CLI::detail::lexical_cast(text, seconds) || !(seconds >= 0)) {
        return "'" + text + "' is not a number of seconds (0 or more)";
      }
      return {};
    },
    "SECONDS");

// `vgen trace attach`: a ring in a file or memfd, given its queue size and addresses.
void add_attach(CLI::App& trace, vgen::trace_view::AttachOptions& options) {
  CLI::App* attach = trace.add_subcommand(
      "attach", "Record a split virtqueue in a file or memfd that a driver and a device share, without their help");
  attach
      ->add_option("--file", options.file, "The file or memfd holding the ring (/proc/PID/fd/N for another process's)")
      ->required()
      ->type_name("PATH");
  attach->add_option("-o,--output", options.log, "The trace log to write")->required()->type_name("LOG");
  attach->add_option("--queue-size", options.queue_size, "Entries of the queue (a power of two up to 32768)")
      ->required()
      ->type_name("N");
  CLI::Option* ring =
      attach->add_option("--ring", options.ring, "The ring laid out as vring_init() does, starting at ADDR")
          ->type_name("ADDR");
  attach->add_option("--align", options.align, "With --ring: the used ring's alignment (default 4096)")
      ->type_name("N")
      ->needs(ring);
  CLI::Option* desc = attach->add_option("--desc", options.desc, "The descriptor table's address")->type_name("ADDR");
  CLI::Option* avail = attach->add_option("--avail", options.avail, "The avail ring's address")->type_name("ADDR");
  CLI::Option* used = attach->add_option("--used", options.used, "The used ring's address")->type_name("ADDR");
  for (CLI::Option* part : {desc, avail, used}) part->excludes(ring);
  desc->needs(avail, used);
  avail->needs(desc, used);
  used->needs(desc, avail);
  attach->add_option("--base", options.base, "The address of the file's first byte (default 0: addresses are offsets)")
      ->type_name("ADDR");
  attach->add_option("--queue", options.queue, "The queue index the records carry (interface vqN; default 0)")
      ->type_name("INDEX");
  attach->add_flag("--from-start", options.from_start,
                   "Also report the entries already in the ring, from index 0 (default: only new ones)");
  attach->add_option("--count", options.count, "Stop after N used entries")->type_name("N");
  attach->add_option("--duration", options.duration, "Stop after SECONDS")->type_name("SECONDS")->check(kSeconds);
  attach->add_option("--interval-us", options.interval_us, "Pause between two looks at the ring (default 1000)")
      ->type_name("N");
  attach->add_option("--snap", options.snap, "Payload bytes kept per record (default 256)")->type_name("N");
  attach->add_flag("--flight", options.flight,
                   "Keep only the latest records (a flight recorder): the log is written on SIGUSR1 and at the end");
  attach->add_option("--buffer", options.buffer_bytes, "Bytes of records kept (default 1048576; a power of two)")
      ->type_name("BYTES");
  attach->footer(
      "ADDR accepts 0x hex. Without --count or --duration it records until SIGINT or SIGTERM; SIGUSR1 writes\n"
      "the log out meanwhile.\n"
      "Exit status: 0 stopped as asked; 1 the ring could no longer be read (the log holds what was seen);\n"
      "2 usage error, or the addresses do not describe a ring inside the file; 4 the file cannot be opened\n"
      "or the log written.");
}

void add_trace(CLI::App& app, TraceOptions& options) {
  CLI::App* trace = app.add_subcommand(
      "trace", "Read trace logs that --trace LOG recorded, or record a vhost-user connection (docs/trace.md)");
  trace->require_subcommand(1);
  CLI::App* show =
      trace->add_subcommand("show", "Print one line per event of a trace log, with names instead of numbers");
  show->add_option("LOG", options.log, "The trace log (pcapng)")->required()->type_name("LOG");
  show->add_option("--queue", options.filter.interfaces,
                   "Only this interface (vq0, virtio, vhost-user, ...: the second column); repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
  show->add_option("--since", options.filter.since, "Only records at least SECONDS after the first")
      ->type_name("SECONDS")
      ->check(kSeconds);
  show->add_option("--until", options.filter.until, "Only records at most SECONDS after the first")
      ->type_name("SECONDS")
      ->check(kSeconds);
  show->add_option("--spec", options.spec,
                   "Decode payloads (messages, ring entries), device features and configuration fields by this "
                   "device spec")
      ->type_name("SPEC");
  show->add_flag("--follow", options.filter.follow,
                 "At the end of the log, wait for the records a running program appends (stop with Ctrl-C)");
  show->footer(
      "Exit status: 0 the whole log was read; 1 the log is damaged (truncated, corrupt or of a newer\n"
      "version: every complete record before the damage is printed, then the error with its byte\n"
      "offset on stderr), or the --spec file has errors (printed as for check); 2 usage error; 4 the\n"
      "log cannot be opened.");
  CLI::App* stats = trace->add_subcommand(
      "stats",
      "Print per queue and channel: records, chains, used entries, bytes each way, notifications sent and "
      "suppressed, most chains in flight, available-to-used latency percentiles, and chains in flight over time");
  stats->add_option("LOG", options.log, "The trace log (pcapng)")->required()->type_name("LOG");
  stats
      ->add_option("--buckets", options.buckets,
                   "Time buckets of the chains-in-flight table (the log's time in equal slices; default 10)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1000u));
  stats->footer(
      "Exit status: 0 the whole log was read; 1 the log is damaged (the figures up to the damage are\n"
      "printed, then the error with its byte offset on stderr); 2 usage error; 4 the log cannot be opened.");
  CLI::App* exporter = trace->add_subcommand(
      "export",
      "Write the log as a timeline Perfetto's UI opens: a track per queue, a slice per chain, flows from kicks");
  exporter->add_option("LOG", options.log, "The trace log (pcapng)")->required()->type_name("LOG");
  exporter->add_option("--perfetto", options.perfetto, "The JSON trace to write (trace event format)")
      ->required()
      ->type_name("OUT");
  exporter->footer(
      "Exit status: 0 the whole log was exported; 1 the log is damaged (OUT holds the records before the\n"
      "damage, the error with its byte offset on stderr); 2 usage error; 4 a file cannot be read or written.");
  vgen::trace_tap::add_tap_command(*trace, options.tap);
  CLI::App* html = trace->add_subcommand(
      "html", "Write the log as one self-contained web page: a timeline and a filterable table of the events");
  html->add_option("LOG", options.log, "The trace log (pcapng)")->required()->type_name("LOG");
  html->add_option("-o,--output", options.html, "The page to write (HTML)")->required()->type_name("OUT");
  html->add_option("--max-records", options.max_records,
                   "Records the page holds at most (the rest are counted); default 200000")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  html->footer(
      "Exit status: 0 the whole log is in the page; 1 the log is damaged (OUT shows every complete record\n"
      "before the damage and the error with its byte offset, also on stderr); 2 usage error; 4 a file cannot\n"
      "be read or written.");
  add_attach(*trace, options.attach);
}

// Writes `output` through `write(out)` into OUT.partial beside it and renames it over OUT once
// complete, so a failed write leaves no half file where a good one was. A damaged log still
// gives the file of the records before the damage: `write` throws trace::Error after writing
// them, and the error goes on to the caller. Returns 0, or kExitFiles when a file cannot be written.
template <class Write>
int write_beside(const std::string& command, const std::string& output, Write write) {
  const std::string partial = output + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "vgen trace " << command << ": cannot write '" << partial << "'\n";
    return kExitFiles;
  }
  auto finish = [&]() -> bool {
    out.close();
    std::error_code error;
    fs::rename(partial, output, error);
    if (!out || error) {
      std::cerr << "vgen trace " << command << ": cannot write '" << output << "'\n";
      fs::remove(partial, error);
      return false;
    }
    return true;
  };
  try {
    write(out);
  } catch (const vgen::trace::Error&) {
    finish();
    throw;
  }
  return finish() ? 0 : kExitFiles;
}

// `vgen trace export`: the JSON trace of the log.
int export_timeline(vgen::trace::LogReader& reader, const TraceOptions& options) {
  vgen::trace_view::ExportCounts counts;
  const int status = write_beside("export", options.perfetto,
                                  [&](std::ostream& out) { counts = vgen::trace_view::export_perfetto(reader, out); });
  if (status != 0) return status;
  std::cout << options.perfetto << ": " << counts.records << " records, " << counts.slices << " chain slices, "
            << counts.flows << " kick flows\n";
  return 0;
}

// `vgen trace html`: the web page of the log.
int write_page(vgen::trace::LogReader& reader, const TraceOptions& options) {
  vgen::trace_view::HtmlCounts counts;
  const int status = write_beside("html", options.html, [&](std::ostream& out) {
    counts = vgen::trace_view::write_html(reader, out, {options.log, options.max_records});
  });
  if (status != 0) return status;
  std::cout << options.html << ": " << counts.written << " of " << counts.records << " records\n";
  return 0;
}

// Runs `vgen trace show`, `stats`, `export` or `html`: what the log holds up to any damage, then the
// error that stopped the reading.
int run_trace(const std::string& command, const TraceOptions& options) {
  vgen::trace_view::LogStats stats;
  try {
    vgen::trace::LogReader reader(options.log);
    if (command == "show") {
      vgen::trace_view::show(reader, std::cout, options.filter);
    } else if (command == "export") {
      return export_timeline(reader, options);
    } else if (command == "html") {
      return write_page(reader, options);
    } else {
      vgen::trace_view::collect(reader, stats);
      vgen::trace_view::print(stats, std::cout, options.buckets);
    }
  } catch (const vgen::trace::Error& error) {
    if (command == "stats" && error.code() != vgen::trace::ErrorCode::System)
      vgen::trace_view::print(stats, std::cout, options.buckets);
    std::cout.flush();
    std::cerr << "vgen trace " << command << ": " << options.log << ": " << error.what() << '\n';
    return error.code() == vgen::trace::ErrorCode::System ? kExitFiles : kExitInvalidSpec;
  }
  return 0;
}

void add_check(CLI::App& app, CheckOptions& options) {
  CLI::App* check =
      app.add_subcommand("check", "Validate device specs and topologies; print nothing when all are valid");
  check->add_option("SPEC", options.files, "Spec or topology files (YAML)")->required()->type_name("FILE");
  check->add_flag("-v,--verbose", options.verbose,
                  "Print each valid file's layout summary (type sizes, field offsets)");
  check->footer(kExitCodes);
}

// --templates, which generate and new-device take alike.
void add_templates_option(CLI::App* command, std::optional<std::string>& templates) {
  command->add_option("--templates", templates, "Templates folder (default: share/vgen/templates beside vgen)")
      ->type_name("DIR");
}

void add_quiet_flag(CLI::App* command, bool& quiet) {
  command->add_flag("-q,--quiet", quiet, "Print nothing on success");
}

void add_generate(CLI::App& app, GenerateOptions& options) {
  CLI::App* generate = app.add_subcommand(
      "generate",
      "Generate a device spec's code into DIR: generated files are rewritten when their content changes; the "
      "user-owned subclass files are written only when missing and never overwritten");
  generate->add_option("SPEC", options.spec, "Device spec (YAML; kind virtio, split or rpmsg)")
      ->required()
      ->type_name("FILE");
  generate->add_option("-o,--output", options.output, "Output folder (created if missing)")->type_name("DIR");
  add_templates_option(generate, options.templates);
  generate->add_flag("--generated-only", options.generated_only,
                     "Write only the generated files, not the user-owned ones (what vgen_generate() does)");
  generate->add_flag("--list-outputs", options.list_outputs,
                     "Print the paths of the generated files (under DIR when -o is given) and write nothing");
  generate->add_flag("--no-format", options.no_format,
                     "Leave generated C++ as the templates render it (no clang-format)");
  add_quiet_flag(generate, options.quiet);
  generate->footer(kExitCodes);
}

void add_new_device(CLI::App& app, NewDeviceOptions& options) {
  CLI::App* command = app.add_subcommand(
      "new-device",
      "Create a project for a new device: a default spec, a user-owned source file per half, a CMakeLists.txt that "
      "generates the rest at build time, a demo running the pair, and a lit suite");
  command->add_option("NAME", options.name, "Device name: [a-z][a-z0-9_-]*")->required();
  command->add_option("--kind", options.kind, "virtio, split or rpmsg")->required()->type_name("KIND");
  command->add_option("--dir", options.directory, "Project folder (default: ./NAME); must be missing or empty")
      ->type_name("DIR");
  add_templates_option(command, options.templates);
  add_quiet_flag(command, options.quiet);
  command->footer(kExitCodes);
}

void add_update(CLI::App& app, UpdateOptions& options) {
  CLI::App* command = app.add_subcommand(
      "update",
      "Bring a project in line with its changed spec: the generated files rewritten, the user-owned ones edited with "
      "Clang LibTooling (new handlers added, removed ones moved out of the build, the rest untouched; docs/update.md)");
  command->add_option("SPEC", options.spec, "Device spec (YAML)")->required()->type_name("FILE");
  command->add_option("-o,--output", options.output, "Project folder (default: the spec's folder)")->type_name("DIR");
  add_templates_option(command, options.templates);
  command->add_option("-I", options.include_dirs, "Include folder for parsing the user's files; repeatable")
      ->type_name("DIR")
      ->allow_extra_args(false);
  add_quiet_flag(command, options.quiet);
  command->footer(
      "Exit status: 0 success; 1 the spec is invalid, or a conflict (a user file clang cannot parse, a\n"
      "handler whose signature changed): file:line:col: error: message on stderr, and no file written;\n"
      "2 usage error; 3 internal error; 4 a file cannot be read or written.");
}

void add_stubs(CLI::App& app, UpdateOptions& options) {
  CLI::App* command = app.add_subcommand(
      "stubs",
      "Print the overrides (declarations for the class, definitions for the source) of the spec's handlers that "
      "the project's user classes lack, as vgen update would add them; every handler with --all or when a half's "
      "files are missing. Writes nothing");
  command->add_option("SPEC", options.spec, "Device spec (YAML)")->required()->type_name("FILE");
  command->add_option("-o,--output", options.output, "Project folder (default: the spec's folder)")->type_name("DIR");
  command->add_flag("--all", options.all, "Every handler of the spec, whatever the user's classes hold");
  add_templates_option(command, options.templates);
  command->add_option("-I", options.include_dirs, "Include folder for parsing the user's files; repeatable")
      ->type_name("DIR")
      ->allow_extra_args(false);
  command->footer(
      "Exit status: 0 success; 1 the spec is invalid, or a user file clang cannot parse (file:line:col:\n"
      "error: message on stderr); 2 usage error; 3 internal error; 4 a file cannot be read.");
}

void add_import(CLI::App& app, ImportOptions& options) {
  CLI::App* command = app.add_subcommand(
      "import",
      "Write a spec whose types are structs, enums and #define groups of C or C++ headers, laid out as clang "
      "lays them out (parsed with Clang LibTooling)");
  command
      ->add_option("HEADER", options.request.headers,
                   "Headers, included in this order; one that is not a file is found on the include path")
      ->required()
      ->type_name("HEADER");
  // Each of these takes one value per use (repeat the option for more), so that a header
  // after it stays a header.
  command->add_option("--struct", options.request.structs, "A struct to import (tag or typedef name); repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
  command->add_option("--enum", options.request.enums, "A C enum to import (tag or typedef name); repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
  command
      ->add_option("--define", options.defines,
                   "Integer macros starting with PREFIX, imported as the enum NAME (default: the prefix in lower "
                   "case); repeatable")
      ->type_name("PREFIX[=NAME]")
      ->allow_extra_args(false);
  command->add_option("-I", options.request.include_dirs, "Include folder; repeatable")
      ->type_name("DIR")
      ->allow_extra_args(false);
  command->add_option("-D", options.request.macros, "Macro definition; repeatable")
      ->type_name("MACRO[=VALUE]")
      ->allow_extra_args(false);
  command->add_flag("--cxx", options.cxx, "Parse the headers as C++ (default: C, unless a header ends in .hpp)");
  command->add_option("-o,--output", options.output, "The spec to write")->required()->type_name("SPEC");
  command->add_option("--name", options.name, "Spec name (default: the output file's name without .yaml)")
      ->type_name("NAME");
  command->add_option("--device-id", options.device_id, "VirtIO device ID of the spec (default 1)")
      ->type_name("ID")
      ->check(CLI::Range(1u, 0xffffffffu));
  command->footer(kExitCodes);
}

// A usage error: `who` ("vgen" or "vgen <command>"), the message and the pointer to --help.
void print_usage_error(const std::string& who, const std::string& message) {
  std::cerr << who << ": " << message << "\nRun with --help for more information.\n";
}

// A usage error of `command`, and exit status 2.
int usage_error(const std::string& command, const std::string& message) {
  print_usage_error("vgen " + command, message);
  return kExitUsage;
}

// Why `name` cannot name a spec, as a usage error says it of `what` ("device name"), or nothing.
std::optional<std::string> unusable_name(const std::string& what, const std::string& name) {
  std::optional<std::string> problem = vgen::gen::spec_name_problem(name);
  if (!problem) return std::nullopt;
  return what + " '" + vgen::gen::printable(name) + "' is not usable: " + *problem;
}

void print_diagnostics(const std::vector<vgen::gen::Diagnostic>& diagnostics) {
  for (const vgen::gen::Diagnostic& diagnostic : diagnostics) std::cerr << diagnostic.to_string() << '\n';
}

// Loads every file, prints all errors (sorted, without repeats) and the summaries. The
// structs of valid specs that say `from:` are then verified against their headers.
int run_check(const CheckOptions& options) {
  vgen::gen::Diagnostics all;
  std::vector<std::string> layout_errors;
  for (const std::string& file : options.files) {
    vgen::gen::LoadResult result = vgen::gen::load_file(file);
    all.append(result.diagnostics);
    if (result.ok() && options.verbose) {
      vgen::gen::write_summary(std::cout, *result.document);
    }
    const auto* spec = result.ok() ? std::get_if<vgen::gen::Spec>(&*result.document) : nullptr;
    if (spec != nullptr && vgen::import::has_sources(spec->types)) {
      for (std::string& error : vgen::import::clang_tools().verify_sources(spec->types)) {
        layout_errors.push_back(std::move(error));
      }
    }
  }
  print_diagnostics(all.sorted());
  for (const std::string& error : layout_errors) std::cerr << error << '\n';
  return all.empty() && layout_errors.empty() ? 0 : kExitInvalidSpec;
}

// clang-format for generated C++; says once on stderr when it is missing.
std::optional<std::string> formatter(bool wanted) {
  if (!wanted) return std::nullopt;
  std::optional<std::string> found = vgen::gen::find_clang_format();
  if (!found) std::cerr << "vgen: warning: clang-format-14 not found; generated C++ is left unformatted\n";
  return found;
}

// The templates folder: --templates when given, else the one beside vgen.
fs::path templates_folder(const std::optional<std::string>& option) {
  return vgen::gen::find_templates(option ? std::optional<fs::path>(*option) : std::nullopt);
}

// The device spec `loaded` holds, or null after printing why not: its diagnostics, or that it is
// a topology, which `command` does not take.
const vgen::gen::Spec* device_spec(const vgen::gen::LoadResult& loaded, const std::string& path,
                                   const std::string& command) {
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics.sorted());
    return nullptr;
  }
  const auto* spec = std::get_if<vgen::gen::Spec>(&*loaded.document);
  if (spec == nullptr) {
    std::cerr << path << ": error: this is a topology; " << command
              << " takes a device spec (virtio, split or rpmsg)\n";
  }
  return spec;
}

int run_generate(const GenerateOptions& options) {
  if (options.output.empty() && !options.list_outputs) {
    return usage_error("generate", "--output is required (or --list-outputs)");
  }
  vgen::gen::LoadResult loaded = vgen::gen::load_file(options.spec);
  const vgen::gen::Spec* spec = device_spec(loaded, options.spec, "generate");
  if (spec == nullptr) return kExitInvalidSpec;
  std::vector<FileRole> roles{FileRole::generated};
  if (!options.generated_only && !options.list_outputs) roles.push_back(FileRole::user);
  if (options.list_outputs) {
    for (const std::string& path : vgen::gen::output_paths(*spec, roles)) {
      std::cout << (options.output.empty() ? fs::path(path) : fs::path(options.output) / path).string() << '\n';
    }
    return 0;
  }
  const fs::path templates = templates_folder(options.templates);
  for (const vgen::gen::RenderedFile& file :
       vgen::gen::render(*spec, templates, roles, formatter(!options.no_format))) {
    const vgen::gen::WriteOutcome outcome = vgen::gen::write_file(options.output, file);
    if (!options.quiet) {
      std::cout << vgen::gen::write_outcome_name(outcome) << ' ' << (fs::path(options.output) / file.path).string()
                << '\n';
    }
  }
  return 0;
}

int run_new_device(const NewDeviceOptions& options) {
  if (std::optional<std::string> problem = unusable_name("device name", options.name)) {
    return usage_error("new-device", *problem);
  }
  if (options.kind != "virtio" && options.kind != "split" && options.kind != "rpmsg") {
    return usage_error("new-device",
                       "unknown kind '" + vgen::gen::printable(options.kind) + "' (kinds: virtio, split, rpmsg)");
  }
  const fs::path directory = options.directory ? fs::path(*options.directory) : fs::path(options.name);
  const fs::path templates = templates_folder(options.templates);
  const vgen::gen::ScaffoldResult result =
      vgen::gen::scaffold(options.name, options.kind, directory, templates, formatter(true));
  if (!options.quiet) {
    std::cout << "created " << result.spec.string() << '\n';
    for (const vgen::gen::RenderedFile& file : result.files) {
      std::cout << "created " << (directory / file.path).string() << '\n';
    }
    // Run from a build tree, the project is configured against it (it is a vgen package).
    const fs::path package = vgen::gen::executable_dir().parent_path();
    const std::string vgen_dir =
        fs::exists(package / "vgenConfig.cmake") ? " -Dvgen_DIR=" + fs::absolute(package).string() : "";
    const std::string build = (directory / "build").string();
    std::cout << "next: cmake -S " << directory.string() << " -B " << build << vgen_dir << " && cmake --build " << build
              << " && " << (directory / "build" / (options.name + "-demo")).string() << '\n';
  }
  return 0;
}

// What `vgen update` and `vgen stubs` ask of the project beside the spec (or in -o DIR).
vgen::import::UpdateRequest update_request(const UpdateOptions& options) {
  vgen::import::UpdateRequest request;
  request.directory = options.output ? fs::path(*options.output) : fs::path(options.spec).parent_path();
  request.templates = templates_folder(options.templates);
  request.clang_format = formatter(true);
  request.include_dirs = options.include_dirs;
  return request;
}

int run_update(const UpdateOptions& options) {
  vgen::gen::LoadResult loaded = vgen::gen::load_file(options.spec);
  const vgen::gen::Spec* spec = device_spec(loaded, options.spec, "update");
  if (spec == nullptr) return kExitInvalidSpec;
  vgen::import::UpdateRequest request = update_request(options);
  const vgen::import::UpdateReport report = vgen::import::update_project(*spec, request);
  for (const std::string& warning : report.warnings) std::cerr << warning << '\n';
  for (const std::string& error : report.errors) std::cerr << error << '\n';
  if (!report.ok()) {
    std::cerr << "vgen update: " << report.errors.size() << (report.errors.size() == 1 ? " conflict" : " conflicts")
              << "; nothing was written\n";
    return kExitInvalidSpec;
  }
  if (!options.quiet) {
    for (const std::string& line : report.lines) std::cout << line << '\n';
  }
  return 0;
}

int run_stubs(const UpdateOptions& options) {
  vgen::gen::LoadResult loaded = vgen::gen::load_file(options.spec);
  const vgen::gen::Spec* spec = device_spec(loaded, options.spec, "stubs");
  if (spec == nullptr) return kExitInvalidSpec;
  vgen::import::UpdateRequest request = update_request(options);
  request.stubs_only = true;
  request.every_handler = options.all;
  const vgen::import::UpdateReport report = vgen::import::update_project(*spec, request);
  for (const std::string& error : report.errors) std::cerr << error << '\n';
  if (!report.ok()) return kExitInvalidSpec;
  for (const std::string& stub : report.stubs) {
    std::cout << (&stub == &report.stubs.front() ? "" : "\n") << stub;
  }
  return 0;
}

int run_import(ImportOptions options) {
  vgen::import::ImportRequest& request = options.request;
  if (request.structs.empty() && request.enums.empty() && options.defines.empty()) {
    return usage_error("import", "nothing to import: give --struct, --enum or --define");
  }
  for (const std::string& define : options.defines) {
    const std::size_t equals = define.find('=');
    request.defines.push_back({define.substr(0, equals), equals == std::string::npos ? "" : define.substr(equals + 1)});
    if (request.defines.back().prefix.empty()) return usage_error("import", "--define needs a prefix");
  }
  if (options.cxx) request.language = vgen::import::Language::cxx;
  vgen::import::SpecFrame frame;
  frame.name = options.name ? *options.name : fs::path(options.output).stem().string();
  frame.device_id = options.device_id;
  frame.headers = request.headers;
  if (std::optional<std::string> problem = unusable_name("spec name", frame.name)) {
    return usage_error("import", *problem + " (give --name)");
  }
  const vgen::import::ImportResult result = vgen::import::clang_tools().import_headers(request);
  for (const std::string& warning : result.warnings) std::cerr << warning << '\n';
  for (const std::string& error : result.errors) std::cerr << error << '\n';
  if (!result.ok()) return kExitInvalidSpec;
  std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
  out << vgen::import::write_spec(result.types, frame);
  out.close();
  if (!out) {
    std::cerr << options.output << ": error: cannot write file\n";
    return kExitFiles;
  }
  return 0;
}

// CLI11 reports an unknown command, or an unknown option before the command, only as "A
// subcommand is required"; name it instead. The top level takes no option values, so the
// first non-option argument is the command.
bool unknown_command(int argc, char** argv, const CLI::App& app) {
  std::vector<std::string> commands;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(command->get_name());
  }
  for (int index = 1; index < argc; ++index) {
    std::string argument = argv[index];
    if (argument == "-h" || argument == "--help" || argument == "--version") {
      continue;
    }
    if (!argument.empty() && argument[0] == '-') {
      print_usage_error("vgen", "unknown option '" + vgen::gen::printable(argument) +
                                    "' (options: --help, --version; then a command: " + kCommands + ")");
      return true;
    }
    if (argument.empty()) {
      continue;
    }
    if (std::find(commands.begin(), commands.end(), argument) != commands.end()) {
      return false;
    }
    print_usage_error("vgen", "unknown command '" + vgen::gen::printable(argument) + "' (commands: " + kCommands + ")");
    return true;
  }
  return false;
}

int run(const CLI::App& app, const CheckOptions& check, const GenerateOptions& generate,
        const NewDeviceOptions& new_device, const UpdateOptions& update, const UpdateOptions& stubs,
        const ImportOptions& import, const TraceOptions& trace) {
  try {
    if (app.got_subcommand("trace")) {
      const CLI::App* command = app.get_subcommand("trace");
      if (command->got_subcommand("tap")) return vgen::trace_tap::run_tap_command(trace.tap);
      if (command->got_subcommand("attach")) {
        if (!trace.attach.ring && !trace.attach.desc) {
          return usage_error("trace attach", "give the ring's place: --ring ADDR, or --desc, --avail and --used");
        }
        return vgen::trace_view::attach(trace.attach, std::cerr);
      }
      TraceOptions options = trace;
      std::optional<vgen::gen::SpecPayloads> payloads;
      if (!trace.spec.empty()) {
        const vgen::gen::LoadResult loaded = vgen::gen::load_file(trace.spec);
        const vgen::gen::Spec* spec = device_spec(loaded, trace.spec, "trace show --spec");
        if (spec == nullptr) return kExitInvalidSpec;
        payloads.emplace(*spec);
        options.filter.payloads = &*payloads;
      }
      return run_trace(command->got_subcommand("stats")    ? "stats"
                       : command->got_subcommand("export") ? "export"
                       : command->got_subcommand("html")   ? "html"
                                                           : "show",
                       options);
    }
    if (app.got_subcommand("import")) return run_import(import);
    if (app.got_subcommand("generate")) return run_generate(generate);
    if (app.got_subcommand("new-device")) return run_new_device(new_device);
    if (app.got_subcommand("update")) return run_update(update);
    if (app.got_subcommand("stubs")) return run_stubs(stubs);
    return run_check(check);
  } catch (const vgen::gen::SpecError& error) {
    print_diagnostics(error.diagnostics());
    return kExitInvalidSpec;
  } catch (const vgen::gen::FileError& error) {
    std::cerr << error.diagnostic() << '\n';
    return kExitFiles;
  } catch (const vgen::gen::GenerateError& error) {
    std::cerr << error.diagnostic() << '\n';
    return kExitInvalidSpec;
  } catch (const std::exception& error) {
    std::cerr << "vgen: internal error: " << error.what() << '\n';
    return kExitInternal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vgen: tooling for paravirtual device drivers (VirtIO, Xen split drivers, rpmsg)", "vgen"};
  app.set_version_flag("--version", "vgen " + std::string(vgen::gen::version()), "Print the vgen version and exit");
  app.require_subcommand(1);
  app.footer(kExitCodes);
  CheckOptions check;
  GenerateOptions generate;
  NewDeviceOptions new_device;
  TraceOptions trace;
  add_check(app, check);
  add_generate(app, generate);
  add_new_device(app, new_device);
  UpdateOptions update;
  add_update(app, update);
  UpdateOptions stubs;
  add_stubs(app, stubs);
  ImportOptions import;
  add_import(app, import);
  add_trace(app, trace);
  if (unknown_command(argc, argv, app)) {
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int status = app.exit(error);  // prints help, the version, or the usage error
    return status == 0 ? 0 : kExitUsage;
  }
  return run(app, check, generate, new_device, update, stubs, import, trace);
}
