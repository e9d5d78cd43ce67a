#include <vgen/store/local_client.hpp>

#include <string>
#include <type_traits>
#include <vector>

#include <vgen/store/wire.hpp>

namespace vgen::store {
namespace {

std::string nul_terminated(std::string_view text) {
  std::string out(text);
  out.push_back('\0');
  return out;
}

// The reply payload the daemon sends for each kind of result (protocol.cpp).
std::string local_reply(const std::string& value) { return value; }
std::string local_reply(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += nul_terminated(name);
  return out;
}
std::string local_reply(const Permissions& permissions) {
  std::string out;
  for (const Permission& permission : permissions) out += nul_terminated(format_permission(permission));
  return out;
}
std::string local_reply(TransactionId tx) { return nul_terminated(std::to_string(tx)); }
std::string local_reply(const WatchEvent&) { return nul_terminated("OK"); }

}  // namespace

ConnectionId LocalStore::attach(DomainId domid, WatchDispatcher& dispatcher) {
  std::lock_guard lock(mutex_);
  const ConnectionId id = store_.connect(domid);
  dispatchers_[id] = &dispatcher;
  return id;
}

void LocalStore::detach(ConnectionId id) {
  std::lock_guard lock(mutex_);
  if (store_.connected(id)) store_.disconnect(id);
  dispatchers_.erase(id);
}

void LocalStore::deliver_events() {
  for (ConnectionId id : store_.take_notified()) {
    auto found = dispatchers_.find(id);
    if (found == dispatchers_.end() || !store_.connected(id)) continue;
    while (std::optional<WatchEvent> event = store_.take_event(id)) {
      trace_message(trace_, store_.domain_of(id), static_cast<std::uint32_t>(id), TracedDirection::FromDaemon,
                    TracedAt::Daemon, watch_event(event->path, event->token));
      found->second->post(event->path, event->token);
    }
  }
  // Queues are emptied after every operation, so only a single operation firing more
  // events than a queue holds overflows one; such a connection has lost events and is
  // closed, as the daemon would close it.
  for (ConnectionId id : store_.take_overflowed()) {
    if (store_.connected(id)) store_.disconnect(id);
  }
}

LocalClient::LocalClient(LocalStore& store, DomainId domid)
    : store_(store), domain_(domid), connection_(store.attach(domid, dispatcher_)) {}

LocalClient::~LocalClient() {
  dispatcher_.stop();  // no callback runs into a half-destroyed client
  store_.detach(connection_);
}

template <class Operation>
auto LocalClient::call(MessageType type, std::string_view path, TransactionId tx, const std::string& request,
                       Operation&& operation) {
  const std::string name = message_type_name(static_cast<std::uint32_t>(type));
  try {
    return store_.apply([&](Store& store) {
      trace::TraceSink* const sink = store_.trace();
      const Header header{static_cast<std::uint32_t>(type), next_request_, tx, 0};
      if (sink != nullptr) {
        next_request_ = next_request_ == UINT32_MAX ? 1 : next_request_ + 1;
        trace_message(sink, domain_, static_cast<std::uint32_t>(connection_), TracedDirection::ToDaemon,
                      TracedAt::Daemon, Message{header, request});
      }
      const auto reply = [&](std::string payload) {
        trace_message(sink, domain_, static_cast<std::uint32_t>(connection_), TracedDirection::FromDaemon,
                      TracedAt::Daemon, reply_to(header, std::move(payload)));
      };
      try {
        if constexpr (std::is_void_v<decltype(operation(store))>) {
          operation(store);
          if (sink != nullptr) reply(nul_terminated("OK"));
        } else {
          auto result = operation(store);
          if (sink != nullptr) reply(local_reply(result));
          return result;
        }
      } catch (const Error& error) {
        if (sink != nullptr) {
          trace_message(sink, domain_, static_cast<std::uint32_t>(connection_), TracedDirection::FromDaemon,
                        TracedAt::Daemon, error_reply(header, wire_name(error.code())));
        }
        throw;
      }
    });
  } catch (const Error& error) {
    throw ClientError(name, std::string(path), std::string(wire_name(error.code())), error.what());
  }
}

std::string LocalClient::read(std::string_view path, TransactionId tx) {
  return call(MessageType::Read, path, tx, nul_terminated(path),
              [&](Store& s) { return s.read(connection_, tx, path); });
}

void LocalClient::write(std::string_view path, std::string_view value, TransactionId tx) {
  call(MessageType::Write, path, tx, nul_terminated(path) + std::string(value),
       [&](Store& s) { s.write(connection_, tx, path, value); });
}

void LocalClient::mkdir(std::string_view path, TransactionId tx) {
  call(MessageType::Mkdir, path, tx, nul_terminated(path), [&](Store& s) { s.mkdir(connection_, tx, path); });
}

void LocalClient::remove(std::string_view path, TransactionId tx) {
  call(MessageType::Remove, path, tx, nul_terminated(path), [&](Store& s) { s.remove(connection_, tx, path); });
}

std::vector<std::string> LocalClient::directory(std::string_view path, TransactionId tx) {
  return call(MessageType::Directory, path, tx, nul_terminated(path),
              [&](Store& s) { return s.directory(connection_, tx, path).children; });
}

Permissions LocalClient::get_permissions(std::string_view path, TransactionId tx) {
  return call(MessageType::GetPermissions, path, tx, nul_terminated(path),
              [&](Store& s) { return s.get_permissions(connection_, tx, path); });
}

void LocalClient::set_permissions(std::string_view path, const Permissions& permissions, TransactionId tx) {
  call(MessageType::SetPermissions, path, tx, nul_terminated(path) + local_reply(permissions),
       [&](Store& s) { s.set_permissions(connection_, tx, path, permissions); });
}

void LocalClient::watch(std::string_view path, std::string_view token, WatchCallback callback) {
  dispatcher_.add(std::string(path), std::string(token), std::move(callback));
  try {
    const WatchEvent first =
        call(MessageType::Watch, path, kNoTransaction, nul_terminated(path) + nul_terminated(token),
             [&](Store& s) { return s.watch(connection_, path, token); });
    trace_message(store_.trace(), domain_, static_cast<std::uint32_t>(connection_), TracedDirection::FromDaemon,
                  TracedAt::Daemon, watch_event(first.path, first.token));
    dispatcher_.post(first.path, first.token);
  } catch (...) {
    dispatcher_.remove(std::string(token));
    throw;
  }
}

void LocalClient::unwatch(std::string_view path, std::string_view token) {
  call(MessageType::Unwatch, path, kNoTransaction, nul_terminated(path) + nul_terminated(token),
       [&](Store& s) { s.unwatch(connection_, path, token); });
  dispatcher_.remove(std::string(token));
}

TransactionId LocalClient::transaction_start() {
  return call(MessageType::TransactionStart, "", kNoTransaction, std::string(1, '\0'),
              [&](Store& s) { return s.transaction_start(connection_); });
}

void LocalClient::transaction_end(TransactionId tx, bool commit) {
  call(MessageType::TransactionEnd, "", tx, nul_terminated(commit ? "T" : "F"),
       [&](Store& s) { s.transaction_end(connection_, tx, commit); });
}

}  // namespace vgen::store
