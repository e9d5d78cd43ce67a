// A guest's ring page under vgen-xenstored-shim, offered as a Unix socket.
#include "guest_ring_bridge.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <span>

#include <vgen/error.hpp>
#include <vgen/store/wire.hpp>

#include "../xenstore/store_connection.hpp"

namespace vgen::conform::xenbus_checks {
namespace {

using RingInterface = xenstore_domain_interface;
constexpr std::size_t kRingPageSize = 4096;
static_assert(sizeof(RingInterface) <= kRingPageSize);

// The ring indexes are read and written as whole aligned words, as the daemon does.
std::uint32_t ring_index(XENSTORE_RING_IDX& index) { return std::atomic_ref<XENSTORE_RING_IDX>(index).load(); }
void set_ring_index(XENSTORE_RING_IDX& index, std::uint32_t value) {
  std::atomic_ref<XENSTORE_RING_IDX>(index).store(value);
}

int open_ring_page(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) throw vgen::Error(path + ": cannot open the guest's ring page: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 ||
      (info.st_size < static_cast<off_t>(kRingPageSize) && ::ftruncate(fd, kRingPageSize) != 0)) {
    const int error = errno;
    ::close(fd);
    throw vgen::Error(path + ": cannot size the guest's ring page: " + std::strerror(error));
  }
  return fd;
}

void introduce_guest(const std::string& daemon_socket, std::uint32_t domid) {
  xenstore_checks::StoreConnection toolstack(daemon_socket);
  // INTRODUCE "<domid>\0<mfn>\0<port>\0": the shim ignores the frame and the port.
  const std::string payload = std::to_string(domid) + '\0' + "0" + '\0' + std::to_string(10 + domid) + '\0';
  const auto reply = toolstack.request(store::MessageType::Introduce, payload);
  if (!reply || reply->header.type != static_cast<std::uint32_t>(store::MessageType::Introduce))
    throw vgen::Error("the daemon at " + daemon_socket + " refused INTRODUCE of domain " + std::to_string(domid) +
                      ": " + xenstore_checks::describe(reply));
}

}  // namespace

GuestRingBridge::GuestRingBridge(const std::string& shim_dir, const std::string& daemon_socket, std::uint32_t domid)
    : domid_(domid) {
  const std::string page_path = shim_dir + "/ring-" + std::to_string(domid);
  const int fd = open_ring_page(page_path);
  page_ = ::mmap(nullptr, kRingPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (page_ == MAP_FAILED) throw vgen::Error(page_path + ": cannot map the guest's ring page");
  auto& ring = *static_cast<RingInterface*>(page_);
  // What an earlier connection left: requests the daemon never took, replies nobody read.
  set_ring_index(ring.req_prod, ring_index(ring.req_cons));
  set_ring_index(ring.rsp_cons, ring_index(ring.rsp_prod));
  kick_fd_ = ::open((shim_dir + "/evtchn").c_str(), O_WRONLY | O_NONBLOCK);
  if (kick_fd_ < 0) throw vgen::Error(shim_dir + "/evtchn: cannot open the daemon's event FIFO");
  introduce_guest(daemon_socket, domid);

  char folder[] = "/tmp/vgen-ring.XXXXXX";
  if (::mkdtemp(folder) == nullptr) throw vgen::Error("cannot create a folder for the ring's socket");
  folder_ = folder;
  socket_path_ = folder_ + "/domain-" + std::to_string(domid);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path_.c_str(), sizeof(address.sun_path) - 1);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 1) != 0)
    throw vgen::Error(socket_path_ + ": cannot listen: " + std::strerror(errno));
  thread_ = std::thread([this] { pump(); });
}

GuestRingBridge::~GuestRingBridge() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (kick_fd_ >= 0) ::close(kick_fd_);
  if (page_ != nullptr && page_ != MAP_FAILED) ::munmap(page_, kRingPageSize);
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
  if (!folder_.empty()) ::rmdir(folder_.c_str());
}

