#include <vgen/xenbus/backend.hpp>

namespace vgen::xenbus {

Backend::Backend(store::Client& client, const DeviceAddress& device)
    : Driver(client, Side::Backend, backend_path(device), std::string(kFrontendNode), std::string(kFrontendIdNode),
             device.devid) {
  attach();
}

Backend::~Backend() = default;

void Backend::probe() { switch_state(State::InitWait, on_probe()); }

void Backend::close() {
  client().write(node_path(path(), kOnlineNode), "0");
  switch_state(State::Closing);
}

void Backend::on_frontend_changed(State frontend) {
  if (unregistered_) return;
  switch (frontend) {
    case State::Unknown:
      unregister();  // the frontend's directory is gone
      break;
    case State::Initialising:
      // Reconnect after a close, or a frontend that reset itself (migration).
      if (state() == State::Connected || state() == State::Reconfigured) disconnect();
      if (state() != State::InitWait && state() != State::Initialising && state() != State::Closing) {
        switch_state(State::InitWait, on_probe());
      }
      break;
    case State::Initialised:
    case State::Connected:
      if (state() == State::Initialising || state() == State::InitWait) {
        connect();
      } else if (frontend == State::Connected && state() == State::Reconfigured) {
        switch_state(State::Connected);
      }
      break;
    case State::Closing:
      if (state() != State::Closed) switch_state(State::Closing);
      break;
    case State::Closed:
      disconnect();
      if (state() != State::Closed) {
        if (!transition_allowed(Side::Backend, state(), State::Closed)) switch_state(State::Closing);
        switch_state(State::Closed);
      }
      if (!online()) unregister();
      break;
    case State::Reconfiguring:
      if (state() == State::Connected) {
        on_reconfigure();
        switch_state(State::Reconfigured);
      }
      break;
    default:
      break;  // states only a backend takes: nothing to do
  }
}

void Backend::connect() {
  // Xenbus: backend reads ring-ref/event-channel, maps, goes Connected.
  Nodes details = on_connect();
  connected_ = true;
  switch_state(State::Connected, details);
}

void Backend::disconnect() {
  if (!connected_) return;
  connected_ = false;
  on_disconnect();
}

void Backend::unregister() {
  disconnect();
  detach();
  unregistered_ = true;
  try {
    client().remove(path());
  } catch (const store::ClientError& error) {
    if (error.code() != store::ErrorCode::NotFound) throw;  // the toolstack removed it first
  }
}

bool Backend::online() { return client().try_read(node_path(path(), kOnlineNode)) == std::optional<std::string>("1"); }

}  // namespace vgen::xenbus
