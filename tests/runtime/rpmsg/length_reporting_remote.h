/* A foreign rpmsg remote (virtio device role) that behaves as docs/rpmsg.md describes: it reads
 * only the first descriptor of each chain, and returns every buffer, the host's transmit
 * buffers it read as much as the receive buffers it filled, with used.len set to the buffer's
 * length (the descriptor's len) rather than to the bytes it wrote. It echoes each message
 * back to its sender. Written in C over <linux/virtio_ring.h>; it shares no code with vgen. */
#ifndef VGEN_TEST_LENGTH_REPORTING_REMOTE_H
#define VGEN_TEST_LENGTH_REPORTING_REMOTE_H

#include <stdint.h>

#include "foreign_peer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the host put things: its queue 0 (empty buffers the remote fills) and queue 1
 * (messages the remote reads), both of `num` entries. */
struct lr_config {
  struct fp_window window;
  struct fp_ring host_rx;
  struct fp_ring host_tx;
  unsigned num;
};

/* Opaque state, sized generously so C++ can hold it by value. */
struct lr_remote {
  uint64_t opaque[64];
};

/* Maps the rings; writes nothing (the host initialised them). */
void lr_init(struct lr_remote* remote, const struct lr_config* config);
/* Echoes every message waiting on the host's transmit queue while the host offers empty
 * buffers: source and destination swapped, payload copied. Returns the messages echoed, or
 * -1 when the host broke a rule (lr_error() says which). */
long lr_echo(struct lr_remote* remote);
/* What went wrong, or "" when nothing did. */
const char* lr_error(const struct lr_remote* remote);

#ifdef __cplusplus
}
#endif
#endif
