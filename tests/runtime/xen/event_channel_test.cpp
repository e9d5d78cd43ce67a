// Event channels: allocation, binding, notification both ways, the errors for unknown,
// closed and foreign ports and double binds, hostile control messages, and a pair of
// domains in two processes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>

#include <vgen/shm/fd_passing.hpp>
#include <vgen/xen/event_channel.hpp>

#include "error_of.hpp"
#include "support.hpp"

namespace vgen::xen {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using test::mentions;
using test::SocketPair;

bool readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

class EventChannelTest : public ::testing::Test {
 protected:
  EventChannelTest() { EventChannels::link(front, back); }

  EventChannels back{0};
  EventChannels front{1};
};

TEST_F(EventChannelTest, AllocateBindAndNotifyBothWays) {
  const Port port = back.alloc_unbound(1);
  EXPECT_EQ(port, 1u);  // port 0 is never handed out
  EXPECT_EQ(back.status(port).state, PortState::Unbound);
  EXPECT_EQ(back.status(port).remote, 1);

  const Port local = front.bind_interdomain(0, port);
  const PortStatus bound = front.status(local);
  EXPECT_EQ(bound.state, PortState::Interdomain);
  EXPECT_EQ(bound.remote, 0);
  EXPECT_EQ(bound.remote_port, port);

  // The allocator learns of the bind from the control link.
  EXPECT_EQ(back.status(port).state, PortState::Unbound);
  back.process_control();
  EXPECT_EQ(back.status(port).state, PortState::Interdomain);
  EXPECT_EQ(back.status(port).remote_port, local);

  back.notify(port);
  EXPECT_TRUE(readable(front.pollable_fd(local)));
  EXPECT_FALSE(back.wait(port, 0ns)) << "a notification must not come back to its sender";
  EXPECT_TRUE(front.wait(local, 0ns));
  EXPECT_FALSE(front.wait(local, 0ns)) << "wait consumes the notification";

  front.notify(local);
  front.notify(local);
  EXPECT_TRUE(back.wait(port, 1s));
  EXPECT_FALSE(back.wait(port, 0ns)) << "notifications before one wait coalesce";
}

TEST_F(EventChannelTest, NotificationBeforeTheBindIsKept) {
  const Port port = back.alloc_unbound(1);
  back.notify(port);
  const Port local = front.bind_interdomain(0, port);
  EXPECT_TRUE(front.wait(local, 0ns));
}

TEST_F(EventChannelTest, PortsAllocatedBeforeTheLinkAreOfferedOnConnect) {
  EventChannels early(5);
  const Port port = early.alloc_unbound(1);
  EventChannels::link(early, front);
  const Port local = front.bind_interdomain(5, port);
  early.notify(port);
  EXPECT_TRUE(front.wait(local, 1s));
}

TEST_F(EventChannelTest, UnknownAndClosedPortsAreErrors) {
  std::string message = error_of([&] { back.notify(0); }, ErrorCode::BadPort);
  EXPECT_PRED2(mentions, message, "port 0 of domain 0 is out of range");
  error_of([&] { back.notify(5000); }, ErrorCode::BadPort);
  message = error_of([&] { back.notify(3); }, ErrorCode::BadPort);
  EXPECT_PRED2(mentions, message, "port 3 of domain 0 is not allocated");
  error_of([&] { back.wait(3, 0ns); }, ErrorCode::BadPort);
  error_of([&] { (void)back.pollable_fd(3); }, ErrorCode::BadPort);
  error_of([&] { back.close(3); }, ErrorCode::BadPort);

  const Port port = back.alloc_unbound(1);
  back.close(port);
  EXPECT_EQ(back.status(port).state, PortState::Free);
  error_of([&] { back.notify(port); }, ErrorCode::BadPort);
  error_of([&] { back.close(port); }, ErrorCode::BadPort);
  EXPECT_EQ(back.status(4000).state, PortState::Free);
}

TEST_F(EventChannelTest, BindingAnUnknownOrClosedRemotePortFails) {
  std::string message = error_of([&] { front.bind_interdomain(0, 7); }, ErrorCode::BadPort);
  EXPECT_PRED2(mentions, message, "port 7 of domain 0");
  EXPECT_PRED2(mentions, message, "not allocated");

  const Port port = back.alloc_unbound(1);
  back.close(port);
  message = error_of([&] { front.bind_interdomain(0, port); }, ErrorCode::BadPort);
  EXPECT_PRED2(mentions, message, "closed by its owner");

  message = error_of([&] { front.bind_interdomain(9, 1); }, ErrorCode::Invalid);
  EXPECT_PRED2(mentions, message, "no event-channel link to domain 9");
}

TEST_F(EventChannelTest, BindingAPortAllocatedForAnotherDomainFails) {
  EventChannels third(2);
  EventChannels::link(back, third);
  const Port port = back.alloc_unbound(1);
  const std::string message = error_of([&] { third.bind_interdomain(0, port); }, ErrorCode::WrongDomain);
  EXPECT_PRED2(mentions, message, "port " + std::to_string(port) + " of domain 0");
  EXPECT_PRED2(mentions, message, "allocated for domain 1, not for domain 2");
  // The rightful domain still can.
  EXPECT_EQ(front.status(front.bind_interdomain(0, port)).state, PortState::Interdomain);
}

TEST_F(EventChannelTest, DoubleBindFails) {
  const Port port = back.alloc_unbound(1);
  const Port local = front.bind_interdomain(0, port);
  const std::string message = error_of([&] { front.bind_interdomain(0, port); }, ErrorCode::PortState);
  EXPECT_PRED2(mentions, message, "already bound to local port " + std::to_string(local) + " of domain 1");
  EXPECT_PRED2(mentions, message, "double bind");

  front.close(local);
  error_of([&] { front.bind_interdomain(0, port); }, ErrorCode::PortState);
}

TEST_F(EventChannelTest, ClosingOneEndMakesTheOtherPeerClosed) {
  const Port port = back.alloc_unbound(1);
  const Port local = front.bind_interdomain(0, port);
  back.process_control();

  back.close(port);
  front.process_control();
  EXPECT_EQ(front.status(local).state, PortState::PeerClosed);
  const std::string message = error_of([&] { front.notify(local); }, ErrorCode::PortState);
  EXPECT_PRED2(mentions, message, "the remote end (port " + std::to_string(port) + " of domain 0) was closed");
  error_of([&] { front.wait(local, 0ns); }, ErrorCode::PortState);
  front.close(local);
  EXPECT_EQ(front.status(local).state, PortState::Free);
}

TEST_F(EventChannelTest, ClosingTheBindingEndMakesTheAllocatorPeerClosed) {
  const Port port = back.alloc_unbound(1);
  const Port local = front.bind_interdomain(0, port);
  front.close(local);
  back.process_control();
  EXPECT_EQ(back.status(port).state, PortState::PeerClosed);
  error_of([&] { back.notify(port); }, ErrorCode::PortState);
}

TEST_F(EventChannelTest, PeerHangingUpClosesItsPorts) {
  std::optional<EventChannels> gone(std::in_place, 3);
  EventChannels::link(back, *gone);
  const Port port = back.alloc_unbound(3);
  gone->bind_interdomain(0, port);
  gone.reset();
  back.process_control();
  EXPECT_EQ(back.status(port).state, PortState::PeerClosed);
  // The link is gone too: a new one to the same domain id is accepted.
  EventChannels again(3);
  EventChannels::link(back, again);
}

TEST_F(EventChannelTest, PortsRunOutAndFreedPortsAreReused) {
  EventChannels small(7, 2);
  EXPECT_EQ(small.alloc_unbound(1), 1u);
  EXPECT_EQ(small.alloc_unbound(1), 2u);
  const std::string message = error_of([&] { small.alloc_unbound(1); }, ErrorCode::TableFull);
  EXPECT_PRED2(mentions, message, "all 2 ports of domain 7");
  small.close(1);
  EXPECT_EQ(small.alloc_unbound(1), 1u);
}

TEST_F(EventChannelTest, SetupErrors) {
  error_of([] { EventChannels(0, 0); }, ErrorCode::Invalid);
  error_of([&] { back.alloc_unbound(0); }, ErrorCode::Invalid);
  SocketPair sockets;
  error_of([&] { back.connect(0, sockets.take_first()); }, ErrorCode::Invalid);
  error_of([&] { back.connect(1, sockets.take_second()); }, ErrorCode::Invalid);  // linked already
}

// ---- hostile control messages ----

class HostileLinkTest : public ::testing::Test {
 protected:
  HostileLinkTest() { domain.connect(0, sockets.take_second()); }

