// virtio-rng: the device half's handler (the device's own code; vgen never overwrites it).
#include "virtio_rng_device.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace virtio_rng {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

// SplitMix64's output function: each 64-bit input gives 64 well-mixed output bits.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  std::uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// kSeedVariable when it holds a whole number, else 64 bits from std::random_device.
std::uint64_t initial_seed() {
  if (const char* text = std::getenv(kSeedVariable)) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 0);
    if (*text != '\0' && *end == '\0') return value;
    log(std::string(kSeedVariable) + "='" + text + "' is not a number; using a random seed");
  }
  std::random_device source;
  return (std::uint64_t{source()} << 32) | source();
}

}  // namespace

std::uint8_t stream_byte(std::uint64_t seed, std::uint64_t position) noexcept {
  return static_cast<std::uint8_t>(mix(seed + position / 8) >> (8 * (position % 8)));
}

VirtioRngDevice::VirtioRngDevice() : seed_(initial_seed()) {}

std::size_t VirtioRngDevice::produce_requestq(std::span<std::byte> buffer) {
  for (std::byte& value : buffer) value = static_cast<std::byte>(stream_byte(seed_, position_++));
  log("requestq: filled " + std::to_string(buffer.size()) + " random bytes, stream bytes " +
      std::to_string(position_ - buffer.size()) + " to " + std::to_string(position_));
  return buffer.size();
}

}  // namespace virtio_rng
