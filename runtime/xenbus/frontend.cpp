#include <cerrno>
#include <vgen/xenbus/frontend.hpp>

namespace vgen::xenbus {

Frontend::Frontend(store::Client& client, const DeviceAddress& device)
    : Driver(client, Side::Frontend, frontend_path(device), std::string(kBackendNode), std::string(kBackendIdNode),
             device.devid) {
  attach();
}

Frontend::~Frontend() = default;

void Frontend::publish_now() {
  if (state() != State::Initialising) {
    throw Error(ErrorCode::BadTransition, "frontend '" + node_path(path(), kStateNode) + "': publish_now() in " +
                                              to_string(state()) + " (" + std::to_string(unsigned(state())) +
                                              "); only Initialising (1) publishes");
  }
  publish();
}

void Frontend::close() { switch_state(State::Closing); }

void Frontend::reconfigure() { switch_state(State::Reconfiguring); }

void Frontend::resume() {
  // Migration: the old backend and its ring are gone; in-flight requests stay with the
  // subclass and are re-issued on the new ring.
  flushing_ = false;
  if (ring_up_) {
    on_disconnect();
    ring_up_ = false;
  }
  reattach();
  switch_state(State::Initialising);
}

void Frontend::on_backend_changed(State backend) {
  switch (backend) {
    case State::InitWait:
      // Xenbus: frontend publishes ring-ref and event-channel once the backend waits; a
      // closed frontend seeing a (new) backend wait connects again.
      if (state() == State::Initialising || state() == State::Closed) publish();
      break;
    case State::Connected:
      if (state() == State::Initialised) {
        on_connect();
        switch_state(State::Connected);
      }
      break;
    case State::Closing:
      begin_close();
      break;
    case State::Closed:
      // Closed without our Closed first: a missed Closing, or a backend that gave up.
      if (state() != State::Closed && state() != State::Initialising) lose_backend();
      break;
    case State::Reconfigured:
      if (state() == State::Reconfiguring) {
        on_reconfigure();
        switch_state(State::Connected);
      }
      break;
    case State::Unknown:
      // The backend's directory is gone (crash, destroy): nothing will answer.
      if (state() != State::Closed && state() != State::Initialising) lose_backend();
      break;
    default:
      break;  // Initialising, or states only a frontend takes: nothing to do
  }
}

void Frontend::publish() {
  Nodes nodes = on_initialise();
  ring_up_ = true;
  switch_state(State::Initialised, nodes);
}

void Frontend::begin_close() {
  if (state() == State::Closed) return;
  switch_state(State::Closing);
  if (!flushing_) refused_ = false;
  flushing_ = true;
  continue_pending();
}

bool Frontend::continue_pending() {
  if (!flushing_) return false;
  if (in_use()) {
    // As Xen's block frontend: an opened device refuses to close and says so once.
    if (!refused_) report_error(EBUSY, "device in use; refusing to close");
    refused_ = true;
    return false;
  }
  if (!on_flush()) return false;
  flushing_ = false;
  if (ring_up_) {
    on_disconnect();
    ring_up_ = false;
  }
  switch_state(State::Closed);
  return true;
}

void Frontend::lose_backend() {
  flushing_ = false;
  switch_state(State::Closing);
  if (ring_up_) {
    on_disconnect();
    ring_up_ = false;
  }
  switch_state(State::Closed);
}

}  // namespace vgen::xenbus
