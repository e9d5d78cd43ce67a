#include <vgen/virtio/mmio_window.hpp>

#include <atomic>
#include <cstring>
#include <new>

#include <vgen/virtio/error.hpp>

namespace vgen::virtio {
namespace {

void check_area(const std::byte* memory, std::size_t size, const char* what) {
  if (memory == nullptr || size < MmioWindow::kBytes) {
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": the area of " + std::to_string(size) +
                                                " bytes is smaller than the " + std::to_string(MmioWindow::kBytes) +
                                                " a virtio-mmio window needs");
  }
  if (reinterpret_cast<std::uintptr_t>(memory) % alignof(MmioWindow) != 0) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(what) + ": the area is not " + std::to_string(alignof(MmioWindow)) + "-byte aligned");
  }
}

std::uint32_t load(std::uint32_t& word) { return std::atomic_ref<std::uint32_t>(word).load(std::memory_order_acquire); }

}  // namespace

MmioWindow& MmioWindow::format(std::byte* memory, std::size_t size) {
  check_area(memory, size, "mmio window format");
  std::memset(memory, 0, size);
  auto* window = new (memory) MmioWindow{};
  window->header.layout_version = kLayoutVersion;
  // The magic goes last: a peer attaching concurrently sees either nothing or a whole header.
  std::atomic_ref<std::uint32_t>(window->header.magic).store(kMagic, std::memory_order_release);
  return *window;
}

MmioWindow& MmioWindow::attach(std::byte* memory, std::size_t size) {
  check_area(memory, size, "mmio window attach");
  auto* window = std::launder(reinterpret_cast<MmioWindow*>(memory));
  const std::uint32_t magic = load(window->header.magic);
  if (magic != kMagic) {
    throw Error(ErrorCode::InvalidArgument, "mmio window attach: magic " + std::to_string(magic) +
                                                " is not that of a formatted window (" + std::to_string(kMagic) + ")");
  }
  const std::uint32_t version = load(window->header.layout_version);
  if (version != kLayoutVersion) {
    throw Error(ErrorCode::InvalidArgument, "mmio window attach: layout version " + std::to_string(version) +
                                                " is not " + std::to_string(kLayoutVersion));
  }
  return *window;
}

}  // namespace vgen::virtio
