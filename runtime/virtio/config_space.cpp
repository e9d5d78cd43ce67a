#include <vgen/virtio/config_space.hpp>

#include <utility>

#include <vgen/virtio/error.hpp>

namespace vgen::virtio {

ConfigSpace::ConfigSpace(std::vector<std::byte> initial) : bytes_(std::move(initial)) {
  if (bytes_.size() > kMaxConfigBytes) {
    throw Error(ErrorCode::InvalidArgument, "configuration space of " + std::to_string(bytes_.size()) +
                                                " bytes exceeds the " + std::to_string(kMaxConfigBytes) +
                                                " vgen supports");
  }
}

bool ConfigSpace::valid_access(std::uint32_t offset, unsigned width) const noexcept {
  if (width != 1 && width != 2 && width != 4) return false;
  if (offset % width != 0) return false;
  return std::uint64_t{offset} + width <= bytes_.size();
}

std::uint32_t ConfigSpace::read(std::uint32_t offset, unsigned width) const noexcept {
  std::uint32_t value = 0;
  for (unsigned i = 0; i < width; ++i) value |= std::to_integer<std::uint32_t>(bytes_[offset + i]) << (8 * i);
  return value;
}

void ConfigSpace::write(std::uint32_t offset, unsigned width, std::uint32_t value) noexcept {
  for (unsigned i = 0; i < width; ++i) bytes_[offset + i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  ++generation_;
}

void ConfigSpace::update(std::uint32_t offset, std::span<const std::byte> data) {
  if (std::uint64_t{offset} + data.size() > bytes_.size()) {
    throw Error(ErrorCode::InvalidArgument, "configuration update of " + std::to_string(data.size()) +
                                                " bytes at offset " + std::to_string(offset) + " exceeds the " +
                                                std::to_string(bytes_.size()) + "-byte space");
  }
  for (std::size_t i = 0; i < data.size(); ++i) bytes_[offset + i] = data[i];
  ++generation_;
}

}  // namespace vgen::virtio
