#include "raw_ring.h"

#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(RAW_DESC_NEXT == VRING_DESC_F_NEXT, "flag values");
_Static_assert(RAW_DESC_WRITE == VRING_DESC_F_WRITE, "flag values");
_Static_assert(RAW_DESC_INDIRECT == VRING_DESC_F_INDIRECT, "flag values");

#define RAW_ALIGN 4096

struct raw_ring {
  struct vring vr;
};

struct raw_ring* raw_ring_create(void* memory, unsigned num) {
  struct raw_ring* ring = calloc(1, sizeof *ring);
  if (ring == NULL) return NULL;
  memset(memory, 0, vring_size(num, RAW_ALIGN));
  vring_init(&ring->vr, num, memory, RAW_ALIGN);
  return ring;
}

void raw_ring_destroy(struct raw_ring* ring) { free(ring); }

unsigned long raw_ring_bytes(unsigned num) { return vring_size(num, RAW_ALIGN); }

unsigned long raw_ring_avail_offset(const struct raw_ring* ring) {
  return (unsigned long)((char*)ring->vr.avail - (char*)ring->vr.desc);
}

unsigned long raw_ring_used_offset(const struct raw_ring* ring) {
  return (unsigned long)((char*)ring->vr.used - (char*)ring->vr.desc);
}

void raw_ring_set_desc(struct raw_ring* ring, unsigned index, uint64_t addr, uint32_t len, uint16_t flags,
                       uint16_t next) {
  raw_ring_write_indirect(ring->vr.desc, index, addr, len, flags, next);
}

void raw_ring_write_indirect(void* table, unsigned index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
  struct vring_desc* desc = (struct vring_desc*)table + index;
  desc->addr = addr;
  desc->len = len;
  desc->flags = flags;
  desc->next = next;
}

void raw_ring_publish(struct raw_ring* ring, uint16_t head) {
  const uint16_t idx = raw_ring_avail_idx(ring);
  ring->vr.avail->ring[idx % ring->vr.num] = head;
  __atomic_store_n(&ring->vr.avail->idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
}

void raw_ring_set_avail_idx(struct raw_ring* ring, uint16_t idx) {
  __atomic_store_n(&ring->vr.avail->idx, idx, __ATOMIC_RELEASE);
}

uint16_t raw_ring_avail_idx(const struct raw_ring* ring) {
  return __atomic_load_n(&ring->vr.avail->idx, __ATOMIC_ACQUIRE);
}

uint16_t raw_ring_used_idx(const struct raw_ring* ring) {
  return __atomic_load_n(&ring->vr.used->idx, __ATOMIC_ACQUIRE);
}

void raw_ring_used_elem(const struct raw_ring* ring, uint16_t slot, uint32_t* id, uint32_t* len) {
  const struct vring_used_elem* element = &ring->vr.used->ring[slot % ring->vr.num];
  *id = element->id;
  *len = element->len;
}

void raw_ring_set_used_event(struct raw_ring* ring, uint16_t event) {
  __atomic_store_n(&vring_used_event(&ring->vr), event, __ATOMIC_RELEASE);
}
