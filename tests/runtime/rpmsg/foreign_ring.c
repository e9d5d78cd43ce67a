/* See foreign_ring.h. Shared indexes go through __atomic builtins with the orders of VirtIO 1.2
 * §2.7.13 (release after writing entries, acquire before reading them). */
#include "foreign_ring.h"

#include <string.h>

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

unsigned char* fr_translate(const struct fp_window* w, uint64_t addr, uint32_t len) {
  if (addr < w->base || addr - w->base > w->size || len > w->size - (addr - w->base)) return NULL;
  return w->host + (addr - w->base);
}

void fr_map(struct fr_ring* r, const struct fp_ring* parts, unsigned num) {
  memset(r, 0, sizeof *r);
  r->vr.num = num;
  r->vr.desc = (struct vring_desc*)parts->desc;
  r->vr.avail = (struct vring_avail*)parts->avail;
  r->vr.used = (struct vring_used*)parts->used;
}

int fr_device_take(struct fr_ring* r, uint16_t* head, struct vring_desc* first) {
  if (LOAD_ACQ(&r->vr.avail->idx) == r->next_avail) return 0;
  *head = LOAD(&r->vr.avail->ring[r->next_avail % r->vr.num]);
  r->next_avail++;
  if (*head >= r->vr.num) return -1;
  *first = r->vr.desc[*head];
  return 1;
}

void fr_device_return(struct fr_ring* r, uint16_t head, uint32_t len) {
  struct vring_used_elem* e = &r->vr.used->ring[r->used_idx % r->vr.num];
  STORE(&e->id, head);
  STORE(&e->len, len);
  r->used_idx++;
  STORE_REL(&r->vr.used->idx, r->used_idx);
}

void fr_driver_init(struct fr_ring* r) {
  STORE(&r->vr.avail->flags, 0);
  STORE(&r->vr.avail->idx, 0);
  STORE(&r->vr.used->flags, 0);
  STORE(&r->vr.used->idx, 0);
  for (unsigned i = 0; i < r->vr.num; i++) r->vr.desc[i].next = (uint16_t)(i + 1);
  r->free_head = 0;
  r->num_free = (uint16_t)r->vr.num;
  r->avail_idx = 0;
  r->last_used = 0;
}

int fr_driver_add(struct fr_ring* r, uint64_t addr, uint32_t len, int device_writable) {
  if (r->num_free == 0) return -1;
  const uint16_t head = r->free_head;
  r->free_head = r->vr.desc[head].next;
  r->num_free--;
  r->vr.desc[head].addr = addr;
  r->vr.desc[head].len = len;
  r->vr.desc[head].flags = device_writable ? VRING_DESC_F_WRITE : 0;
  STORE(&r->vr.avail->ring[r->avail_idx % r->vr.num], head);
  r->avail_idx++;
  STORE_REL(&r->vr.avail->idx, r->avail_idx);
  return head;
}

int fr_driver_used(struct fr_ring* r, struct vring_used_elem* out) {
  if (LOAD_ACQ(&r->vr.used->idx) == r->last_used) return 0;
  const struct vring_used_elem* e = &r->vr.used->ring[r->last_used % r->vr.num];
  out->id = LOAD(&e->id);
  out->len = LOAD(&e->len);
  r->last_used++;
  return 1;
}

void fr_driver_free(struct fr_ring* r, uint16_t head) {
  r->vr.desc[head].next = r->free_head;
  r->free_head = head;
  r->num_free++;
}
