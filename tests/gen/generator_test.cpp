// Code generation: the files of each kind, refusals with their place, writing only what
// changed, and the facts generation adds to the template data.
#include "vgen/gen/generator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "vgen/gen/generation_data.hpp"
#include "vgen/gen/loader.hpp"

namespace {

namespace fs = std::filesystem;
using vgen::gen::FileRole;

vgen::gen::Spec spec(const std::string& device) {
  return vgen::gen::load_spec_or_throw(std::string(VGEN_SOURCE_DIR) + "/devices/" + device + "/" + device + ".yaml");
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Generator, GeneratedFilesOfAVirtioSpec) {
  EXPECT_EQ(
      vgen::gen::output_paths(spec("virtio-blk"), {FileRole::generated}),
      (std::vector<std::string>{"virtio_blk_messages.hpp", "virtio_blk_driver_base.hpp", "virtio_blk_driver_base.cpp",
                                "virtio_blk_device_base.hpp", "virtio_blk_device_base.cpp", "virtio_blk_demo.cpp"}));
  EXPECT_EQ(vgen::gen::output_paths(spec("rpmsg-echo"), {FileRole::user}),
            (std::vector<std::string>{"rpmsg_echo_driver.hpp", "rpmsg_echo_driver.cpp", "rpmsg_echo_device.hpp",
                                      "rpmsg_echo_device.cpp"}));
}

TEST(Generator, SplitSpecsAreRefusedAtTheirKind) {
  try {
    vgen::gen::template_files(spec("xen-blk"));
    FAIL() << "split specs are not generated";
  } catch (const vgen::gen::GenerateError& error) {
    EXPECT_EQ(error.location().line, 4);
    EXPECT_NE(error.diagnostic().find("kind 'split' (spec 'xen-blk') is not yet supported"), std::string::npos);
  }
}

TEST(Generator, MessagesCarryStaticAssertsForEveryOffset) {
  const auto files = vgen::gen::render(spec("virtio-blk"), VGEN_TEMPLATES_DIR, {FileRole::generated});
  ASSERT_EQ(files.size(), 6u);
  const std::string& messages = files.front().content;
  EXPECT_NE(messages.find("static_assert(sizeof(BlkRequestHeader) == 16"), std::string::npos);
  EXPECT_NE(messages.find("static_assert(offsetof(BlkRequestHeader, sector_) == 8"), std::string::npos);
  EXPECT_NE(messages.find("static_assert(offsetof(VirtioBlkConfig, _pad33_) == 33"), std::string::npos)
      << "explicit padding is a member with its own assertion";
  EXPECT_NE(messages.find("static_assert(offsetof(VirtioBlkConfig, num_queues_) == 34"), std::string::npos);
}

TEST(Generator, WritesOnlyWhatChangedAndNeverUserFiles) {
  const fs::path folder = fs::temp_directory_path() / ("vgen-generator-test-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  const vgen::gen::RenderedFile generated{"a/generated.hpp", FileRole::generated, "one\n"};
  const vgen::gen::RenderedFile user{"user.cpp", FileRole::user, "mine\n"};
  EXPECT_EQ(vgen::gen::write_file(folder, generated), vgen::gen::WriteOutcome::created);
  EXPECT_EQ(vgen::gen::write_file(folder, generated), vgen::gen::WriteOutcome::unchanged);
  EXPECT_EQ(vgen::gen::write_file(folder, {"a/generated.hpp", FileRole::generated, "two\n"}),
            vgen::gen::WriteOutcome::updated);
  EXPECT_EQ(read(folder / "a/generated.hpp"), "two\n");
  EXPECT_EQ(vgen::gen::write_file(folder, user), vgen::gen::WriteOutcome::created);
  EXPECT_EQ(vgen::gen::write_file(folder, {"user.cpp", FileRole::user, "theirs\n"}), vgen::gen::WriteOutcome::kept);
  EXPECT_EQ(read(folder / "user.cpp"), "mine\n");
  fs::remove_all(folder);
}

TEST(Generator, EchoQueuesPairDriverToDeviceWithDeviceToDriverOfTheSameType) {
  const auto data = vgen::gen::generation_data(spec("virtio-console"));
  const auto& queues = data.get("virtio")->get("queues")->list_value();
  ASSERT_EQ(queues.size(), 4u);
  EXPECT_EQ(queues[1].get("echo_to")->string_value(), "receiveq0");         // transmitq0, raw bytes
  EXPECT_EQ(queues[3].get("echo_to")->string_value(), "control_receiveq");  // console_control
  EXPECT_TRUE(queues[0].get("is_echo_target")->is_true());
  const auto rng = vgen::gen::generation_data(spec("virtio-rng"));
  const auto& request = rng.get("virtio")->get("queues")->list_value().front();
  EXPECT_TRUE(request.get("is_echo_target")->is_false()) << "nothing feeds the entropy queue: the device makes bytes";
}

}  // namespace
