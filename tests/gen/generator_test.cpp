// Code generation: the files of each kind, refusals with their place, writing only what
// changed, and the facts generation adds to the template data.
#include "vgen/gen/render/generator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "vgen/gen/load/loader.hpp"
#include "vgen/gen/render/generation_data.hpp"

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
      (std::vector<std::string>{"virtio_blk_messages.hpp", "virtio_blk_driver_base.hpp", "virtio_blk_device_base.hpp",
                                "virtio_blk_demo.cpp", "virtio_blk_queues_test.cpp"}));
  EXPECT_EQ(vgen::gen::output_paths(spec("rpmsg-echo"), {FileRole::user}),
            (std::vector<std::string>{"rpmsg_echo_driver.hpp", "rpmsg_echo_driver.cpp", "rpmsg_echo_device.hpp",
                                      "rpmsg_echo_device.cpp"}));
}

TEST(Generator, SplitSpecsGenerateAFrontendAndABackend) {
  EXPECT_EQ(vgen::gen::output_paths(spec("xen-blk"), {FileRole::generated}),
            (std::vector<std::string>{"xen_blk_messages.hpp", "xen_blk_frontend_base.hpp", "xen_blk_backend_base.hpp",
                                      "xen_blk_demo.cpp"}));
  EXPECT_EQ(vgen::gen::output_paths(spec("vdummy"), {FileRole::user}),
            (std::vector<std::string>{"vdummy_frontend.hpp", "vdummy_frontend.cpp", "vdummy_backend.hpp",
                                      "vdummy_backend.cpp"}));
  const auto files = vgen::gen::render(spec("vdummy"), VGEN_TEMPLATES_DIR, {FileRole::generated});
  ASSERT_EQ(files.size(), 4u);
  const std::string& messages = files.front().content;
  EXPECT_NE(messages.find(".device_type = \"vdummy\""), std::string::npos);
  EXPECT_NE(messages.find(".frontend_compatible = \"vdummy,frontend\""), std::string::npos);
  EXPECT_NE(messages.find(".backend_compatible = \"vdummy,backend\""), std::string::npos);
  EXPECT_NE(messages.find(".entries = 32"), std::string::npos) << "64-byte entries: 4032 / 64 = 63, down to 32";
  EXPECT_NE(messages.find("using FrontendNodes = vgen::halves::NoNodes;"), std::string::npos) << "no frontend nodes";
  EXPECT_NE(files[1].content.find("SplitFrontend<kSpec, VdummyRequest, VdummyResponse, FrontendNodes, BackendNodes>"),
            std::string::npos);
  EXPECT_NE(files[2].content.find("SplitBackend<kSpec, VdummyRequest, VdummyResponse, FrontendNodes, BackendNodes>"),
            std::string::npos);
}

TEST(Generator, SplitDataNamesStoreNodesEchoedFieldsAndTheProfile) {
  const auto blk = vgen::gen::generation_data(spec("xen-blk"));
  const auto& split = *blk.get("split");
  EXPECT_TRUE(split.get("is_blkif")->is_true()) << "xen-blk.yaml asks for ring: {profile: blkif}";
  EXPECT_EQ(split.get("profile")->string_value(), "blkif");
  // ring-ref and event-channel are the base's; the user's code sees protocol only.
  const auto& frontend = split.get("frontend_nodes")->list_value();
  ASSERT_EQ(frontend.size(), 1u);
  EXPECT_EQ(frontend[0].get("name")->string_value(), "protocol");
  EXPECT_TRUE(frontend[0].get("first")->is_true()) << "first of the kept nodes, not of the spec's list";
  EXPECT_EQ(frontend[0].get("default_value")->string_value(), "vgen::profiles::blkif::kNativeProtocol");
  const auto& backend = split.get("backend_nodes")->list_value();
  ASSERT_EQ(backend.size(), 4u);
  EXPECT_EQ(backend[0].get("name_snake")->string_value(), "sectors");
  EXPECT_EQ(backend[0].get("default_value")->string_value(), "disk_.sectors()");
  EXPECT_EQ(backend[3].get("default_value")->string_value(), "disk_.flush_cache()");
  EXPECT_EQ(backend[0].get("max")->string_value(), "std::numeric_limits<std::uint64_t>::max()");
  const auto dummy = vgen::gen::generation_data(spec("vdummy"));
  EXPECT_TRUE(dummy.get("split")->get("is_blkif")->is_false());
  const auto& echoed = dummy.get("split")->get("echoed_fields")->list_value();
  ASSERT_EQ(echoed.size(), 1u) << "id is in both types; status is the response's alone";
  EXPECT_EQ(echoed[0].get("field")->string_value(), "id");
  EXPECT_EQ(dummy.get("first_half")->string_value(), "frontend");
}