  void send(const ControlMessage& message, std::span<const int> fds = {}) {
    shm::send_with_fds(sockets.first(), std::as_bytes(std::span(&message, 1)), fds);
  }
  std::string protocol_error() {
    return error_of([&] { domain.process_control(); }, ErrorCode::Protocol);
  }

  SocketPair sockets;
  EventChannels domain{1};
};

TEST_F(HostileLinkTest, UnknownKind) {
  send({static_cast<ControlKind>(9), 1, 0, 1, 0});
  EXPECT_PRED2(mentions, protocol_error(), "unknown kind");
  // The link was dropped: binding over it now reports no link.
  error_of([&] { domain.bind_interdomain(0, 1); }, ErrorCode::Invalid);
}

TEST_F(HostileLinkTest, OfferForUsWithoutFds) {
  send({ControlKind::Offer, 1, 0, 1, 0});
  EXPECT_PRED2(mentions, protocol_error(), "came with 0 fds, expected 2");
}

TEST_F(HostileLinkTest, OfferForAnotherDomainWithFds) {
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  const int fds[] = {fd, fd};
  const int before = test::open_fd_count();
  send({ControlKind::Offer, 1, 0, 2, 0}, fds);
  EXPECT_PRED2(mentions, protocol_error(), "came with 2 fds, expected 0");
  // The two received fds are closed, and so is the link the bad message came on.
  EXPECT_EQ(test::open_fd_count(), before - 1) << "the received fds must be closed";
  ::close(fd);
}

TEST_F(HostileLinkTest, OfferWithFdsThatAreNotEventfds) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  send({ControlKind::Offer, 1, 0, 1, 0}, pipe_fds);
  EXPECT_PRED2(mentions, protocol_error(), "not an eventfd");
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_F(HostileLinkTest, PortZeroAndReservedBits) {
  send({ControlKind::Closed, 0, 0, 0, 0});
  EXPECT_PRED2(mentions, protocol_error(), "port 0");
}

TEST_F(HostileLinkTest, BoundForAPortOutOfRange) {
  send({ControlKind::Bound, 3, 99999, 0, 0});
  EXPECT_PRED2(mentions, protocol_error(), "out of range");
}

TEST_F(HostileLinkTest, BoundForAPortAllocatedForAnotherDomain) {
  EventChannels third(2);
  EventChannels::link(domain, third);
  const Port port = domain.alloc_unbound(2);
  send({ControlKind::Bound, 3, port, 0, 0});
  EXPECT_PRED2(mentions, protocol_error(), "Unbound for domain 2");
}

TEST_F(HostileLinkTest, FdsOnANonOffer) {
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  send({ControlKind::Closed, 1, 0, 0, 0}, std::span(&fd, 1));
  EXPECT_PRED2(mentions, protocol_error(), "only an offer may carry fds");
  ::close(fd);
}

// ---- two processes ----

TEST(EventChannelProcesses, PingPongAcrossProcesses) {
  constexpr int kRounds = 2000;
  SocketPair link;
  SocketPair store(SOCK_STREAM);  // stands in for the store: carries the port number

  auto child = [&]() -> int {
    EventChannels frontend(1);
    frontend.connect(0, link.take_second());
    Port remote = 0;
    if (::read(store.second(), &remote, sizeof remote) != sizeof remote) return 2;
    const Port local = frontend.bind_interdomain(0, remote);
    for (int i = 0; i < kRounds; ++i) {
      if (!frontend.wait(local, 10s)) return 3;
      frontend.notify(local);
    }
    return 0;
  };
  auto parent = [&] {
    EventChannels backend(0);
    backend.connect(1, link.take_first());
    const Port port = backend.alloc_unbound(1);
    ASSERT_EQ(::write(store.first(), &port, sizeof port), static_cast<ssize_t>(sizeof port));
    for (int i = 0; i < kRounds; ++i) {
      backend.notify(port);
      ASSERT_TRUE(backend.wait(port, 10s)) << "round " << i;
    }
    backend.process_control();
    EXPECT_EQ(backend.status(port).state, PortState::Interdomain);
  };
  EXPECT_EQ(test::run_in_child(child, parent), 0);
}

}  // namespace
}  // namespace vgen::xen
