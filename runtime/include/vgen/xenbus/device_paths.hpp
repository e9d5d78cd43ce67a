// Where a split device lives in the store (Xen split-driver layout):
//   frontend: /local/domain/<frontend-id>/device/<type>/<devid>
//   backend:  /local/domain/<backend-id>/backend/<type>/<frontend-id>/<devid>
// and the names of the nodes both directories hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vgen/store/domain.hpp>

namespace vgen::xenbus {

using store::DomainId;

/// Node names inside the device directories.
inline constexpr std::string_view kStateNode = "state";                 ///< both: decimal State
inline constexpr std::string_view kBackendNode = "backend";             ///< frontend: backend dir path
inline constexpr std::string_view kBackendIdNode = "backend-id";        ///< frontend: backend domain
inline constexpr std::string_view kFrontendNode = "frontend";           ///< backend: frontend dir path
inline constexpr std::string_view kFrontendIdNode = "frontend-id";      ///< backend: frontend domain
inline constexpr std::string_view kOnlineNode = "online";               ///< backend: "1" while the toolstack wants it
inline constexpr std::string_view kRingRefNode = "ring-ref";            ///< frontend: grant of the ring page
inline constexpr std::string_view kEventChannelNode = "event-channel";  ///< frontend: its port
inline constexpr std::string_view kProtocolNode = "protocol";           ///< frontend: ring ABI name

/// One split device: its class ("vbd", "vif", "vdummy"), both domains and its number.
struct DeviceAddress {
  std::string type;          ///< device class; a single path component
  DomainId frontend_id = 0;  ///< the guest running the frontend
  DomainId backend_id = 0;   ///< the domain running the backend
  std::uint32_t devid = 0;   ///< device number within the class
};

/// "/local/domain/<frontend-id>/device/<type>/<devid>".
std::string frontend_path(const DeviceAddress& device);
/// "/local/domain/<backend-id>/backend/<type>/<frontend-id>/<devid>".
std::string backend_path(const DeviceAddress& device);
/// `directory` + "/" + `node`.
std::string node_path(std::string_view directory, std::string_view node);

}  // namespace vgen::xenbus
