/* See length_reporting_remote.h. */
#include "length_reporting_remote.h"

#include <stdio.h>
#include <string.h>

#include "foreign_ring.h"
#include "foreign_wire.h"

struct remote {
  struct fp_window window;
  struct fr_ring host_rx;
  struct fr_ring host_tx;
  char error[160];
};
_Static_assert(sizeof(struct remote) <= sizeof(struct lr_remote), "lr_remote too small");

void lr_init(struct lr_remote* opaque, const struct lr_config* config) {
  struct remote* r = (struct remote*)opaque;
  memset(r, 0, sizeof *r);
  r->window = config->window;
  fr_map(&r->host_rx, &config->host_rx, config->num);
  fr_map(&r->host_tx, &config->host_tx, config->num);
}

static long fail(struct remote* r, const char* what, unsigned value) {
  snprintf(r->error, sizeof r->error, "%s (%u)", what, value);
  return -1;
}

/* Copies one message from `in` into the empty buffer `out` with source and destination swapped. */
static long echo_one(struct remote* r, const struct vring_desc* in, const struct vring_desc* out) {
  const unsigned char* message = fr_translate(&r->window, in->addr, in->len);
  unsigned char* reply = fr_translate(&r->window, out->addr, out->len);
  if (message == NULL || (in->flags & VRING_DESC_F_WRITE) != 0) return fail(r, "bad transmit buffer", in->len);
  if (reply == NULL || (out->flags & VRING_DESC_F_WRITE) == 0) return fail(r, "bad receive buffer", out->len);
  if (in->len < FW_HEADER_SIZE) return fail(r, "message shorter than a header", in->len);
  const struct fw_header h = fw_read_header(message);
  if (h.len > in->len - FW_HEADER_SIZE) return fail(r, "header len beyond the buffer", h.len);
  if (h.src == RPMSG_ADDR_ANY || h.dst == RPMSG_ADDR_ANY) return fail(r, "message from or to the any address", h.dst);
  if (FW_HEADER_SIZE + h.len > out->len) return fail(r, "receive buffer too small", out->len);
  fw_write_header(reply, h.dst, h.src, h.len);
  memcpy(reply + FW_HEADER_SIZE, message + FW_HEADER_SIZE, h.len);
  return 0;
}

long lr_echo(struct lr_remote* opaque) {
  struct remote* r = (struct remote*)opaque;
  long echoed = 0;
  for (;;) {
    /* Only take a message when an empty buffer waits for its echo. */
    if (__atomic_load_n(&r->host_rx.vr.avail->idx, __ATOMIC_ACQUIRE) == r->host_rx.next_avail) return echoed;
    uint16_t in_head, out_head;
    struct vring_desc in, out;
    const int got = fr_device_take(&r->host_tx, &in_head, &in);
    if (got == 0) return echoed;
    if (got < 0) return fail(r, "transmit head out of range", in_head);
    if (fr_device_take(&r->host_rx, &out_head, &out) != 1) return fail(r, "receive head out of range", out_head);
    if (echo_one(r, &in, &out) < 0) return -1;
    /* Both go back with the buffer's length, not the bytes written. */
    fr_device_return(&r->host_rx, out_head, out.len);
    fr_device_return(&r->host_tx, in_head, in.len);
    echoed++;
  }
}

const char* lr_error(const struct lr_remote* opaque) { return ((const struct remote*)opaque)->error; }