bool GuestRingBridge::take_from_client(std::string& from_client, std::string& to_ring, std::string& to_client) {
  while (from_client.size() >= store::kHeaderSize) {
    const auto header = store::decode_header(std::span<const std::byte, store::kHeaderSize>(
        reinterpret_cast<const std::byte*>(from_client.data()), store::kHeaderSize));
    if (header.len > store::kMaxPayload) return false;
    const std::size_t size = store::kHeaderSize + header.len;
    if (from_client.size() < size) break;
    const std::string payload = from_client.substr(store::kHeaderSize, header.len);
    const std::string set_domid = std::string("set-domid") + '\0';
    if (header.type == static_cast<std::uint32_t>(store::MessageType::Control) && payload.rfind(set_domid, 0) == 0) {
      const bool mine = payload.substr(set_domid.size()) == std::to_string(domid_) + '\0';
      to_client += store::encode(mine ? store::reply_to(header, std::string("OK") + '\0')
                                      : store::error_reply(header, "EACCES"));
    } else {
      to_ring += from_client.substr(0, size);
    }
    from_client.erase(0, size);
  }
  return true;
}

void GuestRingBridge::pump() {
  int client = -1;
  while (!stop_ && client < 0) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 10) > 0) client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  }
  auto& ring = *static_cast<RingInterface*>(page_);
  std::string from_client, to_ring, to_client;
  bool open = true;
  while (!stop_ && open) {
    bool moved = false;
    char buffer[4096];
    const ssize_t got = ::read(client, buffer, sizeof buffer);
    if (got > 0) {
      from_client.append(buffer, static_cast<std::size_t>(got));
      open = take_from_client(from_client, to_ring, to_client);
      moved = true;
    } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      open = false;
    }
    // Client bytes into the request ring, as far as there is room.
    if (!to_ring.empty()) {
      const std::uint32_t cons = ring_index(ring.req_cons), prod = ring_index(ring.req_prod);
      const std::size_t room = XENSTORE_RING_SIZE - (prod - cons);
      const std::size_t n = std::min(room, to_ring.size());
      for (std::size_t i = 0; i < n; ++i) ring.req[MASK_XENSTORE_IDX(prod + i)] = to_ring[i];
      if (n > 0) {
        std::atomic_thread_fence(std::memory_order_release);  // the bytes before the index
        set_ring_index(ring.req_prod, prod + static_cast<std::uint32_t>(n));
        to_ring.erase(0, n);
        moved = true;
      }
    }
    // The daemon's bytes out of the response ring.
    const std::uint32_t rsp_cons = ring_index(ring.rsp_cons), rsp_prod = ring_index(ring.rsp_prod);
    if (rsp_cons != rsp_prod) {
      std::atomic_thread_fence(std::memory_order_acquire);
      for (std::uint32_t i = rsp_cons; i != rsp_prod; ++i) to_client += ring.rsp[MASK_XENSTORE_IDX(i)];
      std::atomic_thread_fence(std::memory_order_release);
      set_ring_index(ring.rsp_cons, rsp_prod);
      moved = true;
    }
    if (moved) {
      const char kick = 'k';
      [[maybe_unused]] const ssize_t ignored = ::write(kick_fd_, &kick, 1);  // full FIFO: the daemon wakes anyway
    }
    while (!to_client.empty()) {
      const ssize_t sent = ::send(client, to_client.data(), to_client.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        to_client.erase(0, static_cast<std::size_t>(sent));
      } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else if (sent < 0 && errno != EINTR) {
        open = false;
        break;
      }
    }
    if (!moved) {
      // The daemon's notifications do not reach us (the shim drops them): look again shortly.
      pollfd p{client, POLLIN, 0};
      const timespec pause{0, 200000};
      ::ppoll(&p, 1, &pause, nullptr);
    }
  }
  if (client >= 0) ::close(client);
}

}  // namespace vgen::conform::xenbus_checks
