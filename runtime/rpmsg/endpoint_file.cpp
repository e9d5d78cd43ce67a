#include <vgen/rpmsg/endpoint_file.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {
namespace {

[[noreturn]] void throw_system(const std::string& what, int error) {
  throw Error(ErrorCode::System, what + ": " + std::error_code(error, std::system_category()).message());
}

}  // namespace

FileEndpoint::FileEndpoint(Bus& bus, std::uint32_t destination, std::uint32_t address, std::size_t capacity)
    : bus_(bus), destination_(destination), capacity_(capacity) {
  if (capacity == 0) throw Error(ErrorCode::InvalidConfig, "file endpoint: queue capacity is 0");
  // Semaphore mode: each message adds 1, each read takes 1, so the fd stays readable while
  // the queue is not empty.
  fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
  if (fd_ < 0) throw_system("file endpoint: eventfd() failed", errno);
  try {
    endpoint_ = &bus.create_endpoint(
        [this](Endpoint&, std::span<const std::byte> payload, std::uint32_t source) { enqueue(payload, source); },
        address);
    endpoint_->set_destination(destination);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

FileEndpoint::~FileEndpoint() {
  bus_.destroy_endpoint(*endpoint_);  // no callback runs after this
  ::close(fd_);
}

void FileEndpoint::enqueue(std::span<const std::byte> payload, std::uint32_t source) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.size() >= capacity_) {
    ++overflowed_;
    return;
  }
  queue_.push_back({source, std::vector<std::byte>(payload.begin(), payload.end())});
  const std::uint64_t one = 1;
  while (::write(fd_, &one, sizeof one) < 0) {
    if (errno != EINTR) throw_system("file endpoint: eventfd write failed", errno);
  }
}

std::optional<QueuedMessage> FileEndpoint::receive() {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.empty()) return std::nullopt;
  std::uint64_t one = 0;
  while (::read(fd_, &one, sizeof one) < 0) {
    if (errno != EINTR) throw_system("file endpoint: eventfd read failed", errno);
  }
  QueuedMessage message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

std::optional<std::size_t> FileEndpoint::read(std::span<std::byte> out, std::uint32_t* source) {
  std::optional<QueuedMessage> message = receive();
  if (!message) return std::nullopt;
  const std::size_t copied = std::min(out.size(), message->payload.size());
  if (copied > 0) std::memcpy(out.data(), message->payload.data(), copied);
  if (source != nullptr) *source = message->source;
  return message->payload.size();
}

bool FileEndpoint::write(std::span<const std::byte> payload, std::chrono::nanoseconds timeout) {
  return endpoint_->send_to(destination_, payload, timeout);
}

bool FileEndpoint::try_write(std::span<const std::byte> payload) {
  return endpoint_->try_send_to(destination_, payload);
}

std::size_t FileEndpoint::pending() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

std::uint64_t FileEndpoint::overflowed() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

}  // namespace vgen::rpmsg
