// A topology: which device instances exist and which component drives which device, in the
// manner of an assembly of components. See docs/spec-format.md, "Topologies".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/reference.hpp"
#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

/// A participant: a VM, a process or a core, hosting drivers and/or devices.
struct Component {
  std::string name;         ///< unique
  std::string description;  ///< free text, may be empty
  Location location;        ///< where the entry starts
};

/// One use of a device spec.
struct Instance {
  std::string name;                  ///< unique
  std::string spec_path;             ///< as written (relative to the topology file)
  std::string resolved_path;         ///< the path the spec was loaded from
  std::shared_ptr<const Spec> spec;  ///< the loaded, valid spec
  Location location;                 ///< where the entry starts
};

/// One side of a connection: a component and the channel ID the connection has there.
struct ConnectionEnd {
  NameRef component;          ///< index into Topology::components
  std::uint32_t channel = 0;  ///< unique among the component's channels
  Location location;          ///< where the channel ID is written
};

/// Which component drives which device instance, and over how much shared memory.
/// For split specs the driver is the frontend and the device the backend; for rpmsg the
/// driver is the host (virtio driver side) and the device the remote.
struct Connection {
  std::string name;                 ///< unique
  NameRef instance;                 ///< index into Topology::instances
  ConnectionEnd driver;             ///< the component driving the instance
  ConnectionEnd device;             ///< the component implementing it
  std::uint64_t shared_memory = 0;  ///< bytes, a multiple of 4096
  std::string description;          ///< free text, may be empty
  Location location;                ///< where the entry starts
};

/// One valid topology.
struct Topology {
  std::string name;                     ///< lowercase, digits, '-' and '_'
  std::string description;              ///< free text, may be empty
  std::string source;                   ///< the file it was loaded from, as given
  std::vector<Component> components;    ///< in file order
  std::vector<Instance> instances;      ///< in file order
  std::vector<Connection> connections;  ///< in file order
};

}  // namespace vgen::gen
