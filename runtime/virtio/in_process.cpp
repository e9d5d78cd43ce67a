#include <vgen/virtio/in_process.hpp>

#include <utility>

namespace vgen::virtio {

InProcessTransport::InProcessTransport(DeviceCore& device) : device_(device), interrupt_([this] { on_interrupt(); }) {
  device_.set_interrupt_notifier(&interrupt_);
}

InProcessTransport::~InProcessTransport() { device_.set_interrupt_notifier(nullptr); }

void InProcessTransport::set_interrupt_handler(std::function<void()> handler) {
  std::lock_guard<std::mutex> lock(handler_mutex_);
  handler_ = std::move(handler);
}

void InProcessTransport::on_interrupt() {
  std::function<void()> handler;
  {
    std::lock_guard<std::mutex> lock(handler_mutex_);
    handler = handler_;
  }
  if (handler) handler();
}

}  // namespace vgen::virtio
