#include <vgen/virtqueue/queue.hpp>

namespace vgen::virtqueue {

void QueueBase::fail(ErrorCode code, const std::string& message) {
  broken_ = true;
  emit({trace::EventKind::QueueBroken, queue_index_, 0, static_cast<std::uint32_t>(code), 0, 0});
  throw Error(code, "queue " + std::to_string(queue_index_) + ": " + message);
}

void QueueBase::check_usable() const {
  if (broken_) {
    throw Error(ErrorCode::Broken, "queue " + std::to_string(queue_index_) + " is broken; reset it before use");
  }
}

}  // namespace vgen::virtqueue
