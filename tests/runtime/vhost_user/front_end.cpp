#include "front_end.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace vhost_test {
namespace {

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("front end: " + what + ": " + std::strerror(errno));
}

constexpr std::uint64_t kSlotBytes = 16384;  // per chain: out buffer, in buffer, indirect table

}  // namespace

std::uint64_t Reply::u64() const {
  std::uint64_t value = 0;
  if (payload.size() == sizeof value) std::memcpy(&value, payload.data(), sizeof value);
  return value;
}

// --- guest memory ----------------------------------------------------------------------------

GuestRam::GuestRam(std::size_t size, std::uint64_t guest_base, std::uint64_t user_base, std::uint64_t mmap_offset)
    : size_(size), guest_base_(guest_base), user_base_(user_base), mmap_offset_(mmap_offset) {
  fd_ = memfd_create("vhost-test-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  check(fd_ >= 0, "memfd_create");
  check(ftruncate(fd_, static_cast<off_t>(size + mmap_offset)) == 0, "ftruncate");
  void* data = mmap(nullptr, size + mmap_offset, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  check(data != MAP_FAILED, "mmap");
  data_ = static_cast<std::uint8_t*>(data);
}

GuestRam::~GuestRam() {
  munmap(data_, size_ + mmap_offset_);
  close(fd_);
}

std::vector<std::uint8_t> GuestRam::region() const {
  const std::uint64_t fields[4] = {guest_base_, size_, user_base_, mmap_offset_};
  std::vector<std::uint8_t> bytes(sizeof fields);
  std::memcpy(bytes.data(), fields, sizeof fields);
  return bytes;
}

// --- the ring --------------------------------------------------------------------------------

RawRing::RawRing(GuestRam& ram, std::uint64_t ring_gpa, unsigned size, std::uint64_t data_gpa)
    : ram_(ram), ring_gpa_(ring_gpa), size_(size), data_start_(data_gpa), in_buffer_(size, 0) {
  ring_ = raw_ring_create(ram.at(ring_gpa), size);
  if (ring_ == nullptr) throw std::runtime_error("front end: raw_ring_create");
  next_data_ = data_gpa;
}

RawRing::~RawRing() { raw_ring_destroy(ring_); }

std::uint64_t RawRing::avail_gpa() const { return ring_gpa_ + raw_ring_avail_offset(ring_); }

std::uint64_t RawRing::used_gpa() const { return ring_gpa_ + raw_ring_used_offset(ring_); }

void RawRing::put_descriptor(unsigned index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                             std::uint16_t next) {
  raw_ring_set_desc(ring_, index, addr, len, flags, next);
}

// Chains use descriptor pairs (2k, 2k+1), or one descriptor pointing at an indirect table.
std::uint16_t RawRing::add(const std::vector<std::uint8_t>& out, std::uint32_t in_size, bool indirect) {
  const auto head = static_cast<std::uint16_t>(next_free_);
  next_free_ = static_cast<std::uint16_t>((next_free_ + 2) % size_);
  const std::uint64_t slot = data_start_ + (head / 2) * kSlotBytes;
  struct Part {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t flags;
  };
  std::vector<Part> chain;
  if (!out.empty()) {
    std::memcpy(ram_.at(slot), out.data(), out.size());
    chain.push_back({slot, static_cast<std::uint32_t>(out.size()), 0});
  }
  if (in_size != 0) {
    std::memset(ram_.at(slot + 4096), 0, in_size);
    chain.push_back({slot + 4096, in_size, RAW_DESC_WRITE});
  }
  in_buffer_[head] = slot + 4096;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const bool more = i + 1 < chain.size();
    const auto flags = static_cast<std::uint16_t>(chain[i].flags | (more ? RAW_DESC_NEXT : 0));
    if (indirect) {
      raw_ring_write_indirect(ram_.at(slot + 12288), static_cast<unsigned>(i), chain[i].addr, chain[i].len, flags,
                              static_cast<std::uint16_t>(i + 1));
    } else {
      put_descriptor(static_cast<unsigned>(head + i), chain[i].addr, chain[i].len, flags,
                     static_cast<std::uint16_t>(head + i + 1));
    }
  }
  if (indirect) put_descriptor(head, slot + 12288, static_cast<std::uint32_t>(chain.size() * 16), RAW_DESC_INDIRECT, 0);
  publish(head);
  return head;
}

void RawRing::publish(std::uint16_t head) { raw_ring_publish(ring_, head); }

void RawRing::set_avail_idx(std::uint16_t idx) { raw_ring_set_avail_idx(ring_, idx); }

void RawRing::set_used_event(std::uint16_t event) { raw_ring_set_used_event(ring_, event); }

std::uint16_t RawRing::avail_idx() const { return raw_ring_avail_idx(ring_); }

std::uint16_t RawRing::used_idx() const { return raw_ring_used_idx(ring_); }

unsigned RawRing::pending_used() const { return static_cast<std::uint16_t>(used_idx() - last_used_); }

RawRing::Used RawRing::pop_used() {
  if (pending_used() == 0) throw std::runtime_error("front end: no used element");
  std::uint32_t id = 0, len = 0;
  raw_ring_used_elem(ring_, last_used_, &id, &len);
  ++last_used_;
  Used used{static_cast<std::uint16_t>(id), len, {}};
  if (id < size_ && len <= 4096 && in_buffer_[id] != 0) {
    const std::uint8_t* data = ram_.at(in_buffer_[id]);
    used.bytes.assign(data, data + len);
  }
  return used;
}

// --- eventfds --------------------------------------------------------------------------------

EventFd::EventFd() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) { check(fd_ >= 0, "eventfd"); }
EventFd::~EventFd() { close(fd_); }

