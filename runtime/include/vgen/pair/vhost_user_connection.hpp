// The VirtIO runner's vhost-user connection, `--vhost-user SOCKET`: the device half alone,
// made from the generated device class and served on a Unix socket by vgen::vhost_user's
// Backend to a front end such as QEMU, whose guest runs the driver. It serves one front end
// after another until SIGTERM or SIGINT, then prints what it served:
//
//   device: serving virtio-rng on /run/rng.sock until SIGTERM or SIGINT
//   vhost-user: front end connected ...          (the back end's log; every request with
//                                                  VGEN_VHOST_TRACE set in the environment)
//   device: stopped by SIGTERM: 1 connections, 14 messages, 0 protocol errors, 37 kicks
//   device: 0 rejected accesses, 0 malformed chains
//
// With --trace LOG the back end records what it served (vhost_user::Options::sink: the rings,
// kicks, status, features and every message; docs/trace.md). The run passes when no front end
// broke the protocol and the device refused nothing. A socket
// that cannot be made (a missing directory, a path too long for a Unix socket, a file that is
// not a socket in the way) fails the run with the reason before anything is served.
#pragma once

#include <vgen/pair/connection.hpp>
#include <vgen/pair/virtio_pair.hpp>

namespace vgen::pair {

/// The connection named "vhost-user", chosen with --vhost-user SOCKET.
Connection vhost_user_connection(const VirtioHalves& halves);

}  // namespace vgen::pair
