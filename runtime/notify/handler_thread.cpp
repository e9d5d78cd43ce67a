#include <vgen/notify/handler_thread.hpp>

#include <string>
#include <utility>

namespace vgen::notify {

HandlerThread::HandlerThread(Notifier& source, std::function<void()> handler, std::chrono::nanoseconds poll_interval)
    : source_(source), handler_(std::move(handler)), poll_interval_(poll_interval) {
  if (!handler_) throw Error("handler thread: the handler is empty");
  if (poll_interval_ <= std::chrono::nanoseconds::zero()) {
    throw Error("handler thread: poll interval " + std::to_string(poll_interval_.count()) + " ns is not positive");
  }
  thread_ = std::thread([this] { run(); });
}

HandlerThread::~HandlerThread() { join(); }

// The short wait bounds how long a stop request goes unnoticed while no signal arrives.
void HandlerThread::run() noexcept {
  try {
    while (!stop_requested_.load(std::memory_order_acquire)) {
      if (source_.wait(poll_interval_)) {
        handler_();
        handled_.fetch_add(1, std::memory_order_acq_rel);
      }
    }
  } catch (...) {
    failure_ = std::current_exception();
  }
  running_.store(false, std::memory_order_release);
}

std::exception_ptr HandlerThread::join() noexcept {
  std::lock_guard<std::mutex> lock(join_mutex_);
  stop_requested_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  // failure_ is only written by the thread, which has finished now.
  return std::exchange(failure_, nullptr);
}

void HandlerThread::stop() {
  if (std::exception_ptr failure = join()) std::rethrow_exception(failure);
}

}  // namespace vgen::notify
