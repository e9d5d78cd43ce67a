#include <vgen/xenbus/toolstack.hpp>

namespace vgen::xenbus {

namespace {

using store::Access;
using store::Permissions;
using store::TransactionId;

// /local/domain/<id>, owned by the domain, as the toolstack creates it for a new domain.
void ensure_home(store::Client& client, DomainId domid, TransactionId tx) {
  const std::string home = store::domain_path(domid);
  if (client.exists(home, tx)) return;
  client.mkdir(home, tx);
  client.set_permissions(home, {{domid, Access::None}}, tx);
}

// A directory with `permissions`, then its nodes (which inherit them on creation).
void write_directory(store::Client& client, const std::string& path, const Permissions& permissions, const Nodes& nodes,
                     TransactionId tx) {
  client.mkdir(path, tx);
  client.set_permissions(path, permissions, tx);
  for (const auto& [name, value] : nodes) client.write(node_path(path, name), value, tx);
}

}  // namespace

void create_device(store::Client& toolstack, const DeviceAddress& device, const Nodes& backend_parameters) {
  const std::string frontend = frontend_path(device);
  const std::string backend = backend_path(device);
  const std::string initialising = std::to_string(static_cast<unsigned>(State::Initialising));
  store::run_transaction(toolstack, [&](TransactionId tx) {
    ensure_home(toolstack, device.frontend_id, tx);
    ensure_home(toolstack, device.backend_id, tx);
    write_directory(toolstack, frontend, {{device.frontend_id, Access::None}, {device.backend_id, Access::Read}},
                    {{std::string(kBackendNode), backend},
                     {std::string(kBackendIdNode), std::to_string(device.backend_id)},
                     {std::string(kStateNode), initialising}},
                    tx);
    Nodes nodes{{std::string(kFrontendNode), frontend},
                {std::string(kFrontendIdNode), std::to_string(device.frontend_id)},
                {std::string(kOnlineNode), "1"},
                {std::string(kStateNode), initialising}};
    nodes.insert(nodes.end(), backend_parameters.begin(), backend_parameters.end());
    write_directory(toolstack, backend, {{device.backend_id, Access::None}, {device.frontend_id, Access::Read}}, nodes,
                    tx);
  });
}

void destroy_device(store::Client& toolstack, const DeviceAddress& device) {
  for (const std::string& path : {backend_path(device), frontend_path(device)}) {
    try {
      toolstack.remove(path);
    } catch (const store::ClientError& error) {
      if (error.code() != store::ErrorCode::NotFound) throw;  // an already-removed parent is fine
    }
  }
}

}  // namespace vgen::xenbus
