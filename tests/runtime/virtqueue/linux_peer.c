/* See linux_peer.h. Barriers follow VirtIO 1.2 §2.7.13; shared indexes use __atomic builtins
 * so ThreadSanitizer sees the synchronisation. */
#include "linux_peer.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define FULL_BARRIER() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* The free list is threaded through the descriptor table's next fields, as Linux does. */
struct driver {
  struct vring vr;
  int event_idx;
  uint16_t free_head, num_free, last_used, avail_idx, kicked_idx;
};
_Static_assert(sizeof(struct driver) <= sizeof(struct lp_driver), "lp_driver too small");

struct device {
  struct vring vr;
  int event_idx;
  uint16_t last_avail, used_idx;
};
_Static_assert(sizeof(struct device) <= sizeof(struct lp_device), "lp_device too small");

void lp_layout_offsets(unsigned num, unsigned long align, struct lp_offsets* out) {
  struct vring vr;
  unsigned char* base = (unsigned char*)0x1000;
  vring_init(&vr, num, base, align);
  out->desc = (size_t)((unsigned char*)vr.desc - base);
  out->avail = (size_t)((unsigned char*)vr.avail - base);
  out->used = (size_t)((unsigned char*)vr.used - base);
  out->used_event = (size_t)((unsigned char*)&vring_used_event(&vr) - base);
  out->avail_event = (size_t)((unsigned char*)&vring_avail_event(&vr) - base);
  out->total = vring_size(num, align);
}

void lp_header_facts(struct lp_facts* f) {
  f->desc_size = sizeof(struct vring_desc);
  f->desc_addr = offsetof(struct vring_desc, addr);
  f->desc_len = offsetof(struct vring_desc, len);
  f->desc_flags = offsetof(struct vring_desc, flags);
  f->desc_next = offsetof(struct vring_desc, next);
  f->used_elem_size = sizeof(struct vring_used_elem);
  f->used_elem_len = offsetof(struct vring_used_elem, len);
  f->flag_next = VRING_DESC_F_NEXT;
  f->flag_write = VRING_DESC_F_WRITE;
  f->flag_indirect = VRING_DESC_F_INDIRECT;
  f->avail_no_interrupt = VRING_AVAIL_F_NO_INTERRUPT;
  f->used_no_notify = VRING_USED_F_NO_NOTIFY;
  f->f_indirect = VIRTIO_RING_F_INDIRECT_DESC;
  f->f_event_idx = VIRTIO_RING_F_EVENT_IDX;
  f->f_version_1 = VIRTIO_F_VERSION_1;
  f->f_access_platform = VIRTIO_F_ACCESS_PLATFORM;
  f->f_ring_packed = VIRTIO_F_RING_PACKED;
  f->f_in_order = VIRTIO_F_IN_ORDER;
  f->f_order_platform = VIRTIO_F_ORDER_PLATFORM;
  f->f_sr_iov = VIRTIO_F_SR_IOV;
  f->f_ring_reset = VIRTIO_F_RING_RESET;
}

int lp_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx) {
  return vring_need_event(event, new_idx, old_idx);
}

void lp_driver_init(struct lp_driver* opaque, void* ring, unsigned num, unsigned long align, int event_idx) {
  struct driver* d = (struct driver*)opaque;
  memset(d, 0, sizeof *d);
  vring_init(&d->vr, num, ring, align);
  memset(ring, 0, vring_size(num, align));
  d->event_idx = event_idx;
  d->num_free = (uint16_t)num;
  /* Descriptor i chains to i+1 for the free list; the device never writes the table. */
  for (unsigned i = 0; i < num; i++) d->vr.desc[i].next = (uint16_t)((i + 1) % num);
}

