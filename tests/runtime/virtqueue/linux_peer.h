/* A driver and a device written only against <linux/virtio_ring.h> (vring_init,
 * vring_need_event, the struct layouts), in C as that header requires. Tests run them
 * against vgen's own sides on the same shared memory. */
#ifndef VGEN_TEST_LINUX_PEER_H
#define VGEN_TEST_LINUX_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Byte offsets vring_init() gives each part, and vring_size(). */
struct lp_offsets {
  size_t desc, avail, used, used_event, avail_event, total;
};
void lp_layout_offsets(unsigned num, unsigned long align, struct lp_offsets* out);
/* Sizes, field offsets and constants as <linux/virtio_ring.h> and <linux/virtio_config.h> define them. */
struct lp_facts {
  size_t desc_size, desc_addr, desc_len, desc_flags, desc_next, used_elem_size, used_elem_len;
  unsigned flag_next, flag_write, flag_indirect, avail_no_interrupt, used_no_notify;
  unsigned f_indirect, f_event_idx, f_version_1, f_access_platform, f_ring_packed, f_in_order,
      f_order_platform, f_sr_iov, f_ring_reset;
};
void lp_header_facts(struct lp_facts* out);
int lp_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx);

/* Opaque state sized generously so C++ can hold it by value. */
struct lp_driver {
  unsigned char opaque[128];
};
struct lp_device {
  unsigned char opaque[128];
};

/* Driver: initialises the ring at `ring` (contiguous layout); `event_idx` as negotiated. */
void lp_driver_init(struct lp_driver* d, void* ring, unsigned num, unsigned long align, int event_idx);
/* Adds one device-readable and one device-writable buffer (guest addresses); returns the
 * head or -1 when fewer than 2 descriptors are free. Publishes avail idx at once. */
int lp_driver_add(struct lp_driver* d, uint64_t out_addr, uint32_t out_len, uint64_t in_addr, uint32_t in_len);
/* 1 if the device asked to be notified for what was added since the last call. */
int lp_driver_kick_needed(struct lp_driver* d);
/* Next used element: returns the id and stores len, or -1 when none. */
long lp_driver_get_used(struct lp_driver* d, uint32_t* len);

/* Device over a ring the driver initialised. */
void lp_device_init(struct lp_device* v, void* ring, unsigned num, unsigned long align, int event_idx);
/* Takes the next head if any: returns it and copies the descriptor chain (at most `max`
 * entries) into `descs` (struct vring_desc layout), stores the count; -1 when empty. */
long lp_device_pop(struct lp_device* v, void* descs, unsigned max, unsigned* count);
/* Returns a chain; publishes used idx. Returns 1 if the driver asked for an interrupt. */
int lp_device_push(struct lp_device* v, uint16_t head, uint32_t len);

#ifdef __cplusplus
}
#endif
#endif
