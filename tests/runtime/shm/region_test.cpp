#include <vgen/shm/region.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include <vgen/shm/error.hpp>

#include "test_support.hpp"

namespace vgen::shm {
namespace {

const std::size_t kPage = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

ErrorCode code_of_map(int fd, std::size_t size, std::string* message = nullptr) {
  try {
    Region::map(fd, size);
  } catch (const Error& error) {
    if (message != nullptr) *message = error.what();
    return error.code();
  }
  ADD_FAILURE() << "map did not throw";
  return ErrorCode::System;
}

TEST(RegionTest, CreateRoundsUpToPagesAndZeroFills) {
  Region region = Region::create("vgen-test", 100);
  EXPECT_EQ(region.size(), kPage);
  ASSERT_NE(region.data(), nullptr);
  ASSERT_GE(region.fd(), 0);
  for (std::size_t i = 0; i < region.size(); ++i) ASSERT_EQ(region.data()[i], std::byte{0}) << i;
  EXPECT_EQ(Region::create("vgen-test", kPage + 1).size(), 2 * kPage);
}

TEST(RegionTest, CreatedFdIsCloseOnExecAndSealedAgainstShrinking) {
  Region region = Region::create("vgen-test", kPage);
  EXPECT_NE(::fcntl(region.fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(region.fd(), F_GET_SEALS) & F_SEAL_SHRINK, 0);
  // A peer holding the fd cannot truncate the file under our mapping.
  EXPECT_NE(::ftruncate(region.fd(), 0), 0);
  EXPECT_EQ(errno, EPERM);
  region.data()[kPage - 1] = std::byte{7};  // still mapped and backed
}

TEST(RegionTest, CreateRejectsBadSizes) {
  try {
    Region::create("vgen-test", 0);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Invalid);
    EXPECT_NE(std::string(error.what()).find("vgen-test"), std::string::npos);
  }
  EXPECT_THROW(Region::create("vgen-test", std::numeric_limits<std::size_t>::max()), Error);
}

TEST(RegionTest, MapSharesBytesWithTheCreator) {
  Region created = Region::create("vgen-test", 2 * kPage);
  Region mapped = Region::map(::dup(created.fd()), 2 * kPage);
  EXPECT_NE(mapped.data(), created.data());
  EXPECT_EQ(mapped.size(), 2 * kPage);
  created.data()[5] = std::byte{0x5a};
  EXPECT_EQ(mapped.data()[5], std::byte{0x5a});
  mapped.data()[2 * kPage - 1] = std::byte{0xa5};
  EXPECT_EQ(created.data()[2 * kPage - 1], std::byte{0xa5});
}

TEST(RegionTest, MapOfAPrefixIsAllowed) {
  Region created = Region::create("vgen-test", 2 * kPage);
  Region mapped = Region::map(::dup(created.fd()), 100);
  EXPECT_EQ(mapped.size(), 100u);
}

TEST(RegionTest, MapRejectsAFileSmallerThanAskedAndClosesTheFd) {
  Region created = Region::create("vgen-test", kPage);
  const std::size_t before = test::count_open_fds();
  std::string message;
  EXPECT_EQ(code_of_map(::dup(created.fd()), 2 * kPage, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find(std::to_string(kPage)), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(2 * kPage)), std::string::npos) << message;
  EXPECT_EQ(test::count_open_fds(), before);
}

TEST(RegionTest, MapRejectsBadArguments) {
  EXPECT_EQ(code_of_map(-1, kPage), ErrorCode::Invalid);
  Region created = Region::create("vgen-test", kPage);
  const std::size_t before = test::count_open_fds();
  EXPECT_EQ(code_of_map(::dup(created.fd()), 0), ErrorCode::Invalid);
  EXPECT_EQ(test::count_open_fds(), before);
}

TEST(RegionTest, MapRejectsFilesThatCannotBeSealed) {
  const std::size_t before = test::count_open_fds();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[1]);
  std::string message;
  EXPECT_EQ(code_of_map(pipe_fds[0], kPage, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find("not a memfd"), std::string::npos) << message;

  // A memfd created without MFD_ALLOW_SEALING could be shrunk by its creator at any time.
  const int unsealable = ::memfd_create("vgen-unsealable", MFD_CLOEXEC);
  ASSERT_GE(unsealable, 0);
  ASSERT_EQ(::ftruncate(unsealable, static_cast<off_t>(kPage)), 0);
  EXPECT_EQ(code_of_map(unsealable, kPage, &message), ErrorCode::Invalid);
  EXPECT_NE(message.find("does not allow sealing"), std::string::npos) << message;
  EXPECT_EQ(test::count_open_fds(), before);
}

TEST(RegionTest, MapSealsAnUnsealedMemfd) {
  const int fd = ::memfd_create("vgen-unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kPage)), 0);
  const int creator = ::dup(fd);
  Region mapped = Region::map(fd, kPage);
  EXPECT_NE(::fcntl(creator, F_GET_SEALS) & F_SEAL_SHRINK, 0);
  EXPECT_NE(::ftruncate(creator, 0), 0);  // the creator can no longer pull the pages away
  ::close(creator);
}

TEST(RegionTest, MoveTransfersOwnership) {
  Region first = Region::create("vgen-test", kPage);
  std::byte* data = first.data();
  const int fd = first.fd();
  Region second(std::move(first));
  EXPECT_EQ(first.data(), nullptr);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(first.fd(), -1);
  EXPECT_EQ(first.size(), 0u);
  EXPECT_EQ(second.data(), data);
  EXPECT_EQ(second.fd(), fd);

  Region third = Region::create("vgen-test", kPage);
  const std::size_t before = test::count_open_fds();
  third = std::move(second);  // releases third's own memfd
  EXPECT_EQ(test::count_open_fds(), before - 1);
  EXPECT_EQ(third.fd(), fd);
  third.data()[0] = std::byte{1};
}

TEST(RegionTest, DestructorClosesTheFd) {
  const std::size_t before = test::count_open_fds();
  { Region region = Region::create("vgen-test", kPage); }
  EXPECT_EQ(test::count_open_fds(), before);
}

}  // namespace
}  // namespace vgen::shm
