// The pcapng writer and the block reader: the bytes the format prescribes, and a clear error
// with the byte offset for every way a file can be cut short or broken.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/pcapng.hpp>
#include <vgen/trace/pcapng_reader.hpp>
#include <vgen/trace/pcapng_writer.hpp>
#include <vgen/wire/codec.hpp>

#include "temp_file.hpp"

namespace vgen::trace {
namespace {

using testing::TempFile;
using wire::load_le;
using wire::store_le;

// A log with one interface and two packets; returns the offsets of its blocks.
std::vector<std::size_t> write_sample(const std::string& path) {
  PcapngWriter writer(path, "vgen test");
  const std::byte data[5] = {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}, std::byte{5}};
  EXPECT_EQ(writer.add_interface({"vq0", "virtqueue 0"}), 0u);
  writer.write_packet(0, 1'700'000'000'123'456'789ull, data, 9);
  writer.write_packet(0, 1'700'000'001'000'000'000ull, std::span(data).first(2), 2);
  writer.flush();
  std::vector<std::size_t> offsets;
  PcapngReader reader(path);
  while (const auto block = reader.next()) offsets.push_back(block->offset);
  return offsets;
}

TEST(Pcapng, BlocksAreFramedAsTheFormatSays) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  ASSERT_EQ(offsets.size(), 4u);
  const std::vector<std::byte> bytes = file.bytes();
  EXPECT_EQ(load_le<std::uint32_t>(bytes.data()), pcapng::kSectionHeader);
  EXPECT_EQ(load_le<std::uint32_t>(bytes.data() + 8), pcapng::kByteOrderMagic);
  EXPECT_EQ(load_le<std::uint16_t>(bytes.data() + 12), 1);
  EXPECT_EQ(load_le<std::uint16_t>(bytes.data() + 14), 0);
  EXPECT_EQ(load_le<std::int64_t>(bytes.data() + 16), -1);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : bytes.size();
    const std::uint32_t total = load_le<std::uint32_t>(bytes.data() + offsets[i] + 4);
    EXPECT_EQ(total, end - offsets[i]);
    EXPECT_EQ(total % 4, 0u);
    EXPECT_EQ(load_le<std::uint32_t>(bytes.data() + end - 4), total);
  }
  const std::byte* idb = bytes.data() + offsets[1];
  EXPECT_EQ(load_le<std::uint32_t>(idb), pcapng::kInterfaceDescription);
  EXPECT_EQ(load_le<std::uint16_t>(idb + 8), pcapng::kLinkTypeVgen);
  const std::byte* epb = bytes.data() + offsets[2];
  EXPECT_EQ(load_le<std::uint32_t>(epb), pcapng::kEnhancedPacket);
  const std::uint64_t ts = (std::uint64_t{load_le<std::uint32_t>(epb + 12)} << 32) | load_le<std::uint32_t>(epb + 16);
  EXPECT_EQ(ts, 1'700'000'000'123'456'789ull);
  EXPECT_EQ(load_le<std::uint32_t>(epb + 20), 5u);  // captured
  EXPECT_EQ(load_le<std::uint32_t>(epb + 24), 9u);  // original
  EXPECT_EQ(load_le<std::uint32_t>(epb + 4), 12u + 20 + 8);
}

// The error reading the whole of `bytes` ends with, and how many blocks came before it.
Error read_until_error(const TempFile& file, const std::vector<std::byte>& bytes, std::size_t& blocks) {
  file.write(bytes);
  PcapngReader reader(file.path());
  blocks = 0;
  try {
    while (reader.next()) ++blocks;
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "read without error";
  return Error(ErrorCode::Invalid, "");
}

TEST(Pcapng, TruncatedBlockIsNamedWithItsOffset) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  std::vector<std::byte> bytes = file.bytes();
  bytes.resize(offsets[3] + 10);
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(blocks, 3u);
  EXPECT_EQ(error.code(), ErrorCode::Truncated);
  EXPECT_EQ(error.offset(), offsets[3]);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(offsets[3]) +
                ": the log ends inside a 36-byte enhanced packet block (10 bytes of it present)");
}

TEST(Pcapng, TruncatedHeader) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  std::vector<std::byte> bytes = file.bytes();
  bytes.resize(offsets[2] + 3);
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(blocks, 2u);
  EXPECT_EQ(error.code(), ErrorCode::Truncated);
  EXPECT_EQ(std::string(error.what()),
            "byte " + std::to_string(offsets[2]) + ": the log ends inside a block header (3 bytes of it present)");
}

TEST(Pcapng, LengthsThatDisagree) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  std::vector<std::byte> bytes = file.bytes();
  store_le<std::uint32_t>(bytes.data() + offsets[3] - 4, 44);
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(blocks, 2u);
  EXPECT_EQ(error.code(), ErrorCode::Corrupt);
  EXPECT_EQ(error.offset(), offsets[2]);
  EXPECT_NE(std::string(error.what()).find("at its start and 44 at its end"), std::string::npos) << error.what();
}

TEST(Pcapng, ImpossibleLength) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  std::vector<std::byte> bytes = file.bytes();
  store_le<std::uint32_t>(bytes.data() + offsets[2] + 4, 7);
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(error.code(), ErrorCode::Corrupt);
  EXPECT_EQ(std::string(error.what()), "byte " + std::to_string(offsets[2]) +
                                           ": enhanced packet block with total length 7 (a length is a multiple of 4 "
                                           "from 12 to 16 MiB)");
}

TEST(Pcapng, NotAPcapngFile) {
  TempFile file;
  std::vector<std::byte> bytes(64, std::byte{'x'});
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(error.code(), ErrorCode::Corrupt);
  EXPECT_EQ(std::string(error.what()), "byte 0: a pcapng log starts with a section header block; this is not one");
}

TEST(Pcapng, BadByteOrderMagic) {
  TempFile file;
  write_sample(file.path());
  std::vector<std::byte> bytes = file.bytes();
  store_le<std::uint32_t>(bytes.data() + 8, 0x12345678);
  std::size_t blocks = 0;
  const Error error = read_until_error(file, bytes, blocks);
  EXPECT_EQ(std::string(error.what()),
            "byte 0: section header block with byte-order magic 0x12345678, not 0x1a2b3c4d in either byte order");
}

TEST(Pcapng, EmptyFileHasNoBlocks) {
  TempFile file;
  file.write({});
  PcapngReader reader(file.path());
  EXPECT_FALSE(reader.next().has_value());
}

TEST(Pcapng, MissingFile) {
  try {
    PcapngReader reader("/nonexistent/vgen.pcapng");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::System);
    EXPECT_EQ(std::string(error.what()), "cannot open trace log '/nonexistent/vgen.pcapng': No such file or directory");
  }
}

TEST(Pcapng, FollowModeWaitsForTheRestOfABlock) {
  TempFile file;
  const std::vector<std::size_t> offsets = write_sample(file.path());
  const std::vector<std::byte> whole = file.bytes();
  std::vector<std::byte> part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(offsets[3] + 6));
  file.write(part);
  PcapngReader reader(file.path());
  reader.set_follow(true);
  int blocks = 0;
  while (reader.next()) ++blocks;
  EXPECT_EQ(blocks, 3);
  EXPECT_FALSE(reader.next().has_value());
  {
    std::ofstream out(file.path(), std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<const char*>(whole.data()) + part.size(),
              static_cast<std::streamsize>(whole.size() - part.size()));
  }
  const auto last = reader.next();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->offset, offsets[3]);
  EXPECT_EQ(last->type, pcapng::kEnhancedPacket);
}

}  // namespace
}  // namespace vgen::trace
