// Typed store nodes: a struct of nodes read from a directory with Xenbus's checks, and turned
// into the nodes a side publishes.
#include <vgen/halves/store_nodes.hpp>

#include <gtest/gtest.h>

#include <vgen/halves/split_spec.hpp>
#include <vgen/testing/in_process_store.hpp>
#include <vgen/xenbus/error.hpp>

namespace {

struct Nodes {
  std::uint64_t sectors = 0;
  std::string protocol;
  std::uint8_t flag = 0;
  auto members() { return std::tie(sectors, protocol, flag); }
  static constexpr std::array<std::string_view, 3> kNames{"sectors", "protocol", "feature-x"};
};

const char* const kDirectory = "/local/domain/0/test";

TEST(StoreNodes, PublishedNodesNameEveryMember) {
  const vgen::xenbus::Nodes nodes = vgen::halves::published_nodes(Nodes{2048, "abi", 1});
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0], (std::pair<std::string, std::string>{"sectors", "2048"}));
  EXPECT_EQ(nodes[1], (std::pair<std::string, std::string>{"protocol", "abi"}));
  EXPECT_EQ(nodes[2], (std::pair<std::string, std::string>{"feature-x", "1"}));
  EXPECT_TRUE(vgen::halves::published_nodes(vgen::halves::NoNodes{}).empty());
}

TEST(StoreNodes, ReadNodesChecksEachValue) {
  vgen::testing::InProcessStore store;
  auto& client = store.toolstack();
  client.write(std::string(kDirectory) + "/sectors", "99");
  client.write(std::string(kDirectory) + "/protocol", "x86_64-abi");
  client.write(std::string(kDirectory) + "/feature-x", "256");
  try {
    vgen::halves::read_nodes<Nodes>(client, kDirectory);
    FAIL() << "256 does not fit a u8";
  } catch (const vgen::xenbus::Error& error) {
    EXPECT_NE(std::string(error.what()).find("feature-x"), std::string::npos) << error.what();
  }
  client.write(std::string(kDirectory) + "/feature-x", "1");
  const Nodes nodes = vgen::halves::read_nodes<Nodes>(client, kDirectory);
  EXPECT_EQ(nodes.sectors, 99u);
  EXPECT_EQ(nodes.protocol, "x86_64-abi");
  EXPECT_EQ(nodes.flag, 1u);
}

TEST(StoreNodes, AMissingNodeIsNamed) {
  vgen::testing::InProcessStore store;
  try {
    vgen::halves::read_nodes<Nodes>(store.toolstack(), kDirectory);
    FAIL() << "nothing was written";
  } catch (const vgen::xenbus::Error& error) {
    EXPECT_NE(std::string(error.what()).find("sectors"), std::string::npos) << error.what();
  }
}

}  // namespace
