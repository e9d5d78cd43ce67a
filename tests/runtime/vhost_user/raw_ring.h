/* The driver side of a split ring written with the kernel's <linux/virtio_ring.h> alone
 * (struct vring, vring_init(), vring_used_event()). It is C because that header's inline
 * functions do not compile as C++; the C++ test front end calls these functions. */
#ifndef VHOST_TEST_RAW_RING_H
#define VHOST_TEST_RAW_RING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The descriptor flags of <linux/virtio_ring.h> (checked there). */
enum { RAW_DESC_NEXT = 1, RAW_DESC_WRITE = 2, RAW_DESC_INDIRECT = 4 };

struct raw_ring;

/* Lays out a ring of `num` entries at `memory` as vring_init() with 4096 alignment does and
 * zeroes it. Returns null when out of memory. */
struct raw_ring* raw_ring_create(void* memory, unsigned num);
void raw_ring_destroy(struct raw_ring* ring);
/* Bytes vring_size() reports; offsets of the avail and used rings from the table. */
unsigned long raw_ring_bytes(unsigned num);
unsigned long raw_ring_avail_offset(const struct raw_ring* ring);
unsigned long raw_ring_used_offset(const struct raw_ring* ring);
void raw_ring_set_desc(struct raw_ring* ring, unsigned index, uint64_t addr, uint32_t len, uint16_t flags,
                       uint16_t next);
/* Writes a descriptor into an indirect table at `table`. */
void raw_ring_write_indirect(void* table, unsigned index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
/* Places `head` in the avail ring and moves avail->idx with release ordering. */
void raw_ring_publish(struct raw_ring* ring, uint16_t head);
void raw_ring_set_avail_idx(struct raw_ring* ring, uint16_t idx);
uint16_t raw_ring_avail_idx(const struct raw_ring* ring);
/* used->idx with acquire ordering, and one used element. */
uint16_t raw_ring_used_idx(const struct raw_ring* ring);
void raw_ring_used_elem(const struct raw_ring* ring, uint16_t slot, uint32_t* id, uint32_t* len);
/* vring_used_event(): ask for an interrupt once used->idx passes `event`. */
void raw_ring_set_used_event(struct raw_ring* ring, uint16_t event);

#ifdef __cplusplus
}
#endif

#endif
