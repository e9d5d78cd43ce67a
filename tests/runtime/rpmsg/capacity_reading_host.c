/* See capacity_reading_host.h. */
#include "capacity_reading_host.h"

#include <stdio.h>
#include <string.h>

#include "foreign_ring.h"
#include "foreign_wire.h"

#define MAX_NUM 8192

struct host {
  struct fp_window window;
  struct fr_ring rx;
  struct fr_ring tx;
  struct ch_config config;
  uint32_t fresh_tx;             /* transmit buffers never used so far */
  uint32_t buffer_of[MAX_NUM];   /* tx head -> transmit buffer index */
  unsigned char in_flight[MAX_NUM];
  uint64_t bogus;
  uint32_t last_capacity;
  char error[160];
};
_Static_assert(sizeof(struct host) <= sizeof(struct ch_host), "ch_host too small");

static int fail(struct host* h, const char* what, unsigned value) {
  snprintf(h->error, sizeof h->error, "%s (%u)", what, value);
  return -1;
}

void ch_init(struct ch_host* opaque, const struct ch_config* config) {
  struct host* h = (struct host*)opaque;
  memset(h, 0, sizeof *h);
  h->window = config->window;
  h->config = *config;
  if (config->num > MAX_NUM) {
    fail(h, "queue too large for this peer", config->num);
    return;
  }
  fr_map(&h->rx, &config->rx, config->num);
  fr_map(&h->tx, &config->tx, config->num);
  fr_driver_init(&h->rx);
  fr_driver_init(&h->tx);
  for (unsigned i = 0; i < config->num; i++) {
    fr_driver_add(&h->rx, config->rx_buffers + (uint64_t)i * config->buffer_size, config->buffer_size, 1);
  }
}

/* A returned transmit buffer first (its capacity read from used.len), else a fresh one. */
static int take_tx(struct host* h, uint32_t* index, uint32_t* capacity) {
  struct vring_used_elem e;
  if (fr_driver_used(&h->tx, &e)) {
    if (e.id >= h->config.num || !h->in_flight[e.id]) return fail(h, "used id not in flight", e.id);
    h->in_flight[e.id] = 0;
    fr_driver_free(&h->tx, (uint16_t)e.id);
    *index = h->buffer_of[e.id];
    *capacity = e.len - FW_HEADER_SIZE; /* 32-bit arithmetic, as that host does it */
    h->last_capacity = *capacity;
    if (*capacity > h->config.buffer_size - FW_HEADER_SIZE) h->bogus++;
    return 1;
  }
  if (h->fresh_tx == h->config.num) return 0;
  *index = h->fresh_tx++;
  *capacity = h->config.buffer_size - FW_HEADER_SIZE;
  return 1;
}

int ch_send(struct ch_host* opaque, uint32_t dst, const void* payload, uint32_t length) {
  struct host* h = (struct host*)opaque;
  uint32_t index, capacity;
  const int got = take_tx(h, &index, &capacity);
  if (got <= 0) return got;
  const uint64_t addr = h->config.tx_buffers + (uint64_t)index * h->config.buffer_size;
  unsigned char* buffer = fr_translate(&h->window, addr, h->config.buffer_size);
  if (buffer == NULL) return fail(h, "transmit buffer outside memory", index);
  /* The length clamp as that host writes it: a signed comparison against the capacity. */
  int32_t len = (int32_t)length;
  if (len > (int32_t)capacity) len = (int32_t)capacity;
  if (len > 0) memcpy(buffer + FW_HEADER_SIZE, payload, (size_t)len);
  fw_write_header(buffer, h->config.address, dst, (uint16_t)len);
  const int head = fr_driver_add(&h->tx, addr, h->config.buffer_size, 0);
  if (head < 0) return fail(h, "no free transmit descriptor", index);
  h->buffer_of[head] = index;
  h->in_flight[head] = 1;
  return 1;
}

int ch_receive(struct ch_host* opaque, struct ch_message* out) {
  struct host* h = (struct host*)opaque;
  struct vring_used_elem e;
  if (!fr_driver_used(&h->rx, &e)) return 0;
  if (e.id >= h->config.num) return fail(h, "receive id out of range", e.id);
  const unsigned char* buffer = fr_translate(&h->window, h->rx.vr.desc[e.id].addr, h->config.buffer_size);
  if (buffer == NULL) return fail(h, "receive buffer outside memory", e.id);
  if (e.len < FW_HEADER_SIZE || e.len > h->config.buffer_size) return fail(h, "bad used len", e.len);
  const struct fw_header header = fw_read_header(buffer);
  if (header.len > e.len - FW_HEADER_SIZE) return fail(h, "header len beyond used len", header.len);
  out->src = header.src;
  out->dst = header.dst;
  out->length = header.len;
  out->payload = buffer + FW_HEADER_SIZE;
  out->head = (uint16_t)e.id;
  return 1;
}

void ch_release(struct ch_host* opaque, const struct ch_message* message) {
  struct host* h = (struct host*)opaque;
  const uint64_t addr = h->rx.vr.desc[message->head].addr;
  fr_driver_free(&h->rx, message->head);
  fr_driver_add(&h->rx, addr, h->config.buffer_size, 1);
}

uint64_t ch_bogus_capacities(const struct ch_host* opaque) { return ((const struct host*)opaque)->bogus; }

uint32_t ch_last_capacity(const struct ch_host* opaque) { return ((const struct host*)opaque)->last_capacity; }

const char* ch_error(const struct ch_host* opaque) { return ((const struct host*)opaque)->error; }
