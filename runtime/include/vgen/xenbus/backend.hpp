// The backend end of a Xenbus split device (the driver domain's side). Subclass it and
// override the handlers; the protocol lives in on_frontend_changed().
//
// Handshake (xenbus-protocol notes, "Handshake"):
//   probe (the constructor's start()): on_probe() returns features and limits, written with
//     state InitWait;
//   frontend Initialised or Connected, we InitWait/Initialising -> on_connect() reads and
//     checks ring-ref/event-channel, maps the ring, binds the channel, and returns the
//     device details (sectors, info...), written with Connected. Missing or malformed
//     details: fatal() writes the `error` node and we go Closing.
// Teardown:
//   frontend Closing -> Closing (keep serving: the frontend flushes);
//   frontend Closed -> on_disconnect(), Closed; if `online` is not "1", unregister:
//     remove our directory and stop watching;
//   close() (backend-initiated) -> online=0, Closing; the frontend follows, and we
//     unregister once it is Closed;
//   frontend state missing or Unknown -> unregister.
// Recovery:
//   we Closed, frontend back at Initialising -> InitWait again (reconnect);
//   we Connected, frontend back at Initialising (migration) -> on_disconnect(), InitWait;
//   frontend Reconfiguring, we Connected -> on_reconfigure(), Reconfigured; frontend
//     Connected again -> Connected.
#pragma once

#include <vgen/xenbus/driver.hpp>

namespace vgen::xenbus {

/// A backend bound to /local/domain/<backend-id>/backend/<type>/<frontend-id>/<devid>.
class Backend : public Driver {
 public:
  /// Reads the backend directory (the client must act as the backend domain) and watches
  /// the frontend's state. Call probe() next. Throws MissingNode/BadValue naming the node
  /// (frontend, frontend-id, state), store::ClientError for store failures.
  Backend(store::Client& client, const DeviceAddress& device);
  ~Backend() override;

  /// Xenbus: backend goes InitWait after probe. Writes on_probe()'s nodes with InitWait.
  void probe();
  /// Backend-initiated closedown: online=0, Closing.
  void close();
  /// True once the directory was removed (the driver does nothing more).
  bool unregistered() const noexcept { return unregistered_; }

 protected:
  /// Features and limits to publish before the frontend connects.
  virtual Nodes on_probe() { return {}; }
  /// Maps the frontend's ring; returns the device details to publish. Throw
  /// xenbus::Error for missing/malformed frontend nodes (read them with nodes.hpp).
  virtual Nodes on_connect() = 0;
  /// Unmaps the ring and closes the port.
  virtual void on_disconnect() {}
  /// Applies a reconfiguration the frontend asked for.
  virtual void on_reconfigure() {}
  /// The protocol itself; override to add cases, and call this for the rest.
  virtual void on_frontend_changed(State frontend);

 private:
  void on_other_state(State other) override { on_frontend_changed(other); }
  void connect();
  void disconnect();
  void unregister();
  bool online();

  bool connected_ = false;
  bool unregistered_ = false;
};

}  // namespace vgen::xenbus