void EventFd::signal() {
  const std::uint64_t one = 1;
  check(write(fd_, &one, sizeof one) == sizeof one, "eventfd write");
}

bool EventFd::wait(std::chrono::milliseconds timeout) {
  pollfd entry{fd_, POLLIN, 0};
  if (poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) return false;
  std::uint64_t count = 0;
  return read(fd_, &count, sizeof count) == sizeof count;
}

// --- the connection --------------------------------------------------------------------------

FrontEnd::FrontEnd(const std::string& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    socket_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(socket_ >= 0, "socket");
    if (connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return;
    close(socket_);
    if (std::chrono::steady_clock::now() > deadline) check(false, "connect to " + socket_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FrontEnd::~FrontEnd() { close(socket_); }

void FrontEnd::send(std::uint32_t request, const void* payload, std::size_t size, const std::vector<int>& fds,
                    std::uint32_t flags) {
  std::vector<std::uint8_t> bytes(12 + size);
  const std::uint32_t header[3] = {request, flags, static_cast<std::uint32_t>(size)};
  std::memcpy(bytes.data(), header, 12);
  if (size != 0) std::memcpy(bytes.data() + 12, payload, size);
  send_raw(bytes.data(), bytes.size(), fds);
}

void FrontEnd::send_raw(const void* bytes, std::size_t size, const std::vector<int>& fds) {
  iovec vector{const_cast<void*>(bytes), size};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(fds.size() * sizeof(int)));
  if (!fds.empty()) {
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(header), fds.data(), fds.size() * sizeof(int));
  }
  // A back end that already closed makes this fail; the test then sees the close on receive.
  sendmsg(socket_, &message, MSG_NOSIGNAL);
}

std::optional<Reply> FrontEnd::receive(std::chrono::milliseconds timeout) {
  pollfd entry{socket_, POLLIN, 0};
  if (poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::uint32_t header[3];
  if (recv(socket_, header, sizeof header, MSG_WAITALL) != static_cast<ssize_t>(sizeof header)) return std::nullopt;
  Reply reply{header[0], header[1], std::vector<std::uint8_t>(header[2])};
  if (header[2] != 0 && recv(socket_, reply.payload.data(), header[2], MSG_WAITALL) != static_cast<ssize_t>(header[2])) {
    return std::nullopt;
  }
  return reply;
}

bool FrontEnd::closed_by_back_end(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[256];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd entry{socket_, POLLIN, 0};
    if (poll(&entry, 1, 50) <= 0) continue;
    const ssize_t got = recv(socket_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno == ECONNRESET)) return true;
  }
  return false;
}

std::uint64_t FrontEnd::get_u64(std::uint32_t request) {
  send(request, nullptr, 0);
  const std::optional<Reply> reply = receive();
  if (!reply || reply->request != request || reply->flags != (kFlagsVersion1 | kFlagReply) || reply->payload.size() != 8) {
    throw std::runtime_error("front end: no proper u64 reply to request " + std::to_string(request));
  }
  return reply->u64();
}

std::optional<std::uint64_t> FrontEnd::ack() {
  const std::optional<Reply> reply = receive();
  if (!reply) return std::nullopt;
  return reply->u64();
}

void FrontEnd::set_u64(std::uint32_t request, std::uint64_t value, bool need_reply) {
  send(request, &value, sizeof value, {}, kFlagsVersion1 | (need_reply ? kFlagNeedReply : 0));
}

void FrontEnd::set_state(std::uint32_t request, unsigned index, unsigned num, bool need_reply) {
  const VringState state{index, num};
  send(request, &state, sizeof state, {}, kFlagsVersion1 | (need_reply ? kFlagNeedReply : 0));
}

VringState FrontEnd::get_vring_base(unsigned index) {
  set_state(kGetVringBase, index, 0);
  const std::optional<Reply> reply = receive();
  if (!reply || reply->payload.size() != sizeof(VringState)) {
    throw std::runtime_error("front end: no GET_VRING_BASE reply");
  }
  VringState state;
  std::memcpy(&state, reply->payload.data(), sizeof state);
  return state;
}

void FrontEnd::set_vring_addr(unsigned index, std::uint64_t desc, std::uint64_t used, std::uint64_t avail) {
  const VringAddress address{index, 0, desc, used, avail, 0};
  send(kSetVringAddr, &address, sizeof address);
}

