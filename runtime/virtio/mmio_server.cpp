#include <vgen/virtio/mmio_server.hpp>

#include <atomic>

namespace vgen::virtio {
namespace {

using Word = std::atomic_ref<std::uint32_t>;
using Counter = std::atomic_ref<std::uint64_t>;

}  // namespace

MmioDeviceServer::MmioDeviceServer(MmioWindow& window, MmioBus& registers)
    : window_(window),
      registers_(registers),
      request_(&window.request_doorbell),
      response_(&window.response_doorbell),
      interrupt_(&window.interrupt_line) {}

bool MmioDeviceServer::serve_pending() {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint32_t sequence = Word(window_.request.sequence).load(std::memory_order_acquire);
  if (sequence == Word(window_.completion.sequence).load(std::memory_order_relaxed)) return false;
  // One private copy of the request: a driver rewriting the slot meanwhile changes nothing.
  const std::uint32_t offset = Word(window_.request.offset).load(std::memory_order_relaxed);
  const std::uint32_t width = Word(window_.request.width).load(std::memory_order_relaxed);
  const std::uint32_t is_write = Word(window_.request.is_write).load(std::memory_order_relaxed);
  const std::uint32_t value = Word(window_.request.value).load(std::memory_order_relaxed);
  // The register file validates width and offset, and records what it refuses.
  const AccessResult result = is_write != 0 ? registers_.write(offset, width, value) : registers_.read(offset, width);
  Word(window_.completion.value).store(result.value, std::memory_order_relaxed);
  Word(window_.completion.fault).store(static_cast<std::uint32_t>(result.fault), std::memory_order_relaxed);
  Counter(window_.header.cycles_served).fetch_add(1, std::memory_order_relaxed);
  if (result.fault != AccessFault::None) Counter(window_.header.faults).fetch_add(1, std::memory_order_relaxed);
  Word(window_.completion.sequence).store(sequence, std::memory_order_release);
  response_.signal();
  return true;
}

bool MmioDeviceServer::wait_and_serve(std::chrono::nanoseconds timeout) {
  if (serve_pending()) return true;
  request_.wait(timeout);
  return serve_pending();
}

void MmioDeviceServer::run(std::chrono::nanoseconds poll_interval) {
  while (!stop_requested()) wait_and_serve(poll_interval);
}

bool MmioDeviceServer::stop_requested() const noexcept {
  return Word(window_.header.stop).load(std::memory_order_acquire) != 0;
}

void MmioDeviceServer::request_stop(MmioWindow& window) {
  Word(window.header.stop).store(1, std::memory_order_release);
  notify::MailboxNotifier(&window.request_doorbell).signal();
}

}  // namespace vgen::virtio
