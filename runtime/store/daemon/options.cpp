#include "options.hpp"

#include <vgen/store/arguments.hpp>
#include <vgen/store/error.hpp>

namespace vgen::store::daemon {
namespace {

[[noreturn]] void reject(const std::string& option, const std::string& why) {
  throw Error(ErrorCode::Invalid, "option " + option + ": " + why + " (see --help)");
}

std::size_t parse_count(const std::string& option, const std::string& text) {
  const std::uint64_t value = parse_decimal(text, option);
  if (value == 0) reject(option, "must be at least 1");
  return static_cast<std::size_t>(value);
}

mode_t parse_mode(const std::string& option, const std::string& text) {
  if (text.empty() || text.size() > 4) reject(option, "'" + text + "' is not an octal file mode such as 0600");
  mode_t mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') reject(option, "'" + text + "' is not an octal file mode such as 0600");
    mode = static_cast<mode_t>(mode * 8 + static_cast<mode_t>(c - '0'));
  }
  return mode;
}

// "UID:DOMID[,UID:DOMID...]"
void parse_domid_map(const std::string& option, const std::string& text, std::map<uid_t, DomainId>& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string entry = text.substr(start, comma - start);
    const std::size_t colon = entry.find(':');
    if (colon == std::string::npos) reject(option, "entry '" + entry + "' is not UID:DOMID");
    const std::uint64_t uid = parse_decimal(entry.substr(0, colon), option + " uid");
    if (uid > 0xFFFFFFFEu) reject(option, "uid " + entry.substr(0, colon) + " is out of range");
    out[static_cast<uid_t>(uid)] = parse_domain_id(entry.substr(colon + 1), option + " domid");
    start = comma + 1;
  }
}

}  // namespace

std::string usage() {
  return "usage: vgen-xenstored --socket PATH [options]\n"
         "  --socket PATH               Unix socket to serve (clients: XENSTORED_PATH=PATH)\n"
         "  --socket-mode MODE          octal mode of the socket file (default 0600)\n"
         "  --domid-map UID:DOMID[,..]  peers with this uid act as domain DOMID (repeatable);\n"
         "                              root and the daemon's uid are domain 0, others refused\n"
         "  --quota-nodes N             nodes per unprivileged domain (default 1000)\n"
         "  --quota-watches N           watches per unprivileged domain (default 128)\n"
         "  --quota-transactions N      open transactions per unprivileged domain (default 10)\n"
         "  --quota-entry-size N        bytes per node, value + child names (default 2048)\n"
         "  --quota-permissions N       permission entries per node (default 5)\n"
         "  --quota-transaction-nodes N nodes one transaction may touch (default 1024)\n"
         "  --event-queue-limit N       undelivered watch events per connection (default 1024)\n"
         "  --event-queue-bytes N       bytes held per connection: waiting events + unsent output\n"
         "                              (default 524288); past it the connection is closed\n"
         "  --domain-bytes N            bytes held for all connections of one domain (default 4194304)\n"
         "  --output-limit N            unsent bytes before a connection's reading pauses (default 262144;\n"
         "                              less than --event-queue-bytes)\n"
         "  --stall-timeout MS          a watcher holding writers back that takes no output this long\n"
         "                              is closed (default 10000)\n"
         "  --trace LOG                 record every message received and sent, watch events included,\n"
         "                              into the trace log LOG (vgen trace show LOG)\n"
         "  --verbose                   log every failed request and closed connection\n"
         "  --help                      this text\n";
}

Command parse_command_line(const std::vector<std::string>& args) {
  Command command;
  Quotas& q = command.server.quotas;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& option = args[i];
    if (option == "--help" || option == "-h") {
      command.help = true;
      continue;
    }
    if (option == "--verbose") {
      command.server.log_errors = true;
      continue;
    }
    if (i + 1 >= args.size()) reject(option, option.rfind("--", 0) == 0 ? "needs a value" : "unknown option");
    const std::string& value = args[++i];
    if (option == "--socket")
      command.server.socket_path = value;
    else if (option == "--trace")
      command.trace_log = value;
    else if (option == "--socket-mode")
      command.server.socket_mode = parse_mode(option, value);
    else if (option == "--domid-map")
      parse_domid_map(option, value, command.server.uid_domains);
    else if (option == "--quota-nodes")
      q.nodes_per_domain = parse_count(option, value);
    else if (option == "--quota-watches")
      q.watches_per_domain = parse_count(option, value);
    else if (option == "--quota-transactions")
      q.transactions_per_domain = parse_count(option, value);
    else if (option == "--quota-entry-size")
      q.entry_size = parse_count(option, value);
    else if (option == "--quota-permissions")
      q.permissions_per_node = parse_count(option, value);
    else if (option == "--quota-transaction-nodes")
      q.nodes_per_transaction = parse_count(option, value);
    else if (option == "--event-queue-limit")
      q.event_queue.max_events = parse_count(option, value);
    else if (option == "--event-queue-bytes")
      q.event_queue.max_bytes = parse_count(option, value);
    else if (option == "--domain-bytes")
      q.event_queue.max_domain_bytes = parse_count(option, value);
    else if (option == "--output-limit")
      command.server.output_limit = parse_count(option, value);
    else if (option == "--stall-timeout")
      command.server.stall_timeout = std::chrono::milliseconds(parse_count(option, value));
    else
      reject(option, "unknown option");
  }
  if (!command.help && command.server.socket_path.empty()) reject("--socket", "is required");
  if (command.server.output_limit >= q.event_queue.max_bytes) {
    reject("--output-limit", std::to_string(command.server.output_limit) + " must be less than --event-queue-bytes (" +
                                 std::to_string(q.event_queue.max_bytes) + "), which also counts unsent output");
  }
  return command;
}

}  // namespace vgen::store::daemon
