#include <cerrno>
#include <vgen/xenbus/driver.hpp>

namespace vgen::xenbus {

Driver::Driver(store::Client& client, Side side, std::string path, std::string other_path_node,
               std::string other_id_node, std::uint32_t devid)
    : client_(client),
      side_(side),
      path_(std::move(path)),
      other_path_node_(std::move(other_path_node)),
      other_id_node_(std::move(other_id_node)),
      devid_(devid) {}

Driver::~Driver() { detach(); }

std::string Driver::error_node() const {
  // Xen's nodename is the device path relative to the domain's home when it lies there.
  const std::string home = store::domain_path(self()) + "/";
  const std::string nodename = path_.rfind(home, 0) == 0 ? path_.substr(home.size()) : path_.substr(1);
  return home + "error/" + nodename + "/error";
}

void Driver::attach() {
  const std::string state_node = node_path(path_, kStateNode);
  std::optional<State> own = read_state(client_, state_node);
  if (!own) throw Error(ErrorCode::MissingNode, "node '" + state_node + "' is missing");
  state_ = *own;
  read_other_end();
}

void Driver::read_other_end() {
  const std::string path_node = node_path(path_, other_path_node_);
  std::string other = read_required(client_, path_node);
  if (other.size() < 2 || other[0] != '/' || other.back() == '/') {
    throw Error(ErrorCode::BadValue, "node '" + path_node + "' holds '" + other + "': not an absolute store path");
  }
  other_id_ = static_cast<DomainId>(read_number(client_, node_path(path_, other_id_node_), UINT16_MAX));
  other_path_ = std::move(other);
  const std::string watched = node_path(other_path_, kStateNode);
  ++generation_;
  client_.watch(watched, token(), [this](const std::string&, const std::string&) {
    changed_.store(true);
    wakeup_.signal();
  });
  watched_ = watched;
}

void Driver::detach() noexcept {
  if (!watched_) return;
  try {
    client_.unwatch(*watched_, token());
  } catch (const std::exception&) {
    // The connection is gone, and its watches with it.
  }
  watched_.reset();
}

void Driver::reattach() {
  detach();
  read_other_end();
}

State Driver::read_other_state() {
  try {
    return read_state(client_, node_path(other_path_, kStateNode)).value_or(State::Unknown);
  } catch (const store::ClientError& error) {
    // A removed directory whose parent we may not read answers EACCES rather than ENOENT;
    // either way the other end is gone (Xen's drivers read any failure as Unknown).
    if (error.code() == store::ErrorCode::Access) return State::Unknown;
    throw;
  }
}

std::string Driver::token() const { return "xenbus:" + path_ + ":" + std::to_string(generation_); }

bool Driver::process() {
  bool did = false;
  // Drain the eventfd before taking the flag: an event arriving in between leaves the
  // flag set and the eventfd readable, so it is never lost.
  wakeup_.wait(std::chrono::nanoseconds::zero());
  try {
    if (changed_.exchange(false)) {
      other_state_ = read_other_state();
      on_other_state(other_state_);
      did = true;
    }
    if (continue_pending()) did = true;
  } catch (const store::ClientError& error) {
    // A node of the other end that we may not read is the other end's fault: the device
    // fails, as in Xen. Any other store error means the store itself failed: the owner must know.
    if (error.code() != store::ErrorCode::Access) throw;
    fatal(EACCES, error.what());
    did = true;
  } catch (const Error& error) {
    fatal(error.code() == ErrorCode::MissingNode ? ENOENT : EINVAL, error.what());
    did = true;
  } catch (const vgen::Error& error) {
    // A handler could not use what the other end published (a grant that does not map,
    // a port that does not bind): the device fails, as in Xen.
    fatal(EINVAL, error.what());
    did = true;
  }
  return did;
}

bool Driver::wait_and_process(std::chrono::nanoseconds timeout) {
  if (!changed_.load()) wakeup_.wait(timeout);
  return process();
}

void Driver::switch_state(State to, const Nodes& nodes) {
  if (to == state_) return;
  const std::string state_node = node_path(path_, kStateNode);
  if (!transition_allowed(side_, state_, to)) {
    throw Error(ErrorCode::BadTransition, std::string(to_string(side_)) + " '" + state_node +
                                              "': " + to_string(state_) + " (" + std::to_string(unsigned(state_)) +
                                              ") -> " + to_string(to) + " (" + std::to_string(unsigned(to)) +
                                              ") is not a transition the " + to_string(side_) + " may make");
  }
  // Xenbus: switching state is a transaction; abort if the state node vanished.
  store::run_transaction(client_, [&](store::TransactionId tx) {
    if (!client_.exists(state_node, tx)) {
      throw Error(ErrorCode::MissingNode, "node '" + state_node + "' vanished; cannot go " + to_string(to));
    }
    for (const auto& [name, value] : nodes) client_.write(node_path(path_, name), value, tx);
    client_.write(state_node, std::to_string(static_cast<unsigned>(to)), tx);
  });
  const State from = std::exchange(state_, to);
  if (trace_ != nullptr) {
    trace::Event event{trace::EventKind::StateChanged};
    event.channel = trace::Channel::Xenbus;
    event.queue = static_cast<std::uint16_t>(devid_);
    event.index = side_ == Side::Frontend ? 0 : 1;
    event.a = static_cast<std::uint64_t>(from);
    event.b = static_cast<std::uint64_t>(to);
    trace_->record(event);
  }
}

void Driver::report_error(int error_number, const std::string& message) {
  last_error_ = std::to_string(error_number) + " " + message;
  try {
    client_.write(error_node(), last_error_);
  } catch (const store::ClientError&) {
    // The store refused (or is gone): last_error() still tells the owner.
  }
}

void Driver::fatal(int error_number, const std::string& message) {
  report_error(error_number, message);
  if (state_ != State::Closing && transition_allowed(side_, state_, State::Closing)) {
    try {
      switch_state(State::Closing);
    } catch (const std::exception&) {
      // Our own directory is gone or the store failed: nothing more to announce.
    }
  }
}

}  // namespace vgen::xenbus
