#include <vgen/store/local_client.hpp>
#include <vgen/store/wire.hpp>

namespace vgen::store {

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
    while (std::optional<WatchEvent> event = store_.take_event(id)) found->second->post(event->path, event->token);
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
auto LocalClient::call(const char* name, std::string_view path, Operation&& operation) {
  try {
    return store_.apply([&](Store& store) { return operation(store); });
  } catch (const Error& error) {
    throw ClientError(name, std::string(path), std::string(wire_name(error.code())), error.what());
  }
}

std::string LocalClient::read(std::string_view path, TransactionId tx) {
  return call("READ", path, [&](Store& s) { return s.read(connection_, tx, path); });
}

void LocalClient::write(std::string_view path, std::string_view value, TransactionId tx) {
  call("WRITE", path, [&](Store& s) { s.write(connection_, tx, path, value); });
}

void LocalClient::mkdir(std::string_view path, TransactionId tx) {
  call("MKDIR", path, [&](Store& s) { s.mkdir(connection_, tx, path); });
}

void LocalClient::remove(std::string_view path, TransactionId tx) {
  call("RM", path, [&](Store& s) { s.remove(connection_, tx, path); });
}

std::vector<std::string> LocalClient::directory(std::string_view path, TransactionId tx) {
  return call("DIRECTORY", path, [&](Store& s) { return s.directory(connection_, tx, path).children; });
}

Permissions LocalClient::get_permissions(std::string_view path, TransactionId tx) {
  return call("GET_PERMS", path, [&](Store& s) { return s.get_permissions(connection_, tx, path); });
}

void LocalClient::set_permissions(std::string_view path, const Permissions& permissions, TransactionId tx) {
  call("SET_PERMS", path, [&](Store& s) { s.set_permissions(connection_, tx, path, permissions); });
}

void LocalClient::watch(std::string_view path, std::string_view token, WatchCallback callback) {
  dispatcher_.add(std::string(path), std::string(token), std::move(callback));
  try {
    const WatchEvent first = call("WATCH", path, [&](Store& s) { return s.watch(connection_, path, token); });
    dispatcher_.post(first.path, first.token);
  } catch (...) {
    dispatcher_.remove(std::string(token));
    throw;
  }
}

void LocalClient::unwatch(std::string_view path, std::string_view token) {
  call("UNWATCH", path, [&](Store& s) { s.unwatch(connection_, path, token); });
  dispatcher_.remove(std::string(token));
}

TransactionId LocalClient::transaction_start() {
  return call("TRANSACTION_START", "", [&](Store& s) { return s.transaction_start(connection_); });
}

void LocalClient::transaction_end(TransactionId tx, bool commit) {
  call("TRANSACTION_END", "", [&](Store& s) { s.transaction_end(connection_, tx, commit); });
}

}  // namespace vgen::store