int lp_driver_add(struct lp_driver* opaque, uint64_t out_addr, uint32_t out_len, uint64_t in_addr, uint32_t in_len) {
  struct driver* d = (struct driver*)opaque;
  if (d->num_free < 2) return -1;
  uint16_t head = d->free_head;
  uint16_t second = d->vr.desc[head].next;
  d->free_head = d->vr.desc[second].next;
  d->num_free -= 2;
  d->vr.desc[head].addr = out_addr;
  d->vr.desc[head].len = out_len;
  d->vr.desc[head].flags = VRING_DESC_F_NEXT;
  d->vr.desc[head].next = second;
  d->vr.desc[second].addr = in_addr;
  d->vr.desc[second].len = in_len;
  d->vr.desc[second].flags = VRING_DESC_F_WRITE;
  STORE(&d->vr.avail->ring[d->avail_idx % d->vr.num], head);
  d->avail_idx++;
  STORE_REL(&d->vr.avail->idx, d->avail_idx); /* §2.7.13.3.1 */
  return head;
}

int lp_driver_kick_needed(struct lp_driver* opaque) {
  struct driver* d = (struct driver*)opaque;
  uint16_t old = d->kicked_idx, now = d->avail_idx;
  d->kicked_idx = now;
  FULL_BARRIER(); /* §2.7.13.4.1 */
  if (d->event_idx) return vring_need_event(LOAD(&vring_avail_event(&d->vr)), now, old);
  return !(LOAD(&d->vr.used->flags) & VRING_USED_F_NO_NOTIFY);
}

long lp_driver_get_used(struct lp_driver* opaque, uint32_t* len) {
  struct driver* d = (struct driver*)opaque;
  if (LOAD_ACQ(&d->vr.used->idx) == d->last_used) return -1;
  struct vring_used_elem* e = &d->vr.used->ring[d->last_used % d->vr.num];
  uint32_t id = LOAD(&e->id);
  *len = LOAD(&e->len);
  d->last_used++;
  if (d->event_idx) STORE(&vring_used_event(&d->vr), d->last_used);
  /* Return both descriptors of the chain to the free list. */
  uint16_t second = d->vr.desc[id].next;
  d->vr.desc[second].next = d->free_head;
  d->free_head = (uint16_t)id;
  d->num_free += 2;
  return (long)id;
}

void lp_device_init(struct lp_device* opaque, void* ring, unsigned num, unsigned long align, int event_idx) {
  struct device* v = (struct device*)opaque;
  memset(v, 0, sizeof *v);
  vring_init(&v->vr, num, ring, align);
  v->event_idx = event_idx;
}

long lp_device_pop(struct lp_device* opaque, void* descs, unsigned max, unsigned* count) {
  struct device* v = (struct device*)opaque;
  if (LOAD_ACQ(&v->vr.avail->idx) == v->last_avail) return -1;
  uint16_t head = LOAD(&v->vr.avail->ring[v->last_avail % v->vr.num]);
  v->last_avail++;
  if (v->event_idx) STORE(&vring_avail_event(&v->vr), v->last_avail);
  struct vring_desc* out = (struct vring_desc*)descs;
  unsigned n = 0;
  uint16_t i = head;
  for (;;) {
    if (n == max) break;
    out[n] = v->vr.desc[i];
    if (!(out[n].flags & VRING_DESC_F_NEXT)) { n++; break; }
    i = out[n].next;
    n++;
  }
  *count = n;
  return head;
}

int lp_device_push(struct lp_device* opaque, uint16_t head, uint32_t len) {
  struct device* v = (struct device*)opaque;
  struct vring_used_elem* e = &v->vr.used->ring[v->used_idx % v->vr.num];
  STORE(&e->id, head);
  STORE(&e->len, len);
  uint16_t old = v->used_idx++;
  STORE_REL(&v->vr.used->idx, v->used_idx); /* §2.7.8.2 */
  FULL_BARRIER();
  if (v->event_idx) return vring_need_event(LOAD(&vring_used_event(&v->vr)), v->used_idx, old);
  return !(LOAD(&v->vr.avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
}
