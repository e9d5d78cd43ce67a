// The layout pass: natural alignment, explicit offsets and padding, arrays, nesting, byte
// order, and agreement with the C headers the layouts describe.
#include <linux/virtio_blk.h>
#include <linux/virtio_console.h>
#include <xen/io/blkif.h>
#include <xen/xen.h>
#include <cstddef>
#include <cstdint>

#include "spec_text.hpp"
#include "vgen/gen/load/layout.hpp"

namespace vgen::gen {
namespace {

using testing::member;
using testing::type_named;
using testing::valid_spec;
using testing::virtio_with_types;

TEST(Layout, AlignsEachIntegerToItsSizeAndPadsTheTail) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: mixed
    kind: struct
    fields:
      - {name: a, type: u8}
      - {name: b, type: u32}
      - {name: c, type: u16}
      - {name: d, type: u64}
      - {name: e, type: i8}
)"));
  const TypeDefinition& type = type_named(spec, "mixed");
  const StructType& mixed = *type.as_struct();
  EXPECT_EQ(member(mixed, "a").offset, 0u);
  EXPECT_EQ(member(mixed, "b").offset, 4u);
  EXPECT_EQ(member(mixed, "c").offset, 8u);
  EXPECT_EQ(member(mixed, "d").offset, 16u);
  EXPECT_EQ(member(mixed, "e").offset, 24u);
  EXPECT_EQ(type.layout.size, 32u);
  EXPECT_EQ(type.layout.align, 8u);
  // Implicit padding after a (3), after c (6) and at the tail (7), in order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> padding;
  for (const Member& entry : mixed.members) {
    if (entry.is_padding()) {
      EXPECT_TRUE(entry.implicit);
      padding.emplace_back(entry.offset, entry.size);
    }
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> expected{{1, 3}, {10, 6}, {25, 7}};
  EXPECT_EQ(padding, expected);
  EXPECT_EQ(mixed.members.size(), 8u);
}

TEST(Layout, ExplicitPaddingAndOffsetsAreHonoured) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: spaced
    kind: struct
    size: 24
    fields:
      - {name: tag, type: u8}
      - pad: 3
      - {name: length, type: u32}
      - {name: address, type: u64, offset: 16}
)"));
  const TypeDefinition& type = type_named(spec, "spaced");
  const StructType& spaced = *type.as_struct();
  EXPECT_EQ(member(spaced, "length").offset, 4u);
  EXPECT_EQ(member(spaced, "address").offset, 16u);
  EXPECT_EQ(type.layout.size, 24u);
  ASSERT_EQ(spaced.members.size(), 5u);
  EXPECT_TRUE(spaced.members[1].is_padding());
  EXPECT_FALSE(spaced.members[1].implicit);  // the declared pad: 3
  EXPECT_EQ(spaced.members[1].size, 3u);
  EXPECT_TRUE(spaced.members[3].implicit);  // bytes 8-15 before the explicit offset
  EXPECT_EQ(spaced.members[3].offset, 8u);
  EXPECT_EQ(spaced.members[3].size, 8u);
}

TEST(Layout, ArraysTakeTheirElementsAlignmentAndTotalSize) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: pair
    kind: struct
    fields:
      - {name: low, type: u16}
      - {name: high, type: u8}
  - name: table
    kind: struct
    fields:
      - {name: id, type: "u8[3]"}
      - {name: pairs, type: "pair[0x5]"}
      - {name: words, type: "u32[2]"}
)"));
  const TypeDefinition& pair = type_named(spec, "pair");
  EXPECT_EQ(pair.layout.size, 4u);
  EXPECT_EQ(pair.layout.align, 2u);
  const StructType& table = *type_named(spec, "table").as_struct();
  const Member& id = member(table, "id");
  EXPECT_EQ(id.size, 3u);
  EXPECT_EQ(id.align, 1u);
  EXPECT_EQ(id.type.count, 3u);
  const Member& pairs = member(table, "pairs");
  EXPECT_EQ(pairs.offset, 4u);  // 3 rounded up to pair's 2-byte alignment
  EXPECT_EQ(pairs.size, 20u);
  EXPECT_EQ(pairs.type.count, 5u);
  ASSERT_TRUE(pairs.type.named);
  EXPECT_EQ(spec.types.types[*pairs.type.named].name, "pair");
  EXPECT_EQ(member(table, "words").offset, 24u);
  EXPECT_EQ(type_named(spec, "table").layout.size, 32u);
}

TEST(Layout, NestedStructsAreLaidOutFirstWhateverTheirOrder) {
  // `outer` uses `inner` before `inner` is declared.
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: outer
    kind: struct
    fields:
      - {name: flag, type: u8}
      - {name: body, type: inner}
  - name: inner
    kind: struct
    fields:
      - {name: value, type: u64}
      - {name: more, type: u8}
)"));
  EXPECT_EQ(type_named(spec, "inner").layout.size, 16u);
  const TypeDefinition& outer = type_named(spec, "outer");
  EXPECT_EQ(member(*outer.as_struct(), "body").offset, 8u);
  EXPECT_EQ(outer.layout.size, 24u);
  EXPECT_EQ(outer.layout.align, 8u);
}

