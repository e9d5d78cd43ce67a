#include "vgen/gen/load/summary.hpp"
#include <bit>

#include <iomanip>

namespace vgen::gen {
namespace {

void write_members(std::ostream& out, const StructType& structure, const TypeTable& types) {
  for (const Member& member : structure.members) {
    out << "    offset " << std::setw(4) << member.offset << ", size " << std::setw(4) << member.size << ": ";
    if (member.is_padding()) {
      out << (member.implicit ? "(implicit padding)" : "(padding)") << '\n';
      continue;
    }
    out << member.name << ' ' << member.type.spelling;
    if (member.type.named) {
      const TypeDefinition& type = types.types[*member.type.named];
      out << " (" << type.kind_name() << ')';
    }
    bool multi_byte_integer = member.type.scalar
                                  ? scalar_size(*member.type.scalar) > 1
                                  : member.type.named && types.types[*member.type.named].layout.size > 1 &&
                                        types.types[*member.type.named].kind() != TypeKind::structure;
    if (multi_byte_integer) {
      out << ' ' << byte_order_name(member.byte_order);
    }
    out << '\n';
  }
}

void write_type(std::ostream& out, const TypeDefinition& type, const TypeTable& types) {
  out << "  " << type.kind_name() << ' ' << type.name << ": size " << type.layout.size << ", align "
      << type.layout.align;
  if (const EnumType* enumeration = type.as_enum()) {
    out << ", " << scalar_name(enumeration->underlying) << ", " << enumeration->values.size() << " values\n";
  } else if (const FlagsType* flags = type.as_flags()) {
    out << ", " << scalar_name(flags->underlying) << ", " << flags->flags.size() << " flags\n";
  } else {
    out << '\n';
    write_members(out, *type.as_struct(), types);
  }
}

void write_virtio(std::ostream& out, const VirtioDevice& device, const TypeTable& types) {
  for (const Feature& feature : device.features) {
    out << "  feature " << feature.name << ": bit " << feature.bit << (feature.transport ? " (transport)" : "") << '\n';
  }
  if (device.config) {
    out << "  config: size " << device.config_layout.size << ", align " << device.config_layout.align << '\n';
    write_members(out, *device.config, types);
  }
  for (const Queue& queue : device.queues) {
    out << "  queue " << queue.index << ' ' << queue.name << ": size " << queue.size << ", "
        << direction_name(queue.direction);
    for (const NameRef& message : queue.messages) {
      out << (&message == &queue.messages.front() ? ", messages " : " ") << message.name;
    }
    out << '\n';
  }
}

void write_split(std::ostream& out, const SplitDevice& device) {
  for (const SplitRing& ring : device.rings) {
    out << "  ring" << (ring.name.empty() ? "" : " " + ring.name) << ": " << ring.pages << " page(s), "
        << ring.ring_entries << " entries of " << ring.entry_size << " bytes (request " << ring.request.name
        << ", response " << ring.response.name << ")";
    if (device.named_rings || ring.nodes.ring_ref != "ring-ref" || ring.nodes.event_channel != "event-channel") {
      out << ", nodes " << ring.nodes.ring_ref << " and " << ring.nodes.event_channel;
    }
    if (ring.pages > 1) {
      out << ", page order up to " << std::countr_zero(ring.pages) << " (" << ring.nodes.max_page_order << ", "
          << ring.nodes.page_order << ")";
    }
    out << '\n';
  }
  for (const StoreNode& node : device.store) {
    out << "  store " << side_name(node.side) << '/' << node.name << ": "
        << (node.scalar ? scalar_name(*node.scalar) : std::string_view("string")) << '\n';
  }
}

void write_rpmsg(std::ostream& out, const RpmsgService& service) {
  out << "  buffers: " << service.buffer_size << " bytes, payload up to " << service.max_payload() << " bytes\n";
  for (const Endpoint& endpoint : service.endpoints) {
    out << "  endpoint " << endpoint.name << ": address ";
    if (endpoint.address) {
      out << *endpoint.address;
    } else {
      out << "dynamic";
    }
    out << '\n';
  }
}

void write_spec(std::ostream& out, const Spec& spec) {
  out << spec.source << ": " << spec_kind_name(spec.kind()) << " spec '" << spec.name << "'";
  if (const VirtioDevice* device = spec.virtio()) {
    out << ", device ID " << device->device_id;
  } else if (const SplitDevice* split = spec.split()) {
    out << ", device type " << split->device_type << " (" << flavour_name(split->flavour) << ')';
  } else if (const RpmsgService* service = spec.rpmsg()) {
    out << ", service " << service->service;
  }
  out << '\n';
  for (const TypeDefinition& type : spec.types.types) {
    write_type(out, type, spec.types);
  }
  if (const VirtioDevice* device = spec.virtio()) write_virtio(out, *device, spec.types);
  if (const SplitDevice* split = spec.split()) write_split(out, *split);
  if (const RpmsgService* service = spec.rpmsg()) write_rpmsg(out, *service);
}

void write_topology(std::ostream& out, const Topology& topology) {
  out << topology.source << ": topology '" << topology.name << "'\n";
  for (const Instance& instance : topology.instances) {
    out << "  instance " << instance.name << ": " << spec_kind_name(instance.spec->kind()) << " spec '"
        << instance.spec->name << "' from " << instance.resolved_path << '\n';
  }
  for (const Connection& connection : topology.connections) {
    out << "  connection " << connection.name << ": " << connection.driver.component.name << " (channel "
        << connection.driver.channel << ") drives " << topology.instances[*connection.instance.index].name << " on "
        << connection.device.component.name << " (channel " << connection.device.channel << "), "
        << connection.shared_memory << " bytes shared\n";
  }
}

}  // namespace

void write_summary(std::ostream& out, const Document& document) {
  if (const Spec* spec = std::get_if<Spec>(&document)) {
    write_spec(out, *spec);
  } else {
    write_topology(out, std::get<Topology>(document));
  }
}

}  // namespace vgen::gen
