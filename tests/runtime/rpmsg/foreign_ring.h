/* The two foreign rpmsg peers' view of shared memory, in C over <linux/virtio_ring.h> only
 * (that header is C). Nothing here uses vgen: one split ring as a driver or a device sees
 * it, single-descriptor chains (all a foreign rpmsg stack uses), and guest addresses
 * translated through one flat window. */
#ifndef VGEN_TEST_FOREIGN_RING_H
#define VGEN_TEST_FOREIGN_RING_H

#include <linux/virtio_ring.h>
#include <stdint.h>

#include "foreign_peer.h"

/* Host pointer of [addr, addr + len) inside the window, or NULL if it is not inside. */
unsigned char* fr_translate(const struct fp_window* w, uint64_t addr, uint32_t len);

/* One ring and the indexes of the side that uses it. */
struct fr_ring {
  struct vring vr;
  uint16_t next_avail; /* device: next avail entry to take */
  uint16_t used_idx;   /* device: next used entry to fill */
  uint16_t avail_idx;  /* driver: next avail entry to fill */
  uint16_t last_used;  /* driver: next used entry to read */
  uint16_t free_head;  /* driver: first free descriptor */
  uint16_t num_free;   /* driver: free descriptors */
};

/* Points `r` at the three parts, as given (they need not be contiguous). */
void fr_map(struct fr_ring* r, const struct fp_ring* parts, unsigned num);

/* Device: the head of the next available chain and its first descriptor; 0 when none. */
int fr_device_take(struct fr_ring* r, uint16_t* head, struct vring_desc* first);
/* Device: returns `head` with `len` and publishes used idx at once. */
void fr_device_return(struct fr_ring* r, uint16_t head, uint32_t len);

/* Driver: zeroes the ring's indexes and flags and threads the free list. */
void fr_driver_init(struct fr_ring* r);
/* Driver: adds one buffer and publishes avail idx; returns the head or -1 when full. */
int fr_driver_add(struct fr_ring* r, uint64_t addr, uint32_t len, int device_writable);
/* Driver: the next used element; 0 when none. The caller checks its id. */
int fr_driver_used(struct fr_ring* r, struct vring_used_elem* out);
/* Driver: puts descriptor `head` back on the free list. */
void fr_driver_free(struct fr_ring* r, uint16_t head);

#endif