TEST(Layout, EnumsAndFlagsTakeTheSizeOfTheirType) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: code
    kind: enum
    type: i16
    values: [{name: NEG, value: -32768}, {name: POS, value: 32767}]
  - name: bits
    kind: flags
    type: u64
    flags: [{name: TOP, bit: 63}]
  - name: holder
    kind: struct
    fields:
      - {name: c, type: code}
      - {name: b, type: bits}
)"));
  EXPECT_EQ(type_named(spec, "code").layout.size, 2u);
  EXPECT_EQ(type_named(spec, "bits").layout.size, 8u);
  EXPECT_EQ(member(*type_named(spec, "holder").as_struct(), "b").offset, 8u);
  const EnumType& code = *type_named(spec, "code").as_enum();
  EXPECT_EQ(code.values[0].value, (Integer{true, 32768}));
  EXPECT_EQ(type_named(spec, "bits").as_flags()->flags[0].bit, 63u);
}

TEST(Layout, ByteOrderDefaultsToLittleAndStructsCanChangeTheDefault) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: network
    kind: struct
    byte_order: be
    fields:
      - {name: port, type: u16}
      - {name: host_value, type: u32, byte_order: le}
  - name: plain
    kind: struct
    fields:
      - {name: value, type: u32}
      - {name: wire, type: u32, byte_order: be}
)"));
  const StructType& network = *type_named(spec, "network").as_struct();
  EXPECT_EQ(member(network, "port").byte_order, ByteOrder::big);
  EXPECT_FALSE(member(network, "port").byte_order_declared);
  EXPECT_EQ(member(network, "host_value").byte_order, ByteOrder::little);
  EXPECT_TRUE(member(network, "host_value").byte_order_declared);
  const StructType& plain = *type_named(spec, "plain").as_struct();
  EXPECT_EQ(member(plain, "value").byte_order, ByteOrder::little);
  EXPECT_EQ(member(plain, "wire").byte_order, ByteOrder::big);
}

TEST(Layout, ConfigSpaceHasNoTailPadding) {
  Spec spec = valid_spec(R"(
kind: virtio
name: cfg
device_id: 9
config:
  - {name: capacity, type: u64}
  - {name: flags, type: u8}
queues: [{name: q, size: 8, direction: driver-to-device}]
)");
  ASSERT_TRUE(spec.virtio()->config);
  EXPECT_EQ(spec.virtio()->config_layout.size, 9u);
  EXPECT_EQ(spec.virtio()->config_layout.align, 8u);
  EXPECT_EQ(spec.virtio()->config->members.size(), 2u);
}