void FrontEnd::set_vring_fd(std::uint32_t request, unsigned index, int fd) {
  const std::uint64_t value = index;
  send(request, &value, sizeof value, {fd});
}

void FrontEnd::set_mem_table(const std::vector<const GuestRam*>& regions, bool need_reply) {
  std::vector<std::uint8_t> payload(8, 0);
  const auto count = static_cast<std::uint32_t>(regions.size());
  std::memcpy(payload.data(), &count, sizeof count);
  std::vector<int> fds;
  for (const GuestRam* ram : regions) {
    const std::vector<std::uint8_t> region = ram->region();
    payload.insert(payload.end(), region.begin(), region.end());
    fds.push_back(ram->fd());
  }
  send(kSetMemTable, payload.data(), payload.size(), fds, kFlagsVersion1 | (need_reply ? kFlagNeedReply : 0));
}

void FrontEnd::add_mem_reg(const GuestRam& ram, bool need_reply) {
  std::vector<std::uint8_t> payload(8, 0);
  const std::vector<std::uint8_t> region = ram.region();
  payload.insert(payload.end(), region.begin(), region.end());
  send(kAddMemReg, payload.data(), payload.size(), {ram.fd()}, kFlagsVersion1 | (need_reply ? kFlagNeedReply : 0));
}

void FrontEnd::rem_mem_reg(const GuestRam& ram) {
  std::vector<std::uint8_t> payload(8, 0);
  const std::vector<std::uint8_t> region = ram.region();
  payload.insert(payload.end(), region.begin(), region.end());
  send(kRemMemReg, payload.data(), payload.size());
}

std::vector<std::uint8_t> FrontEnd::get_config(std::uint32_t offset, std::uint32_t size) {
  std::vector<std::uint8_t> payload(12 + size, 0);
  const std::uint32_t header[3] = {offset, size, 0};
  std::memcpy(payload.data(), header, sizeof header);
  send(kGetConfig, payload.data(), payload.size());
  const std::optional<Reply> reply = receive();
  if (!reply || reply->payload.size() != 12 + size) throw std::runtime_error("front end: no GET_CONFIG reply");
  return {reply->payload.begin() + 12, reply->payload.end()};
}

// --- a whole session -------------------------------------------------------------------------

Session::Session(const std::string& socket_path, const SessionSetup& chosen)
    : setup(chosen),
      ram(4 << 20, 0x100000000ull, 0x7f0000000000ull, 0),
      ring(ram, 0x100000000ull, chosen.ring_size, 0x100010000ull),
      peer(socket_path) {}

void Session::connect() {
  offered = peer.get_u64(kGetFeatures);
  if ((offered & (1ull << kProtocolFeaturesBit)) == 0) throw std::runtime_error("back end lacks PROTOCOL_FEATURES");
  offered_protocol = peer.get_u64(kGetProtocolFeatures);
  const std::uint64_t protocol = setup.protocol_features != 0 ? setup.protocol_features : offered_protocol;
  peer.set_u64(kSetProtocolFeatures, protocol);
  setup.protocol_features = protocol;
  peer.get_u64(kGetQueueNum);
  if (setup.memory_slots) peer.get_u64(kGetMaxMemSlots);
  peer.send(kSetOwner, nullptr, 0);
  peer.get_u64(kGetFeatures);
  peer.set_vring_fd(kSetVringCall, 0, call.fd());
  peer.set_vring_fd(kSetVringErr, 0, err.fd());
}

void Session::start() {
  const bool acks = (setup.protocol_features & (1ull << 3)) != 0;
  peer.set_u64(kSetFeatures, setup.features | (1ull << kProtocolFeaturesBit));
  if (setup.memory_slots) {
    peer.add_mem_reg(ram, acks);
  } else {
    peer.set_mem_table({&ram}, acks);
  }
  if (acks && peer.ack() != 0u) throw std::runtime_error("memory table not acknowledged");
  peer.set_state(kSetVringNum, 0, setup.ring_size);
  peer.set_state(kSetVringBase, 0, setup.base);
  peer.set_vring_addr(0, ram.user(ring.desc_gpa()), ram.user(ring.used_gpa()), ram.user(ring.avail_gpa()));
  peer.set_vring_fd(kSetVringKick, 0, kick.fd());
  peer.set_state(kSetVringEnable, 0, 1);
  peer.set_vring_fd(kSetVringCall, 0, call.fd());
}

int Session::open_backend_channel() {
  int channel[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
    throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
  }
  peer.send(kSetBackendReqFd, nullptr, 0, {channel[1]}, kFlagsVersion1 | kFlagNeedReply);
  close(channel[1]);
  if (const std::optional<std::uint64_t> answer = peer.ack(); answer != std::uint64_t{0}) {
    close(channel[0]);
    throw std::runtime_error("SET_BACKEND_REQ_FD was not answered with success");
  }
  return channel[0];
}

std::uint16_t Session::stop() {
  peer.set_state(kSetVringEnable, 0, 0);
  return static_cast<std::uint16_t>(peer.get_vring_base(0).num);
}

}  // namespace vhost_test
