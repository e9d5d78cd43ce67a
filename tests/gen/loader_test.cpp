// Loading specs into the model: what each kind's keys become, and the errors (with their
// positions) for what the rules reject.
#include <filesystem>
#include <fstream>

#include "spec_text.hpp"
#include "vgen/gen/diagnostics/error.hpp"
#include "vgen/gen/spec/integer.hpp"

namespace vgen::gen {
namespace {

using testing::errors_of;
using testing::valid_spec;

const char* const kDemoSpec = R"(kind: virtio
name: demo-device
description: A demo.
device_id: 0x2a
vendor_id: 0x1af4
features:
  - {name: DEMO_F_BASE, bit: 0}
  - {name: DEMO_F_EXTRA, bit: 23, depends_on: [DEMO_F_BASE, VIRTIO_F_EVENT_IDX]}
  - name: VIRTIO_F_EVENT_IDX
  - {name: VIRTIO_F_VERSION_1, bit: 32}
types:
  - name: request
    kind: struct
    fields: [{name: id, type: u32}]
queues:
  - {name: rx, size: 256, direction: device-to-driver, messages: [request]}
  - {name: tx, size: 32768, direction: driver-to-device, feature: DEMO_F_EXTRA}
  - {name: ctl, size: 1, direction: bidirectional, messages: [request]}
)";

TEST(Loader, VirtioSpecBecomesTheModel) {
  Spec spec = valid_spec(kDemoSpec);
  EXPECT_EQ(spec.kind(), SpecKind::virtio);
  EXPECT_EQ(spec.name, "demo-device");
  EXPECT_EQ(spec.description, "A demo.");
  EXPECT_EQ(spec.source, "test.yaml");
  const VirtioDevice& device = *spec.virtio();
  EXPECT_EQ(device.device_id, 42u);
  EXPECT_EQ(device.vendor_id, std::optional<std::uint32_t>(0x1af4));
  ASSERT_EQ(device.features.size(), 4u);
  EXPECT_FALSE(device.features[0].transport);
  EXPECT_EQ(device.features[1].bit, 23u);
  ASSERT_EQ(device.features[1].depends_on.size(), 2u);
  EXPECT_EQ(device.features[1].depends_on[0].index, std::optional<std::size_t>(0));
  EXPECT_EQ(device.features[1].depends_on[1].index, std::optional<std::size_t>(2));
  EXPECT_TRUE(device.features[2].transport);
  EXPECT_EQ(device.features[2].bit, 29u);  // filled in from the name
  EXPECT_EQ(device.features[3].bit, 32u);
  ASSERT_EQ(device.queues.size(), 3u);
  EXPECT_EQ(device.queues[0].direction, Direction::device_to_driver);
  EXPECT_EQ(device.queues[0].messages[0].index, spec.types.find("request"));
  EXPECT_EQ(device.queues[1].size, 32768u);
  EXPECT_EQ(device.queues[1].index, 1u);
  ASSERT_TRUE(device.queues[1].feature);
  EXPECT_EQ(device.queues[1].feature->index, std::optional<std::size_t>(1));
  EXPECT_EQ(device.queues[2].direction, Direction::bidirectional);
  EXPECT_FALSE(device.config);
}

TEST(Loader, ErrorsCarryLineAndColumn) {
  std::string errors = errors_of("kind: virtio\nname: x\ndevice_id: 4\nqueues:\n  - name: q\n    size: 6\n    direction: up\n");
  EXPECT_EQ(errors,
            "test.yaml:6:11: error: size 6 of queue 'q' is not a power of two\n"
            "test.yaml:7:16: error: invalid 'direction' in queue 'q': 'up' (expected one of: driver-to-device, "
            "device-to-driver, bidirectional)\n");
}

TEST(Loader, UnknownKeysSuggestTheClosestKey) {
  // The misspelt required key is the one error: no "missing required key 'queues'" besides.
  EXPECT_EQ(errors_of("kind: virtio\nname: x\ndevice_id: 4\nqueus: []\n"),
            "test.yaml:4:1: error: unknown key 'queus' in virtio spec 'x'; did you mean 'queues'?\n");
  // A key that suggests one already present does not hide that one's absence checks.
  EXPECT_EQ(errors_of("kind: virtio\nname: x\nqueues: []\nqueus: []\n"),
            "test.yaml:1:1: error: missing required key 'device_id' in virtio spec 'x'\n"
            "test.yaml:3:9: error: virtio spec 'x' has no queues; a VirtIO device needs at least one\n"
            "test.yaml:4:1: error: unknown key 'queus' in virtio spec 'x'; did you mean 'queues'?\n");
}

TEST(Loader, ReportsEveryErrorNotOnlyTheFirst) {
  LoadResult result = load_text(R"(kind: virtio
name: x
device_id: 0
features: [{name: A_F, bit: 99}]
types:
  - {name: t, kind: struct, fields: [{name: a, type: nope}]}
queues: [{name: q, size: 3, direction: up}]
)",
                                "test.yaml");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics.size(), 5u) << testing::diagnostics_text(result);
}

