#include <vgen/virtqueue/queue.hpp>

#include <cstdio>

namespace vgen::virtqueue {

void QueueBase::fail(ErrorCode code, const std::string& message) {
  broken_ = true;
  record_deferred();  // what came before the failure, first
  emit({trace::EventKind::QueueBroken, queue_index_, 0, static_cast<std::uint32_t>(code), 0, 0});
  throw Error(code, "queue " + std::to_string(queue_index_) + ": " + message);
}

void QueueBase::log(const std::string& line) const {
  const std::string full = "queue " + std::to_string(queue_index_) + ": " + line;
  if (log_) {
    log_(full);
  } else {
    std::fprintf(stderr, "virtqueue %s\n", full.c_str());
  }
}

void QueueBase::check_usable() const {
  if (broken_) {
    throw Error(ErrorCode::Broken, "queue " + std::to_string(queue_index_) + " is broken; reset it before use");
  }
}

}  // namespace vgen::virtqueue
