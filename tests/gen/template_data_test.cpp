// The template data tree: rendered through small mustache templates, as the code generator
// will use it.
#include <kainjow/mustache.hpp>

#include "spec_text.hpp"
#include "vgen/gen/render/template_data.hpp"
#include "vgen/gen/render/version.hpp"

namespace vgen::gen {
namespace {

using testing::valid_spec;

std::string render(const std::string& text, const kainjow::mustache::data& data) {
  kainjow::mustache::mustache view(text);
  EXPECT_TRUE(view.is_valid()) << view.error_message();
  return view.render(data);
}

const char* const kSpec = R"(kind: virtio
name: demo-dev
description: Demo.
device_id: 18
features:
  - {name: DEMO_F_A, bit: 3, description: First.}
  - {name: DEMO_F_B, bit: 5, depends_on: [DEMO_F_A]}
  - {name: VIRTIO_F_VERSION_1}
types:
  - name: op
    kind: enum
    type: i16
    values: [{name: READ, value: 0}, {name: FAIL, value: -1}]
  - name: mode
    kind: flags
    type: u8
    flags: [{name: FAST, bit: 0}, {name: SAFE, bit: 7}]
  - name: request_header
    kind: struct
    fields:
      - {name: operation, type: op}
      - {name: sector, type: u64, byte_order: be}
      - {name: tag, type: "u8[6]"}
config:
  - {name: capacity, type: u64}
queues:
  - {name: requestq, size: 64, direction: driver-to-device, messages: [request_header]}
  - {name: eventq, size: 8, direction: device-to-driver, feature: DEMO_F_B}
)";

TEST(TemplateData, TopLevelNamesAndKind) {
  kainjow::mustache::data data = template_data(valid_spec(kSpec));
  EXPECT_EQ(render("{{name}} {{name_snake}} {{name_pascal}} {{name_upper}} {{kind}}", data),
            "demo-dev demo_dev DemoDev DEMO_DEV virtio");
  EXPECT_EQ(render("{{#is_virtio}}v{{/is_virtio}}{{#is_split}}s{{/is_split}}{{#is_rpmsg}}r{{/is_rpmsg}}", data), "v");
  EXPECT_EQ(render("{{vgen_version}}", data), std::string(version()));
  EXPECT_EQ(render("{{#has_description}}{{description}}{{/has_description}}", data), "Demo.");
}

TEST(TemplateData, StructMembersIncludePaddingWithOffsets) {
  kainjow::mustache::data data = template_data(valid_spec(kSpec));
  std::string text = render(
      "{{#structs}}{{name_pascal}}({{size}}/{{align}}):"
      "{{#members}}{{name}}@{{offset}}+{{size}}"
      "{{#is_integer}}:{{integer_c_type}}{{/is_integer}}"
      "{{#is_big_endian}}:be{{/is_big_endian}}"
      "{{#is_array}}[{{count}}]{{/is_array}}"
      "{{#is_enum}}:enum {{c_type}}{{/is_enum}}"
      "{{#is_implicit}}:implicit{{/is_implicit}}"
      "{{^last}},{{/last}}{{/members}}{{/structs}}",
      data);
  EXPECT_EQ(text,
            "RequestHeader(24/8):operation@0+2:int16_t:enum op,_pad2@2+6:uint8_t[6]:implicit,"
            "sector@8+8:uint64_t:be,tag@16+6:uint8_t[6],_pad22@22+2:uint8_t[2]:implicit");
  EXPECT_EQ(render("{{#structs}}{{#fields}}{{name}}{{^last}} {{/last}}{{/fields}}{{/structs}}", data), "operation sector tag");
  // Members define every flag themselves, so a section never sees the enclosing struct's
  // own `is_struct: true`.
  EXPECT_EQ(render("{{#structs}}{{#members}}{{#is_struct}}S{{/is_struct}}{{/members}}{{/structs}}", data), "");
}

TEST(TemplateData, EnumsAndFlags) {
  kainjow::mustache::data data = template_data(valid_spec(kSpec));
  EXPECT_EQ(render("{{#enums}}{{name}}:{{integer_c_type}}={{#values}}{{name_upper}}={{value}}/{{value_hex}}"
                   "{{^last}};{{/last}}{{/values}}{{/enums}}",
                   data),
            "op:int16_t=READ=0/0x0;FAIL=-1/0xffff");
  EXPECT_EQ(render("{{#flags_types}}{{name}}:{{#flags}}{{name}}={{bit}}/{{mask}} {{/flags}}{{/flags_types}}", data),
            "mode:FAST=0/0x1 SAFE=7/0x80 ");
  EXPECT_EQ(render("{{#types}}{{index}}{{kind}}{{#first}}!{{/first}} {{/types}}", data), "0enum! 1flags 2struct ");
}

TEST(TemplateData, VirtioFeaturesConfigAndQueues) {
  kainjow::mustache::data data = template_data(valid_spec(kSpec));
  EXPECT_EQ(render("{{#virtio}}{{device_id}} {{device_id_hex}} {{features_mask}}{{/virtio}}", data),
            "18 0x0012 0x0000000100000028");
  EXPECT_EQ(render("{{#virtio}}{{#features}}{{name}}:{{bit}}{{#is_transport}}T{{/is_transport}}"
                   "{{#depends_on}}<{{name}}{{/depends_on}} {{/features}}{{/virtio}}",
                   data),
            "DEMO_F_A:3 DEMO_F_B:5<DEMO_F_A VIRTIO_F_VERSION_1:32T ");
  EXPECT_EQ(render("{{#virtio}}{{#device_features}}{{name}} {{/device_features}}|"
                   "{{#transport_features}}{{name}}{{/transport_features}}{{/virtio}}",
                   data),
            "DEMO_F_A DEMO_F_B |VIRTIO_F_VERSION_1");
  EXPECT_EQ(render("{{#virtio}}{{#has_config}}{{#config}}{{size}}:{{#fields}}{{name}}@{{offset}}{{/fields}}{{/config}}"
                   "{{/has_config}}{{/virtio}}",
                   data),
            "8:capacity@0");
  EXPECT_EQ(render("{{#virtio}}{{queue_count}}:{{#queues}}{{queue_index}}.{{name}}/{{size}}/{{direction}}"
                   "{{#is_driver_to_device}}>{{/is_driver_to_device}}"
                   "{{#messages}}[{{name_pascal}}]{{/messages}}"
                   "{{#has_feature}}?{{feature_upper}}{{/has_feature}} {{/queues}}{{/virtio}}",
                   data),
            "2:0.requestq/64/driver-to-device>[RequestHeader] 1.eventq/8/device-to-driver?DEMO_F_B ");
}

TEST(TemplateData, SplitDevice) {
  Spec spec = valid_spec(R"(kind: split
name: xblk
device_type: vbd
flavour: xenbus
types:
  - {name: req, kind: struct, fields: [{name: id, type: u64}, {name: op, type: u8}]}
ring: {request: req, response: req}
store:
  - {name: ring-ref, side: frontend, type: u32}
  - {name: mode, side: backend, type: string}
)");
  kainjow::mustache::data data = template_data(spec);
  EXPECT_EQ(render("{{#split}}{{device_type}} {{flavour}}{{#is_xenbus}}!{{/is_xenbus}} {{ring_entries}}x{{entry_size}}"
                   " {{ring_bytes}} {{request_pascal}}{{^has_compatible}} nocompat{{/has_compatible}}{{/split}}",
                   data),
            "vbd xenbus! 128x16 4096 Req nocompat");
  EXPECT_EQ(render("{{#split}}{{#frontend_store}}{{name}}={{name_snake}}:{{integer_c_type}}{{/frontend_store}}|"
                   "{{#backend_store}}{{name}}:{{type}}{{#is_string}}(s){{/is_string}}{{/backend_store}}{{/split}}",
                   data),
            "ring-ref=ring_ref:uint32_t|mode:string(s)");
}

TEST(TemplateData, RpmsgService) {
  Spec spec = valid_spec(R"(kind: rpmsg
name: echo
service: rpmsg-echo
types: [{name: msg, kind: struct, fields: [{name: v, type: u32}]}]
endpoints:
  - {name: any}
  - {name: fixed, address: 1025, messages: [msg]}
)");
  EXPECT_EQ(render("{{#rpmsg}}{{service}}({{service_length}}) {{max_payload}}:{{#endpoints}}{{name}}"
                   "{{#has_address}}@{{address}}/{{address_hex}}{{/has_address}}{{#messages}}<{{name}}{{/messages}}"
                   "{{^last}},{{/last}}{{/endpoints}}{{/rpmsg}}",
                   template_data(spec)),
            "rpmsg-echo(10) 496:any,fixed@1025/0x00000401<msg");
}

TEST(TemplateData, TopologyNestsInstanceSpecs) {
  std::string path = std::string(VGEN_SOURCE_DIR) + "/tests/lit/gen/Inputs/topology.yaml";
  kainjow::mustache::data data = template_data(load_topology_or_throw(path));
  EXPECT_EQ(render("{{name}}:{{#components}}{{name}}{{^last}},{{/last}}{{/components}}", data), "storage-demo:guest,devices");
  EXPECT_EQ(render("{{#instances}}{{name}}={{#spec}}{{name}}/{{#virtio}}{{device_id}}{{/virtio}}{{/spec}} {{/instances}}", data),
            "blk0=virtio-blk/2 console0=virtio-console/3 ");
  EXPECT_EQ(render("{{#connections}}{{name}}:{{driver_component}}#{{driver_channel}}->{{device_component}}#{{device_channel}}"
                   " {{kind}} {{spec}} {{shared_memory_pages}}p{{^last}}; {{/last}}{{/connections}}",
                   data),
            "guest-blk0:guest#1->devices#1 virtio virtio-blk 64p; guest-console0:guest#2->devices#2 virtio virtio-console 16p");
}

}  // namespace
}  // namespace vgen::gen
