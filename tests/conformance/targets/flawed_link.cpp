// rpmsg links with a flaw.
#include "flawed_link.hpp"

#include <cstring>
#include <vector>

#include <vgen/rpmsg/wire.hpp>

namespace vgen::conform_targets {
namespace {

class FlawedLink final : public rpmsg::Link {
 public:
  FlawedLink(LinkFlaw flaw, rpmsg::Link& inner) : flaw_(flaw), inner_(inner) {}

  rpmsg::Side side() const noexcept override { return inner_.side(); }
  std::uint32_t buffer_size() const noexcept override { return inner_.buffer_size(); }
  notify::Notifier* incoming() const noexcept override { return inner_.incoming(); }
  std::optional<rpmsg::RxBuffer> receive() override;
  void release_rx(const rpmsg::RxBuffer& buffer) override { inner_.release_rx(buffer); }
  void flush_rx() override { inner_.flush_rx(); }
  bool arm_rx() override { return inner_.arm_rx(); }
  void disarm_rx() override { inner_.disarm_rx(); }
  std::optional<rpmsg::TxBuffer> acquire_tx() override { return inner_.acquire_tx(); }
  void submit_tx(const rpmsg::TxBuffer& buffer, std::uint32_t length) override;
  void cancel_tx(const rpmsg::TxBuffer& buffer) override { inner_.cancel_tx(buffer); }
  bool arm_tx() override { return inner_.arm_tx(); }
  void disarm_tx() override { inner_.disarm_tx(); }
  bool tx_available() override { return inner_.tx_available(); }
  std::uint64_t rejected_buffers() const noexcept override { return inner_.rejected_buffers(); }

 private:
  LinkFlaw flaw_;
  rpmsg::Link& inner_;
  std::vector<std::byte> copy_;  // a received message as the flaw rewrote it
};

std::optional<rpmsg::RxBuffer> FlawedLink::receive() {
  std::optional<rpmsg::RxBuffer> buffer = inner_.receive();
  if (!buffer || flaw_ != LinkFlaw::AcceptsOversized || buffer->length < rpmsg::kHeaderSize || buffer->length > buffer_size()) return buffer;
  rpmsg::Header header = rpmsg::decode_header(buffer->data);
  if (header.length + rpmsg::kHeaderSize <= buffer->length) return buffer;
  copy_.assign(buffer->data, buffer->data + buffer->length);
  header.length = static_cast<std::uint16_t>(buffer->length - rpmsg::kHeaderSize);
  rpmsg::encode_header(header, copy_.data());
  buffer->data = copy_.data();
  return buffer;
}

void FlawedLink::submit_tx(const rpmsg::TxBuffer& buffer, std::uint32_t length) {
  rpmsg::Header header = rpmsg::decode_header(buffer.data);
  const bool name_service = header.destination == rpmsg::kNameServiceAddress;
  switch (flaw_) {
    case LinkFlaw::SendsToReserved:
      if (!name_service) header.destination = 0x20;
      break;
    case LinkFlaw::NoAnnouncement:
      if (name_service) return inner_.cancel_tx(buffer);
      break;
    case LinkFlaw::LenBeyondHeader:
      if (length + 4 <= buffer.capacity) length += 4;
      break;
    case LinkFlaw::DirtyReserved:
      header.reserved = 1;
      break;
    case LinkFlaw::AcceptsOversized:
      break;
  }
  rpmsg::encode_header(header, buffer.data);
  inner_.submit_tx(buffer, length);
}

}  // namespace

std::unique_ptr<rpmsg::Link> flawed_link(LinkFlaw flaw, rpmsg::Link& inner) { return std::make_unique<FlawedLink>(flaw, inner); }

conform::RpmsgTarget flawed_rpmsg_target(conform::RpmsgTarget target, const std::string& name, LinkFlaw flaw, bool host) {
  target.name = name;
  auto wrap = [flaw](rpmsg::Link& inner) { return flawed_link(flaw, inner); };
  if (host) target.wrap_host_link = wrap;
  else target.wrap_remote_link = wrap;
  return target;
}

}  // namespace vgen::conform_targets
