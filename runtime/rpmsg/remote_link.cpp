#include <vgen/rpmsg/remote_link.hpp>

#include <algorithm>
#include <limits>

#include <vgen/rpmsg/error.hpp>

#include "buffer_size.hpp"

namespace vgen::rpmsg {

RemoteLink::RemoteLink(virtqueue::DeviceQueue& host_rx, virtqueue::DeviceQueue& host_tx, std::uint32_t buffer_size,
                       notify::Notifier* incoming, RemoteLinkOptions options)
    : host_rx_(host_rx), host_tx_(host_tx), buffer_size_(buffer_size), incoming_(incoming), options_(options) {
  detail::check_buffer_size(buffer_size, "remote link");
  rx_staging_.resize(buffer_size);
  tx_staging_.resize(buffer_size);
}

std::optional<RxBuffer> RemoteLink::receive() {
  if (!host_tx_.take(rx_chain_)) return std::nullopt;
  const auto readable = rx_chain_.readable();
  const std::uint64_t total = rx_chain_.readable_bytes();
  const auto length =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(total, std::numeric_limits<std::uint32_t>::max()));
  if (readable.size() == 1) return RxBuffer{readable[0].data, length, rx_chain_.head()};
  // A message split over several buffers (or none) is gathered; beyond buffer_size bytes
  // it is oversized and the bus rejects it on its length alone.
  virtqueue::ChainReader(rx_chain_).read({rx_staging_.data(), std::min<std::size_t>(total, rx_staging_.size())});
  return RxBuffer{rx_staging_.data(), length, rx_chain_.head()};
}

void RemoteLink::release_rx(const RxBuffer& buffer) {
  // §2.7.8.2: the device wrote nothing into a device-readable chain, so len is 0, unless the
  // host reads len as the buffer's capacity (RemoteLinkOptions): then the buffer's length,
  // which receive() put in buffer.length.
  const std::uint32_t length = options_.report_tx_buffer_length ? buffer.length : 0;
  host_tx_.put(static_cast<std::uint16_t>(buffer.token), length);
}

void RemoteLink::flush_rx() { host_tx_.notify(); }

bool RemoteLink::arm_rx() { return host_tx_.enable_notifications(); }

void RemoteLink::disarm_rx() { host_tx_.disable_notifications(); }

bool RemoteLink::usable_for_sending(const virtqueue::DescriptorChain& chain) const noexcept {
  return chain.readable().empty() && chain.writable_bytes() >= buffer_size_;
}

// Takes every available empty chain up to kTakeAhead. A chain with device-readable parts, or
// too small for a message, cannot carry one: it goes back empty at once (the host sees a
// short message and offers the buffer again).
void RemoteLink::take_ahead() {
  bool returned = false;
  while (tx_count_ < kTakeAhead) {
    virtqueue::DescriptorChain& chain = tx_chains_[(tx_first_ + tx_count_) % kTakeAhead];
    if (!host_rx_.take(chain)) break;
    if (usable_for_sending(chain)) {
      ++tx_count_;
      continue;
    }
    host_rx_.put(chain.head(), 0);
    returned = true;
    ++rejected_;
  }
  if (returned) host_rx_.notify();
}

std::optional<TxBuffer> RemoteLink::acquire_tx() {
  if (tx_count_ == 0) take_ahead();
  if (tx_count_ == 0) return std::nullopt;
  const virtqueue::DescriptorChain& chain = tx_chains_[tx_first_];
  const auto writable = chain.writable();
  tx_staged_ = writable.size() != 1;
  if (!tx_staged_) return TxBuffer{writable[0].data, writable[0].length, chain.head()};
  return TxBuffer{tx_staging_.data(), buffer_size_, chain.head()};
}

void RemoteLink::submit_tx(const TxBuffer& buffer, std::uint32_t length) {
  std::uint32_t written = length;
  if (tx_staged_) {
    virtqueue::ChainWriter writer(tx_chains_[tx_first_]);
    writer.write({tx_staging_.data(), length});
    written = writer.written();
  }
  tx_first_ = (tx_first_ + 1) % kTakeAhead;
  --tx_count_;
  host_rx_.put(static_cast<std::uint16_t>(buffer.token), written);
  host_rx_.notify();
}

// The chain stays the oldest held one and is lent again by the next acquire_tx().
void RemoteLink::cancel_tx(const TxBuffer& /*buffer*/) {}

bool RemoteLink::arm_tx() {
  if (tx_count_ > 0) return true;
  return host_rx_.enable_notifications();
}

void RemoteLink::disarm_tx() { host_rx_.disable_notifications(); }

bool RemoteLink::tx_available() { return tx_count_ > 0 || host_rx_.available() > 0; }

}  // namespace vgen::rpmsg
