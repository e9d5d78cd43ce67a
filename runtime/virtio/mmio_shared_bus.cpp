#include <vgen/virtio/mmio_shared_bus.hpp>

#include <atomic>

#include <vgen/format.hpp>
#include <vgen/virtio/error.hpp>

namespace vgen::virtio {
namespace {

using Clock = std::chrono::steady_clock;
using Word = std::atomic_ref<std::uint32_t>;

}  // namespace

MmioSharedBus::MmioSharedBus(MmioWindow& window, std::chrono::nanoseconds timeout)
    : window_(window),
      timeout_(timeout),
      request_(&window.request_doorbell),
      response_(&window.response_doorbell),
      interrupt_(&window.interrupt_line) {
  // Continue from the last completed cycle, so a new bus on an old window posts a new request.
  sequence_ = Word(window_.completion.sequence).load(std::memory_order_acquire);
}

AccessResult MmioSharedBus::read(std::uint32_t offset, unsigned width) { return cycle(offset, width, false, 0); }

AccessResult MmioSharedBus::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  return cycle(offset, width, true, value);
}

AccessResult MmioSharedBus::cycle(std::uint32_t offset, unsigned width, bool is_write, std::uint32_t value) {
  if (width != 1 && width != 2 && width != 4) {
    throw Error(ErrorCode::InvalidArgument, "virtio-mmio access width " + std::to_string(width) + " is not 1, 2 or 4");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint32_t sequence = ++sequence_;
  MmioWindow::Request& request = window_.request;
  Word(request.offset).store(offset, std::memory_order_relaxed);
  Word(request.width).store(width, std::memory_order_relaxed);
  Word(request.is_write).store(is_write ? 1 : 0, std::memory_order_relaxed);
  Word(request.value).store(value, std::memory_order_relaxed);
  // Release: the fields above are visible to the device once it sees the new sequence.
  Word(request.sequence).store(sequence, std::memory_order_release);
  request_.signal();

  const Clock::time_point deadline = Clock::now() + timeout_;
  while (Word(window_.completion.sequence).load(std::memory_order_acquire) != sequence) {
    const auto remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) {
      throw Error(ErrorCode::Timeout,
                  std::string("virtio-mmio: no completion of the ") + (is_write ? "write" : "read") + " at " +
                      hex(offset) + " within " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()) +
                      " ms; is the device process alive?");
    }
    response_.wait(remaining);
  }
  ++cycles_;
  AccessResult result;
  result.value = Word(window_.completion.value).load(std::memory_order_relaxed);
  result.fault = static_cast<AccessFault>(Word(window_.completion.fault).load(std::memory_order_relaxed));
  return result;
}

}  // namespace vgen::virtio
