// The frontend end of a Xenbus split device (the guest's driver). Subclass it and override
// the handlers; the handshake, teardown and recovery rules below live in on_backend_changed().
//
// Handshake (xenbus-protocol notes, "Handshake"):
//   backend InitWait, we Initialising (or Closed: a new backend after a close) ->
//     on_initialise() sets up the ring and returns ring-ref, event-channel...; they are
//     written with state Initialised in one transaction (retried on EAGAIN);
//   backend Connected, we Initialised -> on_connect() reads the backend's details; Connected.
// Teardown:
//   close() -> Closing; backend Closing -> we wait until on_flush() says nothing is in
//     flight, then on_disconnect() and Closed;
//   backend Closing first -> Closing, same flush, Closed; a device in_use() stays Closing,
//     with "16 device in use; refusing to close" (EBUSY) in its error node, until released;
//   backend Closed or gone while we are not closed (a missed Closing, a crash) ->
//     Closing, on_disconnect() without a flush (nothing will answer), Closed; requests in
//     flight stay with the subclass and are re-issued after the next handshake.
// Recovery:
//   resume() (migration) -> on_disconnect(), re-read `backend`/`backend-id`, watch the
//     (possibly new) backend, Initialising; the handshake runs again and events from the
//     old backend are ignored;
//   reconfigure() while Connected -> Reconfiguring; backend Reconfigured ->
//     on_reconfigure(), Connected.
#pragma once

#include <vgen/xenbus/driver.hpp>

namespace vgen::xenbus {

/// A frontend bound to /local/domain/<frontend-id>/device/<type>/<devid>.
class Frontend : public Driver {
 public:
  /// Reads the device directory of `device` (the client must act as the frontend domain)
  /// and watches the backend's state. Throws MissingNode/BadValue naming the node
  /// (backend, backend-id, state), store::ClientError for store failures.
  Frontend(store::Client& client, const DeviceAddress& device);
  ~Frontend() override;

  /// Publishes the ring details and goes Initialised without waiting for the backend's
  /// InitWait (the protocol allows 1 -> 3 at once; a backend not yet probed then connects
  /// straight from Initialising). Only while Initialising (BadTransition otherwise).
  void publish_now();
  /// Starts closedown from our side: Closing (Connected, Initialised... only).
  void close();
  /// Migration resume: drop the ring, re-read the backend path, Initialising again.
  void resume();
  /// Asks for reconfiguration: Reconfiguring (only while Connected).
  void reconfigure();
  /// True while Closing waits for in-flight requests.
  bool flushing() const noexcept { return flushing_; }

 protected:
  /// Sets up the ring and event channel; returns the nodes to publish (ring-ref,
  /// event-channel, protocol, feature-*...). Called for every handshake.
  virtual Nodes on_initialise() = 0;
  /// The backend is Connected: read what it published (sectors, info...).
  virtual void on_connect() {}
  /// True while the device is in use (opened) and must not close: the frontend then
  /// stays Closing and reports EBUSY until it is released (checked on every process()).
  virtual bool in_use() { return false; }
  /// True once no request is in flight (called repeatedly while Closing).
  virtual bool on_flush() { return true; }
  /// The ring is going away: unmap, revoke, close the port. Unanswered requests are kept
  /// by the subclass for the next handshake.
  virtual void on_disconnect() {}
  /// The backend acknowledged a reconfiguration.
  virtual void on_reconfigure() {}
  /// The protocol itself; override to add cases, and call this for the rest.
  virtual void on_backend_changed(State backend);

 private:
  void on_other_state(State other) override { on_backend_changed(other); }
  bool continue_pending() override;
  void publish();
  void begin_close();
  void lose_backend();

  bool flushing_ = false;
  bool refused_ = false;  // EBUSY reported for the current close
  bool ring_up_ = false;  // on_initialise() ran and on_disconnect() has not
};

}  // namespace vgen::xenbus
