#include <vgen/shm/fd_passing.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <vgen/shm/error.hpp>

#include "test_support.hpp"

namespace vgen::shm {
namespace {

using test::count_open_fds;
using test::SocketPair;

std::vector<std::byte> pattern(std::size_t length) {
  std::vector<std::byte> bytes(length);
  for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<std::byte>(i * 7 + 3);
  return bytes;
}

bool same_file(int a, int b) {
  struct stat first {};
  struct stat second {};
  return ::fstat(a, &first) == 0 && ::fstat(b, &second) == 0 && first.st_dev == second.st_dev &&
         first.st_ino == second.st_ino;
}

// Sends `count` copies of `fd` in one raw sendmsg, bypassing send_with_fds' limit, to play
// a misbehaving peer.
void raw_send_fds(int socket, int fd, std::size_t count, std::size_t length) {
  std::vector<int> fds(count, fd);
  std::vector<char> control(CMSG_SPACE(count * sizeof(int)));
  std::vector<std::byte> bytes(length, std::byte{1});
  iovec vector{bytes.data(), bytes.size()};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(count * sizeof(int));
  std::memcpy(CMSG_DATA(header), fds.data(), count * sizeof(int));
  ASSERT_EQ(::sendmsg(socket, &message, 0), static_cast<ssize_t>(length)) << std::strerror(errno);
}

ErrorCode receive_error(int socket, std::size_t length, std::string* message = nullptr) {
  try {
    receive_with_fds(socket, length);
  } catch (const Error& error) {
    if (message != nullptr) *message = error.what();
    return error.code();
  }
  ADD_FAILURE() << "receive_with_fds did not throw";
  return ErrorCode::System;
}

class FdPassingTest : public ::testing::TestWithParam<int> {};

TEST_P(FdPassingTest, BytesAndFdsArrive) {
  SocketPair pair(GetParam());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const std::vector<std::byte> bytes = pattern(100);
  send_with_fds(pair.fds[0], bytes, std::vector<int>{pipe_fds[0], pipe_fds[1]});
  ReceivedMessage received = receive_with_fds(pair.fds[1], bytes.size());
  EXPECT_EQ(received.bytes, bytes);
  ASSERT_EQ(received.fds.size(), 2u);
  EXPECT_TRUE(same_file(received.fds[0], pipe_fds[0]));
  EXPECT_TRUE(same_file(received.fds[1], pipe_fds[1]));
  for (int fd : received.fds) {
    EXPECT_NE(fd, pipe_fds[0]);
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << "received fds must be close-on-exec";
    ::close(fd);
  }
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_P(FdPassingTest, BytesWithoutFds) {
  SocketPair pair(GetParam());
  const std::vector<std::byte> bytes = pattern(9);
  send_with_fds(pair.fds[0], bytes, {});
  ReceivedMessage received = receive_with_fds(pair.fds[1], bytes.size());
  EXPECT_EQ(received.bytes, bytes);
  EXPECT_TRUE(received.fds.empty());
}

TEST_P(FdPassingTest, MaximumFdCountArrives) {
  SocketPair pair(GetParam());
  std::vector<int> fds(kMaxFdsPerMessage, pair.fds[0]);
  send_with_fds(pair.fds[0], pattern(1), fds);
  ReceivedMessage received = receive_with_fds(pair.fds[1], 1);
  EXPECT_EQ(received.fds.size(), kMaxFdsPerMessage);
  for (int fd : received.fds) ::close(fd);
}

TEST_P(FdPassingTest, TooManyFdsFromAPeerAreClosed) {
  SocketPair pair(GetParam());
  const std::size_t before = count_open_fds();
  // One more than the limit fits the control buffer; many more truncate the control data.
  for (std::size_t count : {kMaxFdsPerMessage + 1, kMaxFdsPerMessage + 10}) {
    raw_send_fds(pair.fds[0], pair.fds[0], count, 4);
    std::string message;
    EXPECT_EQ(receive_error(pair.fds[1], 4, &message), ErrorCode::Invalid) << count;
    EXPECT_NE(message.find(std::to_string(kMaxFdsPerMessage)), std::string::npos) << message;
    EXPECT_EQ(count_open_fds(), before) << count << " fds sent";
  }
}

TEST_P(FdPassingTest, PeerClosingEarlyIsAnErrorAndLeaksNothing) {
  SocketPair pair(GetParam());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const std::size_t before = count_open_fds();
  // Not the socket's own end: a copy of it in flight would keep the connection open.
  send_with_fds(pair.fds[0], pattern(4), std::vector<int>{pipe_fds[0]});
  pair.close_end(0);
  std::string message;
  EXPECT_EQ(receive_error(pair.fds[1], 8, &message), ErrorCode::Invalid);
  // A stream delivers the 4 bytes and then end-of-file; a packet socket one short message.
  const char* expected =
      GetParam() == SOCK_STREAM ? "closed the socket after 4 of 8 bytes" : "expected a message of 8 bytes";
  EXPECT_NE(message.find(expected), std::string::npos) << message;
  EXPECT_EQ(count_open_fds(), before - 1);  // only the closed socket end is gone
  EXPECT_EQ(receive_error(pair.fds[1], 8, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find("closed the socket after 0 of 8 bytes"), std::string::npos) << message;
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_P(FdPassingTest, SendRejectsBadArguments) {
  SocketPair pair(GetParam());
  std::vector<int> fds(kMaxFdsPerMessage + 1, pair.fds[0]);
  try {
    send_with_fds(pair.fds[0], pattern(1), fds);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Invalid);
    EXPECT_NE(std::string(error.what()).find("17 fds"), std::string::npos) << error.what();
  }
  EXPECT_THROW(send_with_fds(pair.fds[0], {}, {}), Error);
  EXPECT_EQ(receive_error(pair.fds[1], 0), ErrorCode::Invalid);
  EXPECT_THROW(send_with_fds(pair.fds[0], pattern(1), std::vector<int>{-1}), Error);  // EBADF
}

TEST_P(FdPassingTest, OneCallEachWayCarriesBytesAndFds) {
  SocketPair pair(GetParam());
  const std::vector<std::byte> bytes = pattern(12);
  const std::vector<int> sent{pair.fds[0], pair.fds[0]};
  ASSERT_EQ(sendmsg_with_fds(pair.fds[0], bytes, sent), 12) << std::strerror(errno);
  std::vector<std::byte> out(12);
  std::vector<int> fds;
  int flags = -1;
  ASSERT_EQ(recvmsg_with_fds(pair.fds[1], out, fds, 0, flags), 12) << std::strerror(errno);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(flags & (MSG_CTRUNC | MSG_TRUNC), 0);
  ASSERT_EQ(fds.size(), 2u);
  for (int fd : fds) {
    EXPECT_TRUE(same_file(fd, pair.fds[0]));
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    ::close(fd);
  }
}

TEST_P(FdPassingTest, OneCallReportsWhatTheCallerMustJudge) {
  SocketPair pair(GetParam());
  // Too many fds to send is EINVAL, nothing sent.
  const std::vector<int> too_many(kMaxFdsPerMessage + 1, pair.fds[0]);
  errno = 0;
  EXPECT_EQ(sendmsg_with_fds(pair.fds[0], pattern(1), too_many), -1);
  EXPECT_EQ(errno, EINVAL);
  // Nothing waiting on a non-blocking receive is EAGAIN.
  std::vector<std::byte> out(4);
  std::vector<int> fds;
  int flags = 0;
  errno = 0;
  EXPECT_EQ(recvmsg_with_fds(pair.fds[1], out, fds, MSG_DONTWAIT, flags), -1);
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
  // Far more fds than the control room shows as MSG_CTRUNC; the ones that fit are the caller's.
  raw_send_fds(pair.fds[0], pair.fds[0], kMaxFdsPerMessage + 10, 4);
  EXPECT_EQ(recvmsg_with_fds(pair.fds[1], out, fds, 0, flags), 4);
  EXPECT_NE(flags & MSG_CTRUNC, 0);
  EXPECT_GT(fds.size(), kMaxFdsPerMessage);
  for (int fd : fds) ::close(fd);
  // A closed peer reads as 0 bytes.
  pair.close_end(0);
  EXPECT_EQ(recvmsg_with_fds(pair.fds[1], out, fds, 0, flags), 0);
}

INSTANTIATE_TEST_SUITE_P(SocketTypes, FdPassingTest, ::testing::Values(SOCK_STREAM, SOCK_SEQPACKET),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return param_info.param == SOCK_STREAM ? std::string("Stream") : std::string("SeqPacket");
                         });

TEST(FdPassingStreamTest, ReceiveGathersAMessageSentInPieces) {
  SocketPair pair(SOCK_STREAM);
  const std::vector<std::byte> bytes = pattern(8);
  send_with_fds(pair.fds[0], std::span(bytes).first(3), std::vector<int>{pair.fds[0]});
  ASSERT_EQ(::write(pair.fds[0], bytes.data() + 3, 5), 5);
  ReceivedMessage received = receive_with_fds(pair.fds[1], 8);
  EXPECT_EQ(received.bytes, bytes);
  ASSERT_EQ(received.fds.size(), 1u);
  ::close(received.fds[0]);
}

TEST(FdPassingStreamTest, ReceiveDoesNotTakeTheNextMessagesFds) {
  SocketPair pair(SOCK_STREAM);
  send_with_fds(pair.fds[0], pattern(4), std::vector<int>{pair.fds[0]});
  send_with_fds(pair.fds[0], pattern(4), std::vector<int>{pair.fds[0], pair.fds[0]});
  ReceivedMessage first = receive_with_fds(pair.fds[1], 4);
  ReceivedMessage second = receive_with_fds(pair.fds[1], 4);
  EXPECT_EQ(first.fds.size(), 1u);
  EXPECT_EQ(second.fds.size(), 2u);
  for (int fd : first.fds) ::close(fd);
  for (int fd : second.fds) ::close(fd);
}

TEST(FdPassingSeqPacketTest, LongerMessageThanExpectedIsRejected) {
  SocketPair pair(SOCK_SEQPACKET);
  const std::size_t before = count_open_fds();
  send_with_fds(pair.fds[0], pattern(16), std::vector<int>{pair.fds[0]});
  std::string message;
  EXPECT_EQ(receive_error(pair.fds[1], 8, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_EQ(count_open_fds(), before);
}

TEST(FdPassingSeqPacketTest, ShorterMessageThanExpectedIsRejected) {
  SocketPair pair(SOCK_SEQPACKET);
  const std::size_t before = count_open_fds();
  send_with_fds(pair.fds[0], pattern(4), std::vector<int>{pair.fds[0]});
  std::string message;
  EXPECT_EQ(receive_error(pair.fds[1], 8, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find("expected a message of 8 bytes"), std::string::npos) << message;
  EXPECT_EQ(count_open_fds(), before);
}

TEST(FdPassingErrorsTest, NotASocketIsASystemError) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_EQ(receive_error(pipe_fds[0], 4), ErrorCode::System);
  try {
    send_with_fds(pipe_fds[1], pattern(4), {});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::System);
  }
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(FdPassingErrorsTest, ReceiveTimeoutOfABlockingSocketIsReported) {
  SocketPair pair(SOCK_STREAM);
  const timeval timeout{0, 50000};
  ASSERT_EQ(::setsockopt(pair.fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)), 0);
  std::string message;
  EXPECT_EQ(receive_error(pair.fds[1], 4, &message), ErrorCode::System);
  EXPECT_NE(message.find("timed out"), std::string::npos) << message;
}

TEST(FdPassingErrorsTest, SendToAClosedPeerIsAnErrorNotSigpipe) {
  SocketPair pair(SOCK_STREAM);
  pair.close_end(1);
  try {
    send_with_fds(pair.fds[0], pattern(4), {});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::System);
    EXPECT_NE(std::string(error.what()).find("sendmsg"), std::string::npos) << error.what();
  }
}

// A message far larger than the socket buffer goes out in several partial sends; a child
// process reads it concurrently and checks every byte.
TEST(FdPassingProcessTest, LargeMessageSurvivesPartialSendsAndReceives) {
  SocketPair pair(SOCK_STREAM);
  const int small = 4096;
  ASSERT_EQ(::setsockopt(pair.fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(::setsockopt(pair.fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
  const std::vector<std::byte> bytes = pattern(1 << 20);
  const pid_t child = test::run_child([&] {
    ReceivedMessage received = receive_with_fds(pair.fds[1], bytes.size());
    if (received.bytes != bytes) return 1;
    if (received.fds.size() != 1) return 2;
    return 0;
  });
  send_with_fds(pair.fds[0], bytes, std::vector<int>{pair.fds[0]});
  EXPECT_EQ(test::wait_child(child), 0);
}

// The sender is a child that waits before sending; it is also used for the tests below.
pid_t send_later(int socket, std::chrono::milliseconds delay, std::size_t length) {
  return test::run_child([=] {
    ::usleep(static_cast<useconds_t>(delay.count() * 1000));
    send_with_fds(socket, pattern(length), std::vector<int>{socket});
    return 0;
  });
}

void on_alarm(int) {}

TEST(FdPassingProcessTest, ReceiveRetriesAfterEintr) {
  SocketPair pair(SOCK_STREAM);
  // A handler without SA_RESTART makes the blocked recvmsg fail with EINTR.
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = on_alarm;
  ASSERT_EQ(::sigaction(SIGALRM, &action, &previous), 0);
  itimerval timer{};
  timer.it_value.tv_usec = 20000;
  timer.it_interval.tv_usec = 20000;  // repeat, so several receives are interrupted
  ASSERT_EQ(::setitimer(ITIMER_REAL, &timer, nullptr), 0);
  const pid_t child = send_later(pair.fds[0], std::chrono::milliseconds(200), 16);
  ReceivedMessage received = receive_with_fds(pair.fds[1], 16);
  const itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
  ::sigaction(SIGALRM, &previous, nullptr);
  EXPECT_EQ(received.bytes, pattern(16));
  ASSERT_EQ(received.fds.size(), 1u);
  ::close(received.fds[0]);
  EXPECT_EQ(test::wait_child(child), 0);
}

TEST(FdPassingProcessTest, NonBlockingSocketWaitsForData) {
  SocketPair pair(SOCK_STREAM);
  ASSERT_EQ(::fcntl(pair.fds[1], F_SETFL, ::fcntl(pair.fds[1], F_GETFL) | O_NONBLOCK), 0);
  const pid_t child = send_later(pair.fds[0], std::chrono::milliseconds(50), 32);
  ReceivedMessage received = receive_with_fds(pair.fds[1], 32);
  EXPECT_EQ(received.bytes, pattern(32));
  ASSERT_EQ(received.fds.size(), 1u);
  ::close(received.fds[0]);
  EXPECT_EQ(test::wait_child(child), 0);
}

}  // namespace
}  // namespace vgen::shm
