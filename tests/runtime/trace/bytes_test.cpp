// The trace layer's byte helpers (vgen/trace/detail/bytes.hpp): copy_bytes copies exactly the bytes
// asked for, of every length, reading and writing nothing beside them (under AddressSanitizer
// the source and destination are blocks of exactly that length).
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <vector>

#include <vgen/trace/detail/bytes.hpp>

namespace vgen::trace::detail {
namespace {

TEST(CopyBytes, CopiesEveryLengthExactly) {
  for (std::size_t count = 0; count <= 200; ++count) {
    auto from = std::make_unique<std::byte[]>(count);
    for (std::size_t i = 0; i < count; ++i) from[i] = static_cast<std::byte>(i * 7 + 1);
    // The destination, with a guard byte on each side that must stay as it was.
    std::vector<std::byte> to(count + 2, std::byte{0xee});
    copy_bytes(to.data() + 1, from.get(), count);
    EXPECT_EQ(to.front(), std::byte{0xee}) << count;
    EXPECT_EQ(to.back(), std::byte{0xee}) << count;
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(to[i + 1], from[i]) << "byte " << i << " of " << count;
  }
}

TEST(CopyBytes, ReadsOnlyTheBytesAskedFor) {
  // Exact-sized blocks on both sides: an access outside them is an AddressSanitizer report.
  for (std::size_t count = 1; count <= 70; ++count) {
    auto from = std::make_unique<std::byte[]>(count);
    auto to = std::make_unique<std::byte[]>(count);
    for (std::size_t i = 0; i < count; ++i) from[i] = static_cast<std::byte>(255 - i);
    copy_bytes(to.get(), from.get(), count);
    EXPECT_EQ(to[count - 1], from[count - 1]) << count;
    EXPECT_EQ(to[0], from[0]) << count;
  }
}

}  // namespace
}  // namespace vgen::trace::detail
