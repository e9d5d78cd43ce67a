#include <vgen/store/protocol.hpp>

#include <new>

#include <vgen/store/arguments.hpp>
#include <vgen/store/error.hpp>

namespace vgen::store {
namespace {

const std::string kOk("OK\0", 3);

std::string with_nul(std::string_view text) {
  std::string out(text);
  out += '\0';
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += with_nul(name);
  return out;
}

// Type 20 was XS_RESTRICT, removed from xs_wire.h; WATCH_EVENT and ERROR only flow from the
// daemon to clients. Any of these from a client is "unknown" (ENOSYS), as for the C daemon.
constexpr std::uint32_t kRemovedRestrictType = 20;

bool known_type(std::uint32_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::WatchEvent:
    case MessageType::Error:
      return false;
    default:
      break;
  }
  return type <= static_cast<std::uint32_t>(MessageType::DirectoryPart) && type != kRemovedRestrictType;
}

bool uses_transaction_id(MessageType type) { return type != MessageType::Watch && type != MessageType::Unwatch; }

}  // namespace

void Protocol::drain_events(ConnectionId id, std::vector<Message>& out, std::size_t limit) {
  for (std::size_t n = 0; n < limit; ++n) {
    std::optional<WatchEvent> event = store_.take_event(id);
    if (!event) return;
    out.push_back(watch_event(event->path, event->token));
  }
}

void Protocol::handle(ConnectionId id, const Message& request, std::vector<Message>& out) {
  std::vector<Message> after;
  Message reply;
  try {
    reply = dispatch(id, request, after);
  } catch (const Error& error) {
    if (log_errors_ && log_) {
      log_("connection " + std::to_string(id) + " " + message_type_name(request.header.type) + ": " +
           std::string(wire_name(error.code())) + ": " + error.what());
    }
    reply = error_reply(request.header, wire_name(error.code()));
    after.clear();
  } catch (const std::bad_alloc&) {
    reply = error_reply(request.header, wire_name(ErrorCode::NoMemory));
    after.clear();
  }
  drain_events(id, out);
  out.push_back(std::move(reply));
  for (Message& message : after) out.push_back(std::move(message));
}

Message Protocol::dispatch(ConnectionId id, const Message& request, std::vector<Message>& after) {
  const Header& h = request.header;
  if (!known_type(h.type)) throw Error(ErrorCode::NotSupported, "unknown message " + message_type_name(h.type));
  const auto type = static_cast<MessageType>(h.type);
  if (uses_transaction_id(type)) store_.check_transaction(id, h.tx_id);
  switch (type) {
    case MessageType::Control:
      return control(id, request);
    case MessageType::Watch:
    case MessageType::Unwatch:
    case MessageType::ResetWatches:
      return watch_request(id, request, after);
    case MessageType::TransactionStart:
    case MessageType::TransactionEnd:
      return transaction_request(id, request);
    case MessageType::Introduce:
    case MessageType::Release:
    case MessageType::Resume:
    case MessageType::SetTarget:
    case MessageType::GetDomainPath:
    case MessageType::IsDomainIntroduced:
      return domain_request(id, request);
    default:
      return node_request(id, request);
  }
}

Message Protocol::node_request(ConnectionId id, const Message& request) {
  const Header& h = request.header;
  const std::string what = message_type_name(h.type);
  switch (static_cast<MessageType>(h.type)) {
    case MessageType::Directory:
      return directory(id, request);
    case MessageType::DirectoryPart:
      return directory_part(id, request);
    case MessageType::Read:
      return reply_to(h, store_.read(id, h.tx_id, split_strings(request.payload, 1, what)[0]));
    case MessageType::GetPermissions: {
      std::string out;
      for (const Permission& p : store_.get_permissions(id, h.tx_id, split_strings(request.payload, 1, what)[0])) {
        out += with_nul(format_permission(p));
      }
      return reply_to(h, std::move(out));
    }
    case MessageType::Write: {
      const auto [path, value] = split_path_value(request.payload, what);
      store_.write(id, h.tx_id, path, value);
      return reply_to(h, kOk);
    }
    case MessageType::Mkdir:
      store_.mkdir(id, h.tx_id, split_strings(request.payload, 1, what)[0]);
      break;
    case MessageType::Remove:
      store_.remove(id, h.tx_id, split_strings(request.payload, 1, what)[0]);
      break;
    case MessageType::SetPermissions: {
      const auto args = split_all_strings(request.payload, 2, what);
      Permissions permissions;
      for (std::size_t i = 1; i < args.size(); ++i) permissions.push_back(parse_permission(args[i]));
      store_.set_permissions(id, h.tx_id, args[0], permissions);
      break;
    }
    default:
      throw Error(ErrorCode::NotSupported, "unknown message " + what);
  }
  return reply_to(h, kOk);
}

Message Protocol::watch_request(ConnectionId id, const Message& request, std::vector<Message>& after) {
  const Header& h = request.header;
  const std::string what = message_type_name(h.type);
  if (static_cast<MessageType>(h.type) == MessageType::ResetWatches) {
    store_.reset_watches(id);
    return reply_to(h, kOk);
  }
  const auto args = split_strings(request.payload, 2, what);
  if (static_cast<MessageType>(h.type) == MessageType::Unwatch) {
    store_.unwatch(id, args[0], args[1]);
    return reply_to(h, kOk);
  }
  // XenStore fires every new watch once, right after the OK.
  const WatchEvent first = store_.watch(id, args[0], args[1]);
  after.push_back(watch_event(first.path, first.token));
  return reply_to(h, kOk);
}

