#include "output_buffer.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include <vgen/store/event_queue.hpp>

namespace vgen::store {
namespace {

constexpr std::size_t kGather = 64;  // messages per sendmsg()

}  // namespace

void OutputBuffer::push(std::string encoded) {
  pending_ += encoded.size();
  messages_.push_back(std::move(encoded));
}

std::size_t OutputBuffer::held() const noexcept { return pending_ + messages_.size() * kHeldOverhead; }

ssize_t OutputBuffer::flush(int fd) {
  std::size_t total = 0;
  while (!messages_.empty()) {
    iovec parts[kGather];
    std::size_t count = 0;
    for (auto at = messages_.begin(); at != messages_.end() && count < kGather; ++at, ++count) {
      const std::size_t skip = count == 0 ? offset_ : 0;
      parts[count] = iovec{at->data() + skip, at->size() - skip};
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = count;
    const ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    total += static_cast<std::size_t>(sent);
    pending_ -= static_cast<std::size_t>(sent);
    std::size_t left = static_cast<std::size_t>(sent);
    while (left > 0) {
      const std::size_t rest = messages_.front().size() - offset_;
      if (left < rest) {
        offset_ += left;
        break;
      }
      left -= rest;
      offset_ = 0;
      messages_.pop_front();
    }
  }
  return static_cast<ssize_t>(total);
}

}  // namespace vgen::store