// A spec whose ring has blkif's layout and field names but no profile gets the plain echo
// halves: the behaviour comes from the profile key alone, never from names.
TEST(Generator, BlkifBehaviourNeedsTheProfileKey) {
  const fs::path path = fs::temp_directory_path() / ("vgen-no-profile-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ifstream in(std::string(VGEN_SOURCE_DIR) + "/devices/xen-blk/xen-blk.yaml");
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    text.erase(text.find("  profile: blkif\n"), std::string("  profile: blkif\n").size());
    std::ofstream(path) << text;
  }
  const auto data = vgen::gen::generation_data(vgen::gen::load_spec_or_throw(path.string()));
  fs::remove(path);
  EXPECT_TRUE(data.get("split")->get("is_blkif")->is_false());
  const auto& backend = data.get("split")->get("backend_nodes")->list_value();
  EXPECT_EQ(backend[0].get("default_value")->string_value(), "1");
}

// Generated files name their spec by its file name: the folders it was read from and written
// to leave no trace, so one spec gives the same bytes anywhere.
TEST(Generator, GeneratedFilesNameTheSpecByItsFileName) {
  for (const vgen::gen::RenderedFile& file :
       vgen::gen::render(spec("virtio-rng"), VGEN_TEMPLATES_DIR, {FileRole::generated})) {
    EXPECT_NE(file.content.find("from virtio-rng.yaml"), std::string::npos) << file.path;
    EXPECT_EQ(file.content.find(VGEN_SOURCE_DIR), std::string::npos) << file.path;
    EXPECT_EQ(file.content.find("devices/"), std::string::npos) << file.path;
  }
}

// Checks a split spec with a ring of `pages` pages and a backend node `level` of
// `node_type`; its diagnostics ("line:col: error: ...", one per line), or "" when it is
// valid. Shapes the generated halves cannot serve are the checker's errors, so that
// `vgen check` refuses what `vgen generate` would, and generation itself refuses nothing.
std::string split_refusal(const std::string& pages, const std::string& node_type) {
  const std::string text = "kind: split\nname: shape\ndevice_type: shape\nflavour: xenbus\ntypes:\n"
                           "  - {name: req, kind: struct, fields: [{name: id, type: u32}]}\n"
                           "ring:\n  pages: " + pages + "\n  request: req\n  response: req\nstore:\n"
                           "  - {name: ring-ref, side: frontend, type: u32}\n"
                           "  - {name: level, side: backend, type: " + node_type + "}\n";
  const vgen::gen::LoadResult result = vgen::gen::load_text(text, "shape.yaml");
  std::string diagnostics;
  for (const vgen::gen::Diagnostic& diagnostic : result.diagnostics.sorted()) {
    diagnostics += diagnostic.to_string().substr(std::string("shape.yaml").size()) + "\n";
  }
  if (result.ok()) {
    vgen::gen::template_files(std::get<vgen::gen::Spec>(*result.document));  // refuses nothing
  }
  return diagnostics;
}

TEST(Generator, SplitShapesGeneratedCodeCannotServeAreRefusedByTheChecker) {
  EXPECT_EQ(split_refusal("1", "u16"), "");
  EXPECT_EQ(split_refusal("2", "u16"), "") << "a ring of 2 pages is negotiated (ring-page-order)";
  EXPECT_EQ(split_refusal("1", "i16"),
            ":13:40: error: store node 'level' has the signed type i16; the halves read store numbers as unsigned "
            "decimals, as Xen's drivers do (use u8, u16, u32 or u64)\n");
}

TEST(Generator, MessagesCarryStaticAssertsForEveryOffset) {
  const auto files = vgen::gen::render(spec("virtio-blk"), VGEN_TEMPLATES_DIR, {FileRole::generated});
  ASSERT_EQ(files.size(), 5u);
  const std::string& messages = files.front().content;
  EXPECT_NE(messages.find("static_assert(sizeof(BlkRequestHeader) == 16 && alignof(BlkRequestHeader) == 8"),
            std::string::npos);
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