TEST(Layout, UnionMembersOverlapAndTheSizeIsTheLargestRoundedUp) {
  Spec spec = valid_spec(virtio_with_types(R"(
  - name: pair
    kind: struct
    fields:
      - {name: low, type: u16}
      - {name: high, type: u16}
  - name: either
    kind: union
    fields:
      - {name: bytes, type: "u8[5]"}
      - {name: number, type: u32, offset: 0}
      - {name: halves, type: pair}
  - name: holder
    kind: struct
    fields:
      - {name: tag, type: u8}
      - {name: value, type: either}
)"));
  const TypeDefinition& either = type_named(spec, "either");
  ASSERT_TRUE(either.is_union());
  EXPECT_EQ(either.kind_name(), "union");
  const StructType& body = *either.as_struct();
  EXPECT_EQ(body.members.size(), 3u) << "no padding members in a union";
  for (const Member& entry : body.members) EXPECT_EQ(entry.offset, 0u) << entry.name;
  EXPECT_EQ(member(body, "bytes").size, 5u);
  EXPECT_EQ(member(body, "halves").size, 4u);
  EXPECT_EQ(either.layout.size, 8u) << "5 bytes rounded up to the u32's alignment";
  EXPECT_EQ(either.layout.align, 4u);
  const TypeDefinition& holder = type_named(spec, "holder");
  EXPECT_EQ(member(*holder.as_struct(), "value").offset, 4u);
  EXPECT_EQ(holder.layout.size, 12u);
}

TEST(Layout, AlignUpAndPowersOfTwo) {
  EXPECT_EQ(align_up(0, 8), 0u);
  EXPECT_EQ(align_up(1, 8), 8u);
  EXPECT_EQ(align_up(8, 8), 8u);
  EXPECT_EQ(align_up(9, 4), 12u);
  EXPECT_TRUE(is_power_of_two(1));
  EXPECT_TRUE(is_power_of_two(32768));
  EXPECT_FALSE(is_power_of_two(0));
  EXPECT_FALSE(is_power_of_two(48));
}

// The example specs describe real protocols: their computed layouts must match the
// installed C headers field by field.
Spec load_device(const std::string& name) {
  return load_spec_or_throw(std::string(VGEN_SOURCE_DIR) + "/devices/" + name + "/" + name + ".yaml");
}

TEST(Layout, VirtioBlkMatchesLinuxHeader) {
  Spec spec = load_device("virtio-blk");
  const StructType& config = *spec.virtio()->config;
  EXPECT_EQ(member(config, "capacity").offset, offsetof(virtio_blk_config, capacity));
  EXPECT_EQ(member(config, "size_max").offset, offsetof(virtio_blk_config, size_max));
  EXPECT_EQ(member(config, "seg_max").offset, offsetof(virtio_blk_config, seg_max));
  EXPECT_EQ(member(config, "geometry").offset, offsetof(virtio_blk_config, geometry));
  EXPECT_EQ(member(config, "blk_size").offset, offsetof(virtio_blk_config, blk_size));
  EXPECT_EQ(member(config, "physical_block_exp").offset, offsetof(virtio_blk_config, physical_block_exp));
  EXPECT_EQ(member(config, "alignment_offset").offset, offsetof(virtio_blk_config, alignment_offset));
  EXPECT_EQ(member(config, "min_io_size").offset, offsetof(virtio_blk_config, min_io_size));
  EXPECT_EQ(member(config, "opt_io_size").offset, offsetof(virtio_blk_config, opt_io_size));
  EXPECT_EQ(member(config, "wce").offset, offsetof(virtio_blk_config, wce));
  EXPECT_EQ(member(config, "num_queues").offset, offsetof(virtio_blk_config, num_queues));
  const TypeDefinition& header = type_named(spec, "blk_request_header");
  EXPECT_EQ(header.layout.size, sizeof(virtio_blk_outhdr));
  EXPECT_EQ(member(*header.as_struct(), "sector").offset, offsetof(virtio_blk_outhdr, sector));
  EXPECT_EQ(type_named(spec, "blk_geometry").layout.size, sizeof(virtio_blk_config::virtio_blk_geometry));
  const EnumType& types = *type_named(spec, "blk_request_type").as_enum();
  EXPECT_EQ(types.values[0].value.magnitude, std::uint64_t{VIRTIO_BLK_T_IN});
  EXPECT_EQ(types.values[1].value.magnitude, std::uint64_t{VIRTIO_BLK_T_OUT});
  EXPECT_EQ(types.values[2].value.magnitude, std::uint64_t{VIRTIO_BLK_T_FLUSH});
  EXPECT_EQ(spec.virtio()->features[5].bit, unsigned{VIRTIO_BLK_F_FLUSH});
}

TEST(Layout, VirtioConsoleMatchesLinuxHeader) {
  Spec spec = load_device("virtio-console");
  const StructType& config = *spec.virtio()->config;
  EXPECT_EQ(member(config, "max_nr_ports").offset, offsetof(virtio_console_config, max_nr_ports));
  EXPECT_EQ(member(config, "emerg_wr").offset, offsetof(virtio_console_config, emerg_wr));
  EXPECT_EQ(spec.virtio()->config_layout.size, sizeof(virtio_console_config));
  const TypeDefinition& control = type_named(spec, "console_control");
  EXPECT_EQ(control.layout.size, sizeof(virtio_console_control));
  EXPECT_EQ(member(*control.as_struct(), "event").offset, offsetof(virtio_console_control, event));
  EXPECT_EQ(member(*control.as_struct(), "value").offset, offsetof(virtio_console_control, value));
}

TEST(Layout, XenBlockMatchesXenHeaders) {
  Spec spec = load_device("xen-blk");
  const TypeDefinition& request = type_named(spec, "blkif_request");
  EXPECT_EQ(request.layout.size, sizeof(blkif_request));
  EXPECT_EQ(request.layout.align, alignof(blkif_request));
  EXPECT_EQ(member(*request.as_struct(), "handle").offset, offsetof(blkif_request, handle));
  EXPECT_EQ(member(*request.as_struct(), "id").offset, offsetof(blkif_request, id));
  EXPECT_EQ(member(*request.as_struct(), "sector_number").offset, offsetof(blkif_request, sector_number));
  EXPECT_EQ(member(*request.as_struct(), "seg").offset, offsetof(blkif_request, seg));
  EXPECT_EQ(type_named(spec, "blkif_segment").layout.size, sizeof(blkif_request_segment));
  const TypeDefinition& response = type_named(spec, "blkif_response");
  EXPECT_EQ(response.layout.size, sizeof(blkif_response));
  EXPECT_EQ(member(*response.as_struct(), "status").offset, offsetof(blkif_response, status));
  const SplitDevice& device = *spec.split();
  EXPECT_EQ(device.entry_size, sizeof(blkif_sring_entry));
  EXPECT_EQ(device.ring_pages, 4u);
  EXPECT_EQ(device.ring_entries, static_cast<std::uint32_t>(__CONST_RING_SIZE(blkif, 4 * 4096)));
}

}  // namespace
}  // namespace vgen::gen
