// Links to the device under test: in this process, in a forked child, in a program.
#include "device_link.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vgen/conform/process.hpp>
#include <vgen/conform/trace.hpp>
#include <vgen/shm/sharing.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/in_process.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_shared_bus.hpp>
#include <vgen/virtio/mmio_transport.hpp>

#include "mmio_serving.hpp"
#include "traced_bus.hpp"

namespace vgen::conform::virtio_checks {
namespace {

class InProcessLink final : public DeviceLink {
 public:
  InProcessLink(const VirtioTarget& target, GuestRam& ram)
      : model_(target.make_device()), core_(ram.memory, *model_), transport_(core_) {
    core_.set_trace(check_trace());
  }
  virtio::Transport& transport() override { return transport_; }
  bool alive() override { return true; }

 private:
  std::unique_ptr<virtio::DeviceModel> model_;
  virtio::DeviceCore core_;
  virtio::InProcessTransport transport_;
};

// A virtio-mmio window in shared memory whose device runs in another process.
// `traced`: the harness records its accesses and watches the queues they enable in `ram` (a
// device program records nothing into its log; a forked child's device records itself).
class MmioLink final : public DeviceLink {
 public:
  explicit MmioLink(trace::TraceSink* traced = nullptr, const shm::GuestMemory* ram = nullptr) {
    window_memory_.add(kWindowBase, std::make_shared<shm::Region>(shm::Region::create("conform-mmio", kWindowBytes)));
    window_ = &virtio::MmioWindow::format(window_memory_.translate(kWindowBase, kWindowBytes), kWindowBytes);
    shared_ = std::make_unique<virtio::MmioSharedBus>(*window_, std::chrono::seconds(2));
    if (traced != nullptr && ram != nullptr) traced_ = std::make_unique<TracedBus>(*shared_, *traced, *ram);
  }
  ~MmioLink() override {
    virtio::MmioDeviceServer::request_stop(*window_);
    if (child_) child_->wait(std::chrono::milliseconds(2000));
  }

  void start(ChildProcess child) {
    child_.emplace(std::move(child));
    transport_ = virtio::MmioTransport::discover(*bus(), shared_->interrupt_line());
    if (transport_ == nullptr) throw virtio::Error(virtio::ErrorCode::BadMagic, "the device's DeviceID reads 0");
  }
  virtio::MmioWindow& window() { return *window_; }
  shm::GuestMemory& window_memory() { return window_memory_; }

  virtio::Transport& transport() override { return *transport_; }
  virtio::MmioBus* bus() override {
    return traced_ ? static_cast<virtio::MmioBus*>(traced_.get()) : static_cast<virtio::MmioBus*>(shared_.get());
  }
  bool alive() override { return child_ && child_->running(); }

 private:
  static constexpr shm::GuestAddress kWindowBase = 0x0a000000;
  shm::GuestMemory window_memory_;
  virtio::MmioWindow* window_ = nullptr;
  std::unique_ptr<virtio::MmioSharedBus> shared_;
  std::unique_ptr<TracedBus> traced_;
  std::optional<ChildProcess> child_;
  std::unique_ptr<virtio::MmioTransport> transport_;
};

}  // namespace

LinkFactory in_process_link(const VirtioTarget& target) {
  return [&target](GuestRam& ram) { return std::make_unique<InProcessLink>(target, ram); };
}

LinkFactory mmio_child_link(const VirtioTarget& target) {
  return [&target](GuestRam& ram) {
    auto link = std::make_unique<MmioLink>();
    virtio::MmioWindow& window = link->window();
    link->start(ChildProcess::fork([&] { return serve_mmio_device(target, ram.memory, window); }));
    return link;
  };
}

LinkFactory mmio_program_link(const std::string& command) {
  return [command](GuestRam& ram) {
    auto link = std::make_unique<MmioLink>(check_trace(), &ram.memory);
    int sockets[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
      throw vgen::Error(std::string("socketpair: ") + std::strerror(errno));
    }
    ChildProcess child =
        ChildProcess::shell(command + " --conform-serve device:mmio:" + std::to_string(sockets[1]), sockets[1]);
    ::close(sockets[1]);
    shm::send_memory(sockets[0], ram.memory);
    shm::send_memory(sockets[0], link->window_memory());
    ::close(sockets[0]);
    link->start(std::move(child));
    return link;
  };
}

}  // namespace vgen::conform::virtio_checks
