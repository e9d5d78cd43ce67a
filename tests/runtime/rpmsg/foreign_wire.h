/* rpmsg framing for the foreign peers, written from the wire facts alone: a 16-byte
 * little-endian header (u32 src, u32 dst, u32 reserved, u16 len, u16 flags) and then len
 * payload bytes (docs/rpmsg.md); <linux/rpmsg.h> for the address constants.
 * The test machines are little-endian, so the fields are copied as they are. */
#ifndef VGEN_TEST_FOREIGN_WIRE_H
#define VGEN_TEST_FOREIGN_WIRE_H

#include <linux/rpmsg.h>
#include <stdint.h>
#include <string.h>

#define FW_HEADER_SIZE 16u

struct fw_header {
  uint32_t src;
  uint32_t dst;
  uint32_t reserved;
  uint16_t len;
  uint16_t flags;
};
_Static_assert(sizeof(struct fw_header) == FW_HEADER_SIZE, "rpmsg header is 16 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the peers copy little-endian fields as they are");

static inline struct fw_header fw_read_header(const unsigned char* buffer) {
  struct fw_header h;
  memcpy(&h, buffer, sizeof h);
  return h;
}

static inline void fw_write_header(unsigned char* buffer, uint32_t src, uint32_t dst, uint16_t len) {
  const struct fw_header h = {src, dst, 0, len, 0};
  memcpy(buffer, &h, sizeof h);
}

#endif