TEST(Loader, YamlSyntaxErrorsHaveThePosition) {
  std::string errors = errors_of("kind: virtio\nname: [x\n");
  EXPECT_EQ(errors.rfind("test.yaml:3:1: error: invalid YAML: ", 0), 0u) << errors;
}

TEST(Loader, RecursiveNestingIsReportedOnceAtTheClosingField) {
  std::string errors = errors_of(testing::virtio_with_types(R"(
  - {name: a, kind: struct, fields: [{name: to_b, type: b}]}
  - {name: b, kind: struct, fields: [{name: to_c, type: "c[2]"}]}
  - {name: c, kind: struct, fields: [{name: to_a, type: a}]}
)"));
  EXPECT_EQ(errors,
            "test.yaml:10:57: error: recursive struct nesting: struct 'a' contains itself (a.to_b -> b.to_c -> c.to_a "
            "-> a)\n");
}

TEST(Loader, EnumValuesAtBothEndsOf64BitsAreExact) {
  Spec spec = testing::valid_spec(testing::virtio_with_types(R"(
  - {name: big, kind: enum, type: u64, values: [{name: MAX, value: 0xffffffffffffffff}]}
  - {name: wide, kind: enum, type: i64, values: [{name: MIN, value: -9223372036854775808}]}
)"));
  const EnumValue& max = testing::type_named(spec, "big").as_enum()->values.at(0);
  const EnumValue& min = testing::type_named(spec, "wide").as_enum()->values.at(0);
  EXPECT_EQ(max.value, (Integer{false, 0xFFFFFFFFFFFFFFFFull}));
  EXPECT_EQ(min.value, (Integer{true, 0x8000000000000000ull}));
  EXPECT_EQ(max.value.to_string(), "18446744073709551615");
  EXPECT_EQ(min.value.to_string(), "-9223372036854775808");
  EXPECT_EQ(min.value.bits(), 0x8000000000000000ull);
  EXPECT_EQ(cpp_literal(min.value), "(-9223372036854775807 - 1)");
  EXPECT_EQ(cpp_literal(max.value), "18446744073709551615ull");
}

TEST(Loader, ErrorsPointAtTheOffendingValueNotTheEntry) {
  std::string errors = errors_of(testing::virtio_with_types(R"(
  - {name: a, kind: struct, fields: [{name: x, type: u8}, {type: u16, name: x}]}
  - {name: b, kind: struct, fields: [{name: x, type: u8}, {name: y, type: u16, offset: 3}]}
  - {name: c, kind: struct, fields: [{name: x, type: nope}]}
)"));
  EXPECT_EQ(errors,
            "test.yaml:8:77: error: duplicate field name 'x' in struct 'a' (first defined at 8:45)\n"
            "test.yaml:9:88: error: field 'y' of struct 'b' at offset 3 is misaligned: its type 'u16' needs 2-byte "
            "alignment\n"
            "test.yaml:10:54: error: unknown type 'nope' for field 'x' of struct 'c'\n");
}

TEST(Loader, ReferencesToBrokenTypesDoNotCascade) {
  // `broken` has an error; the struct and queue that use it report nothing more.
  std::string errors = errors_of(R"(kind: virtio
name: x
device_id: 4
types:
  - {name: broken, kind: struct, fields: [{name: a, type: "u8[0]"}]}
  - {name: user, kind: struct, fields: [{name: b, type: broken}]}
queues: [{name: q, size: 8, direction: bidirectional, messages: [broken, user]}]
)");
  EXPECT_EQ(errors, "test.yaml:5:59: error: invalid type 'u8[0]' in field 'a' of struct 'broken': the array length must be "
                    "an integer from 1 to 16777216\n");
}

TEST(Loader, SplitSpecComputesTheRing) {
  Spec spec = valid_spec(R"(kind: split
name: pair
device_type: vpair
flavour: vbus
compatible: {frontend: "vpair,frontend", backend: "vpair,backend"}
types:
  - {name: req, kind: struct, fields: [{name: id, type: u32}, {name: data, type: "u8[20]"}]}
  - {name: rsp, kind: struct, fields: [{name: id, type: u64}]}
ring: {pages: 1, request: req, response: rsp}
store:
  - {name: ring-ref, side: frontend, type: u32}
  - {name: queue-0/mode, side: backend, type: string}
)");
  const SplitDevice& device = *spec.split();
  EXPECT_EQ(device.flavour, Flavour::vbus);
  ASSERT_TRUE(device.compatible);
  EXPECT_EQ(device.compatible->backend, "vpair,backend");
  EXPECT_EQ(device.ring_pages, 1u);
  EXPECT_EQ(device.entry_size, 24u);   // max(24, 8), aligned to 8
  EXPECT_EQ(device.entry_align, 8u);
  EXPECT_EQ(device.ring_entries, 128u);  // (4096 - 64) / 24 = 168, rounded down
  ASSERT_EQ(device.store.size(), 2u);
  EXPECT_EQ(device.store[0].scalar, std::optional<ScalarKind>(ScalarKind::u32));
  EXPECT_EQ(device.store[1].side, Side::backend);
  EXPECT_FALSE(device.store[1].scalar);
  EXPECT_EQ(device.request.name, "req");
}

TEST(Loader, RpmsgSpecKeepsEndpointsAndBufferSize) {
  Spec spec = valid_spec(R"(kind: rpmsg
name: svc
service: "0123456789012345678901234567890"
buffer_size: 64
types: [{name: m, kind: struct, fields: [{name: body, type: "u8[48]"}]}]
endpoints:
  - {name: dynamic}
  - {name: fixed, address: 0xFFFFFFFE, messages: [m]}
)");
  const RpmsgService& service = *spec.rpmsg();
  EXPECT_EQ(service.service.size(), 31u);
  EXPECT_EQ(service.buffer_size, 64u);
  EXPECT_EQ(service.max_payload(), 48u);
  EXPECT_FALSE(service.endpoints[0].address);
  EXPECT_EQ(service.endpoints[1].address, std::optional<std::uint32_t>(0xFFFFFFFE));
  // One byte more does not fit.
  std::string errors = errors_of(R"(kind: rpmsg
name: svc
service: s
buffer_size: 64
types: [{name: m, kind: struct, fields: [{name: body, type: "u8[49]"}]}]
endpoints: [{name: e, messages: [m]}]
)");
  EXPECT_NE(errors.find("message 'm' of endpoint 'e' is 49 bytes, more than the 48-byte payload"), std::string::npos) << errors;
}

// Writes files into a fresh temporary directory for topology tests.
class TopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("vgen-gen-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_ / "specs");
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path path = directory_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path directory_;
};

TEST_F(TopologyTest, InstancesLoadTheirSpecsRelativeToTheTopology) {
  write("specs/dev.yaml", "kind: virtio\nname: dev\ndevice_id: 4\nqueues: [{name: q, size: 8, direction: driver-to-device}]\n");
  std::string path = write("system.yaml", R"(kind: topology
name: system
components: [{name: vm}, {name: host}]
instances: [{name: d0, spec: specs/dev.yaml}, {name: d1, spec: ./specs/../specs/dev.yaml}]
connections:
  - {name: c0, instance: d0, driver: {component: vm, channel: 7}, device: {component: host, channel: 7}, shared_memory: 8192}
  - {name: c1, instance: d1, driver: {component: vm, channel: 8}, device: {component: host, channel: 7000}, shared_memory: 4096}
)");
  Topology topology = load_topology_or_throw(path);
  ASSERT_EQ(topology.instances.size(), 2u);
  ASSERT_NE(topology.instances[0].spec, nullptr);
  EXPECT_EQ(topology.instances[0].spec->name, "dev");
  EXPECT_EQ(topology.instances[0].spec, topology.instances[1].spec);  // loaded once
  EXPECT_EQ(topology.instances[0].resolved_path, (directory_ / "specs/dev.yaml").string());
  ASSERT_EQ(topology.connections.size(), 2u);
  EXPECT_EQ(topology.connections[1].instance.index, std::optional<std::size_t>(1));
  EXPECT_EQ(topology.connections[1].device.channel, 7000u);
  EXPECT_EQ(topology.connections[0].shared_memory, 8192u);
}

TEST_F(TopologyTest, ThrowingLoadersCarryAllDiagnostics) {
  std::string path = write("bad.yaml", "kind: virtio\nname: Bad\ndevice_id: 0\nqueues: []\n");
  try {
    load_spec_or_throw(path);
    FAIL() << "expected SpecError";
  } catch (const SpecError& error) {
    ASSERT_EQ(error.diagnostics().size(), 3u);
    EXPECT_EQ(error.diagnostics()[0].location.line, 2);
    EXPECT_NE(std::string(error.what()).find(path + ":3:12: error: device_id 0 is reserved"), std::string::npos)
        << error.what();
  }
  std::string spec = write("good.yaml", "kind: virtio\nname: g\ndevice_id: 1\nqueues: [{name: q, size: 8, direction: driver-to-device}]\n");
  EXPECT_THROW(load_topology_or_throw(spec), SpecError);
  EXPECT_THROW(load_spec_or_throw((directory_ / "missing.yaml").string()), vgen::Error);
}

TEST(Loader, UnreadableFilesAreDiagnosticsWithoutPosition) {
  LoadResult result = load_file("/nonexistent/vgen/spec.yaml");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics.entries()[0].to_string(),
            "/nonexistent/vgen/spec.yaml: error: cannot read file: No such file or directory");
}

TEST(Loader, EveryExampleDeviceIsValid) {
  for (const char* name : {"virtio-rng", "virtio-console", "virtio-blk", "xen-blk", "vdummy", "rpmsg-echo"}) {
    std::string path = std::string(VGEN_SOURCE_DIR) + "/devices/" + name + "/" + name + ".yaml";
    LoadResult result = load_file(path);
    EXPECT_TRUE(result.ok()) << testing::diagnostics_text(result);
  }
}

}  // namespace
}  // namespace vgen::gen
