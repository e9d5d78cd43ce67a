// Writes imported types as a vgen spec (YAML).
#include "vgen/import/spec_writer.hpp"

#include <sstream>

namespace vgen::import {

namespace {

// A YAML double-quoted scalar.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void write_struct(std::ostream& out, const ImportedStruct& type) {
  out << "  - name: " << type.name << "\n"
      << "    kind: " << (type.is_union ? "union" : "struct") << "\n"
      << "    description: " << quoted((type.is_union ? "union " : "struct ") + type.name + " of " + type.origin)
      << "\n"
      << "    size: " << type.size << "\n"
      << "    fields:\n";
  for (const ImportedMember& member : type.members) {
    if (member.is_pad) {
      out << "      - {pad: " << member.bytes << "}\n";
      continue;
    }
    out << "      - {name: " << member.name
        << ", type: " << (member.type.find('[') == std::string::npos ? member.type : quoted(member.type));
    if (member.big_endian) out << ", byte_order: be";
    if (!type.is_union) out << ", offset: " << member.offset;
    out << "}\n";
  }
}

void write_enum(std::ostream& out, const ImportedEnum& type) {
  out << "  - name: " << type.name << "\n"
      << "    kind: enum\n";
  if (!type.origin.empty()) out << "    description: " << quoted("from " + type.origin) << "\n";
  out << "    type: " << type.type << "\n"
      << "    values:\n";
  for (const ImportedValue& value : type.values) {
    out << "      - {name: " << value.name << ", value: " << value.value << "}\n";
  }
}

}  // namespace

std::string write_spec(const ImportedTypes& types, const SpecFrame& frame) {
  std::ostringstream out;
  out << "# Written by vgen import from";
  for (const std::string& header : frame.headers) out << ' ' << header;
  out << ".\n"
      << "# The types follow the headers' layouts as clang computes them (offsets, pads, sizes).\n"
      << "# device_id and queues are placeholders: describe the device's own.\n"
      << "kind: virtio\n"
      << "name: " << frame.name << "\n"
      << "device_id: " << frame.device_id << "\n"
      << "queues:\n"
      << "  - {name: messages, size: 128, direction: driver-to-device";
  if (!types.structs.empty()) out << ", messages: [" << types.structs.back().name << "]";
  out << "}\n"
      << "types:\n";
  for (const ImportedStruct& type : types.structs) write_struct(out, type);
  for (const ImportedEnum& type : types.enums) write_enum(out, type);
  return out.str();
}

}  // namespace vgen::import
