#include <vgen/rpmsg/host_link.hpp>

#include <vgen/format.hpp>
#include <vgen/rpmsg/error.hpp>

#include "buffer_size.hpp"

namespace vgen::rpmsg {
namespace {

void check_queue(virtqueue::DriverQueue& queue, const char* name, std::uint32_t count) {
  if (queue.free_descriptors() < count) {
    throw Error(ErrorCode::InvalidConfig,
                std::string("host link: ") + name + " queue has " + std::to_string(queue.free_descriptors()) +
                    " free descriptors, fewer than the " + std::to_string(count) + " buffers per direction");
  }
}

}  // namespace

HostLink::HostLink(const shm::GuestMemory& memory, const BufferArea& buffers, notify::Notifier* incoming)
    : buffers_(buffers), incoming_(incoming) {
  detail::check_buffer_size(buffers.size, "host link");
  if (buffers.count == 0) throw Error(ErrorCode::InvalidConfig, "host link: buffer count is 0");
  std::byte* host = memory.find(buffers.base, buffers.bytes());
  if (host == nullptr) {
    throw Error(ErrorCode::InvalidConfig, "host link: buffer area [" + hex(buffers.base) + ", +" +
                                              std::to_string(buffers.bytes()) +
                                              ") is not inside one region of guest memory");
  }
  rx_host_ = host;
  tx_host_ = host + std::uint64_t{buffers.count} * buffers.size;
  free_tx_.reserve(buffers.count);
}

void HostLink::attach(virtqueue::DriverQueue& rx_queue, virtqueue::DriverQueue& tx_queue) {
  check_queue(rx_queue, "rx", buffers_.count);
  check_queue(tx_queue, "tx", buffers_.count);
  rx_ = &rx_queue;
  tx_ = &tx_queue;
  free_tx_.clear();
  // Pushed in reverse so the first sends use the lowest buffers.
  for (std::uint32_t i = buffers_.count; i > 0; --i) free_tx_.push_back(i - 1);
  for (std::uint32_t i = 0; i < buffers_.count; ++i) offer_rx(i);
  rx_->kick();
}

void HostLink::detach() noexcept {
  rx_ = nullptr;
  tx_ = nullptr;
  free_tx_.clear();
}

void HostLink::offer_rx(std::uint32_t index) {
  const virtqueue::Buffer writable{buffers_.rx_address(index), buffers_.size};
  if (!rx_->add({}, {&writable, 1}, index)) {
    throw Error(ErrorCode::InvalidState, "host link: no free descriptor to offer rx buffer " + std::to_string(index));
  }
}

std::optional<RxBuffer> HostLink::receive() {
  if (rx_ == nullptr) return std::nullopt;
  const auto used = rx_->reclaim();
  if (!used) return std::nullopt;
  // The token is this side's own buffer index, kept in the queue's private bookkeeping; the
  // used length was checked against the buffer's size by the queue (§2.7.8.2).
  return RxBuffer{rx_host_ + used->token * buffers_.size, used->length, used->token};
}

void HostLink::release_rx(const RxBuffer& buffer) {
  if (rx_ != nullptr) offer_rx(static_cast<std::uint32_t>(buffer.token));
}

void HostLink::flush_rx() {
  if (rx_ != nullptr) rx_->kick();
}

bool HostLink::arm_rx() { return rx_ != nullptr && rx_->enable_interrupts(); }

void HostLink::disarm_rx() {
  if (rx_ != nullptr) rx_->disable_interrupts();
}

void HostLink::collect_tx() {
  while (const auto used = tx_->reclaim()) free_tx_.push_back(static_cast<std::uint32_t>(used->token));
}

std::optional<TxBuffer> HostLink::acquire_tx() {
  if (tx_ == nullptr) return std::nullopt;
  if (free_tx_.empty()) collect_tx();
  if (free_tx_.empty()) return std::nullopt;
  const std::uint32_t index = free_tx_.back();
  free_tx_.pop_back();
  return TxBuffer{tx_host_ + std::uint64_t{index} * buffers_.size, buffers_.size, index};
}

void HostLink::submit_tx(const TxBuffer& buffer, std::uint32_t length) {
  const auto index = static_cast<std::uint32_t>(buffer.token);
  if (tx_ == nullptr) return;
  const virtqueue::Buffer readable{buffers_.tx_address(index), length};
  if (!tx_->add({&readable, 1}, {}, index)) {
    throw Error(ErrorCode::InvalidState, "host link: no free descriptor to send tx buffer " + std::to_string(index));
  }
  tx_->kick();
}

void HostLink::cancel_tx(const TxBuffer& buffer) {
  if (tx_ != nullptr) free_tx_.push_back(static_cast<std::uint32_t>(buffer.token));
}

bool HostLink::arm_tx() {
  if (tx_ == nullptr) return false;
  if (!free_tx_.empty()) return true;
  return tx_->enable_interrupts();
}

void HostLink::disarm_tx() {
  if (tx_ != nullptr) tx_->disable_interrupts();
}

bool HostLink::tx_available() {
  if (tx_ == nullptr) return false;
  if (free_tx_.empty()) collect_tx();
  return !free_tx_.empty();
}

}  // namespace vgen::rpmsg
