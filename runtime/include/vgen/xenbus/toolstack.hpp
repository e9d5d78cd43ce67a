// What the Xen toolstack does for a split device before any driver runs, and after: both
// device directories, in one transaction, with the permissions that let each end read the
// other and write only its own:
//   frontend dir: owned by the frontend domain, readable by the backend domain ("n<fe>","r<be>");
//   backend dir:  owned by the backend domain, readable by the frontend domain ("n<be>","r<fe>").
// Frontend nodes: backend, backend-id, state=1. Backend nodes: frontend, frontend-id,
// state=1, online=1, and the device parameters given. Each domain's home
// /local/domain/<id> is created owned by that domain if missing, so drivers can write their
// `error` nodes there.
#pragma once

#include <vgen/store/client.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::xenbus {

/// Creates both directories of `device` (the client must be privileged: domain 0).
/// `backend_parameters` are extra backend nodes (e.g. "params", "mode").
void create_device(store::Client& toolstack, const DeviceAddress& device, const Nodes& backend_parameters = {});
/// Removes both directories (what the toolstack does when a device is destroyed).
void destroy_device(store::Client& toolstack, const DeviceAddress& device);

}  // namespace vgen::xenbus
