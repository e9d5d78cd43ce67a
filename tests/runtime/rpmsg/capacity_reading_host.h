/* A foreign rpmsg host (virtio driver role) that behaves as docs/rpmsg.md describes when it
 * reuses a transmit buffer: it takes the buffers the remote returned before fresh ones, reads the
 * returned used.len as the buffer's capacity, and subtracts the 16-byte header from it in 32
 * bits. A remote that reports 0 written bytes, as VirtIO says it should, makes that capacity
 * 0xFFFFFFF0; this host counts such a bogus capacity and then puts on the wire what such a
 * host would: a header whose len is the capacity cut to 16 bits (0xFFF0), no payload copied,
 * in a buffer offered at its full size. Written in C over <linux/virtio_ring.h>; it shares
 * no code with vgen. */
#ifndef VGEN_TEST_CAPACITY_READING_HOST_H
#define VGEN_TEST_CAPACITY_READING_HOST_H

#include <stdint.h>

#include "foreign_peer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The host's rings (queue 0 receives, queue 1 transmits, `num` entries each) and buffers:
 * `num` receive buffers from rx_buffers, `num` transmit buffers from tx_buffers (guest
 * addresses), buffer_size bytes each. */
struct ch_config {
  struct fp_window window;
  struct fp_ring rx;
  struct fp_ring tx;
  unsigned num;
  uint64_t rx_buffers;
  uint64_t tx_buffers;
  uint32_t buffer_size;
  uint32_t address; /* this host's endpoint: the source of what it sends */
};

/* Opaque state, sized generously so C++ can hold it by value. */
struct ch_host {
  uint64_t opaque[(65536 + 512) / 8];
};

/* One message received. */
struct ch_message {
  uint32_t src;
  uint32_t dst;
  uint32_t length; /* payload bytes */
  const unsigned char* payload;
  uint16_t head;   /* for ch_release() */
};

/* Initialises both rings and offers every receive buffer, writable, at its full size. */
void ch_init(struct ch_host* host, const struct ch_config* config);
/* Sends `length` payload bytes to `dst`. Returns 1 when sent, 0 when no transmit buffer is
 * free, -1 when the remote broke a rule (ch_error()). */
int ch_send(struct ch_host* host, uint32_t dst, const void* payload, uint32_t length);
/* The next message the remote sent: 1 and `out` filled, 0 when none, -1 on a bad one. */
int ch_receive(struct ch_host* host, struct ch_message* out);
/* Offers a received message's buffer again. */
void ch_release(struct ch_host* host, const struct ch_message* message);
/* Transmit buffers reused with a capacity larger than buffer_size - 16. */
uint64_t ch_bogus_capacities(const struct ch_host* host);
/* The capacity of the latest reused transmit buffer. */
uint32_t ch_last_capacity(const struct ch_host* host);
/* What went wrong, or "" when nothing did. */
const char* ch_error(const struct ch_host* host);

#ifdef __cplusplus
}
#endif
#endif