Message Protocol::transaction_request(ConnectionId id, const Message& request) {
  const Header& h = request.header;
  if (static_cast<MessageType>(h.type) == MessageType::TransactionStart) {
    // The payload is ignored, as by XenStore daemons; nesting is not supported.
    if (h.tx_id != 0) throw Error(ErrorCode::Busy, "TRANSACTION_START inside transaction " + std::to_string(h.tx_id));
    return reply_to(h, with_nul(std::to_string(store_.transaction_start(id))));
  }
  const auto args = split_strings(request.payload, 1, "TRANSACTION_END");
  if (args[0] != "T" && args[0] != "F") {
    throw Error(ErrorCode::Invalid, "TRANSACTION_END argument '" + std::string(args[0]) + "'; expected T or F");
  }
  store_.transaction_end(id, h.tx_id, args[0] == "T");
  return reply_to(h, kOk);
}

Message Protocol::domain_request(ConnectionId id, const Message& request) {
  const Header& h = request.header;
  const std::string what = message_type_name(h.type);
  switch (static_cast<MessageType>(h.type)) {
    case MessageType::GetDomainPath: {
      const auto args = split_strings(request.payload, 1, what);
      return reply_to(h, with_nul(domain_path(parse_domain_id(args[0], what + " domid"))));
    }
    case MessageType::IsDomainIntroduced: {
      const auto args = split_strings(request.payload, 1, what);
      return reply_to(h, with_nul(store_.is_introduced(parse_domain_id(args[0], what + " domid")) ? "T" : "F"));
    }
    case MessageType::Introduce: {
      // "domid\0mfn\0event-channel\0": there is no ring page here, the numbers are only checked.
      const auto args = split_strings(request.payload, 3, what);
      const DomainId domid = parse_domain_id(args[0], what + " domid");
      parse_decimal(args[1], what + " mfn");
      parse_decimal(args[2], what + " event channel");
      store_.introduce(id, domid);
      break;
    }
    case MessageType::Release:
      store_.release(id, parse_domain_id(split_strings(request.payload, 1, what)[0], what + " domid"));
      break;
    case MessageType::Resume: {
      const DomainId domid = parse_domain_id(split_strings(request.payload, 1, what)[0], what + " domid");
      if (domid == kPrivilegedDomain) throw Error(ErrorCode::Invalid, "RESUME: domain 0 is never suspended");
      store_.resume(id, domid);
      break;
    }
    case MessageType::SetTarget: {
      const auto args = split_strings(request.payload, 2, what);
      store_.set_target(id, parse_domain_id(args[0], what + " domid"), parse_domain_id(args[1], what + " target"));
      break;
    }
    default:
      throw Error(ErrorCode::NotSupported, "unknown message " + what);
  }
  return reply_to(h, kOk);
}

Message Protocol::directory(ConnectionId id, const Message& request) {
  const auto args = split_strings(request.payload, 1, "DIRECTORY");
  std::string names = join_names(store_.directory(id, request.header.tx_id, args[0]).children);
  if (names.size() > kMaxPayload) {
    throw Error(ErrorCode::TooBig, "DIRECTORY of '" + std::string(args[0]) + "' needs " + std::to_string(names.size()) +
                                       " bytes, over " + std::to_string(kMaxPayload) + "; use DIRECTORY_PART");
  }
  return reply_to(request.header, std::move(names));
}

Message Protocol::directory_part(ConnectionId id, const Message& request) {
  const Header& h = request.header;
  const auto args = split_strings(request.payload, 2, "DIRECTORY_PART");
  const std::uint64_t offset = parse_decimal(args[1], "DIRECTORY_PART offset");
  const Listing listing = store_.directory(id, h.tx_id, args[0]);
  const std::string names = join_names(listing.children);
  // Reply: "<generation>\0" then whole names from `offset` while they fit, and a final
  // extra NUL once the list is complete (libxenstore concatenates the parts).
  std::string out = with_nul(std::to_string(listing.generation));
  const std::string_view rest = offset < names.size() ? std::string_view(names).substr(offset) : std::string_view();
  std::size_t taken = 0;
  while (taken < rest.size()) {
    const std::size_t end = rest.find('\0', taken) + 1;
    if (out.size() + end + 1 > kMaxPayload) break;
    taken = end;
  }
  out.append(rest.substr(0, taken));
  if (taken == rest.size()) out += '\0';
  return reply_to(h, std::move(out));
}

Message Protocol::control(ConnectionId id, const Message& request) {
  const auto args = split_all_strings(request.payload, 1, "CONTROL");
  if (!store_.requester(id).privileged()) {
    throw Error(ErrorCode::Access, "CONTROL needs domain 0; caller is domain " + std::to_string(store_.domain_of(id)));
  }
  const std::string_view command = args[0];
  if (command == "help" && args.size() == 1) {
    return reply_to(request.header, with_nul("help\t\nmemory\t\nprint\t<string>\nset-domid\t<domid>\n"));
  }
  if (command == "memory" && args.size() == 1) return reply_to(request.header, with_nul(store_.memory_report()));
  if (command == "print" && args.size() == 2) {
    if (log_) log_(args[1]);
    return reply_to(request.header, kOk);
  }
  if (command == "set-domid" && args.size() == 2) {
    store_.set_domain(id, parse_domain_id(args[1], "CONTROL set-domid"));
    return reply_to(request.header, kOk);
  }
  throw Error(ErrorCode::Invalid, "CONTROL: unknown command '" + std::string(command) + "' with " +
                                      std::to_string(args.size() - 1) + " arguments; try 'help'");
}

}  // namespace vgen::store
