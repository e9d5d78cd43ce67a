// A guest's connection to a XenStore daemon that speaks to guests only through their ring
// pages: Debian's C xenstored run without a hypervisor by vgen-xenstored-shim
// (tests/support/xenstored-shim). The guest's page (xs_wire.h `struct
// xenstore_domain_interface`) is the file ring-<domid> in the shim's folder, which the daemon
// maps as the guest's grant; a byte written into the FIFO `evtchn` there wakes the daemon.
//
// The bridge offers that ring as a Unix socket, so store::WireClient (and every half built on
// store::Client) speaks through it as the guest: bytes the client sends go into the request
// ring, bytes the daemon puts into the response ring go back to the client. A client made
// with `act_as` asks CONTROL set-domid first; the bridge answers that itself (the ring already
// is the guest's), and only for its own domain.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace vgen::conform::xenbus_checks {

/// One guest domain's ring, offered as a Unix socket for one client connection.
class GuestRingBridge {
 public:
  /// Maps (creating it if needed) `shim_dir`/ring-<domid>, drops what an earlier connection
  /// left unread in it, and has a domain-0 connection to `daemon_socket` INTRODUCE the domain
  /// (which resets the daemon's side of the connection: watches, transactions, output).
  /// Throws vgen::Error naming the file or the daemon's answer.
  GuestRingBridge(const std::string& shim_dir, const std::string& daemon_socket, std::uint32_t domid);
  /// Stops the pump and removes the socket.
  ~GuestRingBridge();
  GuestRingBridge(const GuestRingBridge&) = delete;
  GuestRingBridge& operator=(const GuestRingBridge&) = delete;

  /// Where the client connects (once).
  const std::string& socket_path() const noexcept { return socket_path_; }

 private:
  void pump();
  /// Client bytes for the daemon; answers set-domid requests itself. False: the client sent
  /// something that is not a message (the bridge then closes).
  bool take_from_client(std::string& from_client, std::string& to_ring, std::string& to_client);

  std::uint32_t domid_;
  void* page_ = nullptr;  // the mapped ring page
  int kick_fd_ = -1;      // the daemon's event FIFO
  int listen_fd_ = -1;
  std::string folder_, socket_path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace vgen::conform::xenbus_checks
