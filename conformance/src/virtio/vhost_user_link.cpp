// Links to a device over vhost-user: a back end at a given socket, or the linked device half
// served by vgen's back end in a child process.
#include <unistd.h>

#include <atomic>

#include <vgen/conform/process.hpp>
#include <vgen/vhost_user/front_end.hpp>

#include "device_link.hpp"
#include "vhost_user_serving.hpp"

namespace vgen::conform::virtio_checks {
namespace {

class VhostUserLink final : public DeviceLink {
 public:
  /// `server`: the back end's process when the link started it (its socket is removed at the end).
  VhostUserLink(const std::string& socket, GuestRam& ram, std::uint32_t device_id, std::optional<ChildProcess> server)
      : socket_(socket), server_(std::move(server)), front_end_(socket, ram.memory, options(device_id)) {}
  ~VhostUserLink() override {
    if (!server_) return;
    server_->kill();
    ::unlink(socket_.c_str());
  }
  virtio::Transport& transport() override { return front_end_; }
  bool alive() override { return front_end_.connected() && (!server_ || server_->running()); }
  bool device_registers() const override { return false; }
  bool reconnect() override {
    if (server_ && !server_->running()) return false;
    try {
      front_end_.set_status(0);
    } catch (const std::exception&) {
      return false;
    }
    return front_end_.connected();
  }

 private:
  static vhost_user::FrontEndOptions options(std::uint32_t device_id) {
    vhost_user::FrontEndOptions o;
    o.device_id = device_id;
    return o;
  }
  std::string socket_;
  std::optional<ChildProcess> server_;
  vhost_user::FrontEnd front_end_;
};

std::string fresh_socket_path() {
  static std::atomic<int> counter{0};
  return "/tmp/vgen-conform-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sock";
}

}  // namespace

LinkFactory vhost_user_link(const std::string& socket_path, std::uint32_t device_id) {
  return [socket_path, device_id](GuestRam& ram) {
    return std::make_unique<VhostUserLink>(socket_path, ram, device_id, std::nullopt);
  };
}

LinkFactory vhost_user_child_link(const VirtioTarget& target) {
  return [&target](GuestRam& ram) {
    const std::string path = fresh_socket_path();
    ChildProcess server = ChildProcess::fork([&] { return serve_vhost_user(target, path); });
    const std::uint32_t id = target.make_device()->identity().device_id;
    return std::make_unique<VhostUserLink>(path, ram, id, std::move(server));
  };
}

}  // namespace vgen::conform::virtio_checks
