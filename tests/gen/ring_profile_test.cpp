// Ring profiles: `ring: {profile: blkif}` is checked against xen/io/blkif.h's layout by offsets,
// sizes and integer kinds, with each mismatch reported where it is (the field, or the key).
#include "spec_text.hpp"

namespace vgen::gen {
namespace {

using testing::errors_of;
using testing::valid_spec;

// A blkif ring whose fields carry other names than blkif.h's, and `request_tail` and
// `status_type` to vary: the check reads layouts, not names.
std::string blkif_spec(const std::string& operation_type, const std::string& status_type,
                       const std::string& profile = "blkif") {
  return R"(kind: split
name: disk
device_type: vbd
flavour: xenbus
types:
  - name: op
    kind: enum
    type: )" + operation_type + R"(
    values: [{name: READ, value: 0}, {name: WRITE, value: 1}]
  - name: piece
    kind: struct
    fields: [{name: page, type: u32}, {name: from, type: u8}, {name: to, type: u8}, {pad: 2}]
  - name: ask
    kind: struct
    fields:
      - {name: what, type: op}
      - {name: pieces, type: u8}
      - {name: disk, type: u16}
      - {name: tag, type: u64}
      - {name: where, type: u64}
      - {name: list, type: "piece[11]"}
  - name: answer
    kind: struct
    fields: [{name: tag, type: u64}, {name: what, type: op}, {name: result, type: )" +
         status_type + R"(}]
ring: {request: ask, response: answer, profile: )" + profile + R"(}
)";
}

TEST(RingProfile, BlkifAcceptsTheLayoutWhateverTheNames) {
  const Spec spec = valid_spec(blkif_spec("u8", "i16"));
  ASSERT_NE(spec.split(), nullptr);
  EXPECT_EQ(spec.split()->profile, RingProfile::blkif);
  EXPECT_EQ(spec.split()->ring_entries, 32u);
}

TEST(RingProfile, WithoutTheKeyThereIsNoProfile) {
  std::string text = blkif_spec("u8", "i16");
  text.replace(text.find(", profile: blkif"), std::string(", profile: blkif").size(), "");
  EXPECT_EQ(valid_spec(text).split()->profile, RingProfile::none);
}

TEST(RingProfile, FieldsOfAnotherSizeAreReportedAtTheField) {
  EXPECT_EQ(errors_of(blkif_spec("u16", "i16")),
            "test.yaml:16:9: error: ring profile 'blkif': the request 'ask' needs a little-endian integer or "
            "enum of 1 byte(s) at offset 0 (blkif's operation); field 'what' is op (2 byte(s), le)\n"
            "test.yaml:17:9: error: ring profile 'blkif': the request 'ask' needs a little-endian integer or "
            "enum of 2 byte(s) at offset 2 (blkif's handle); field 'pieces' is u8 (1 byte(s), le)\n"
            "test.yaml:24:38: error: ring profile 'blkif': the response 'answer' needs a little-endian integer "
            "or enum of 1 byte(s) at offset 8 (blkif's operation); field 'what' is op (2 byte(s), le)\n"
            "test.yaml:25:49: error: ring profile 'blkif': the request 'ask' needs a little-endian integer or "
            "enum of 1 byte(s) at offset 1 (blkif's nr_segments); it has none there\n");
}

TEST(RingProfile, TheStatusIsSigned) {
  EXPECT_EQ(errors_of(blkif_spec("u8", "u16")),
            "test.yaml:24:62: error: ring profile 'blkif': the response 'answer' needs a signed little-endian "
            "integer or enum of 2 byte(s) at offset 10 (blkif's status); field 'result' is u16 (2 byte(s), le)\n");
}

TEST(RingProfile, BigEndianFieldsAreRefused) {
  std::string text = blkif_spec("u8", "i16");
  text.replace(text.find("{name: tag, type: u64}"), std::string("{name: tag, type: u64}").size(),
               "{name: tag, type: u64, byte_order: be}");
  EXPECT_EQ(errors_of(text),
            "test.yaml:19:9: error: ring profile 'blkif': the request 'ask' needs a little-endian integer or "
            "enum of 8 byte(s) at offset 8 (blkif's id); field 'tag' is u64 (8 byte(s), be)\n");
}

TEST(RingProfile, AWrongSizeIsReportedAtTheKey) {
  std::string text = blkif_spec("u8", "i16");
  text.replace(text.find("piece[11]"), std::string("piece[11]").size(), "piece[10]");
  EXPECT_EQ(errors_of(text), "test.yaml:25:49: error: ring profile 'blkif': the request 'ask' has 104 bytes; it needs 112\n");
}

TEST(RingProfile, OnlyKnownProfiles) {
  EXPECT_EQ(errors_of(blkif_spec("u8", "i16", "nvme")),
            "test.yaml:25:49: error: invalid 'profile' in ring: 'nvme' (expected one of: blkif)\n");
}

}  // namespace
}  // namespace vgen::gen
