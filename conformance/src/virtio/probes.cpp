// Built-in requests per device type.
#include "probes.hpp"

#include <cstring>
#include <string_view>

namespace vgen::conform::virtio_checks {
namespace {

constexpr std::uint32_t kIdBlock = 2;
constexpr std::uint32_t kIdConsole = 3;
constexpr std::uint32_t kIdEntropy = 4;
constexpr std::uint32_t kIdLoopback = 0x7667;

// VirtIO 1.2 §5.2.6: struct virtio_blk_req header {le32 type; le32 reserved; le64 sector}.
std::vector<std::byte> block_header(std::uint32_t type, std::uint64_t sector) {
  std::vector<std::byte> h(16);
  for (int i = 0; i < 4; ++i) h[i] = static_cast<std::byte>(type >> (8 * i));
  for (int i = 0; i < 8; ++i) h[8 + i] = static_cast<std::byte>(sector >> (8 * i));
  return h;
}

std::vector<std::byte> text(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

}  // namespace

std::vector<VirtioProbe> builtin_probes(std::uint32_t device_id) {
  switch (device_id) {
    case kIdBlock:  // read sector 0 (512 bytes + status), then GET_ID (20 bytes + status)
      return {{0, block_header(0, 0), 513, true}, {0, block_header(8, 0), 21, true}};
    case kIdConsole:  // port 0: output on transmitq (1), a buffer on receiveq (0) kept for input
      return {{0, {}, 64, false}, {1, text("conform\n"), 0, true}};
    case kIdEntropy:
      return {{0, {}, 64, true}};
    case kIdLoopback:  // a receive buffer, then a message that comes back in it
      return {{0, {}, 256, true}, {1, text("conformance loop"), 0, true}};
    default:
      return {};
  }
}

std::optional<virtio::FeatureRules> builtin_rules(std::uint32_t) { return std::nullopt; }

}  // namespace vgen::conform::virtio_checks
