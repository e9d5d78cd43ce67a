/* A blkif frontend and backend written only with Xen's own ring macros (xen/io/ring.h,
 * xen/io/blkif.h), in C as drivers using them are, to run against vgen's ring ends on the
 * same shared memory. Also reports layout facts computed with those macros. */
#ifndef VGEN_TESTS_XEN_PEER_H
#define VGEN_TESTS_XEN_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Offsets and sizes as Xen's headers compute them. */
struct xp_layout {
  size_t req_prod, req_event, rsp_prod, rsp_event; /* offsetof in blkif_sring */
  size_t ring;                                     /* offsetof(blkif_sring, ring) */
  size_t entry_size;                               /* sizeof one ring entry (the union) */
  size_t request_size, response_size;              /* sizeof blkif_request / blkif_response */
  size_t request_id, request_sector, request_segments, request_handle; /* offsetof in blkif_request */
  size_t segment_size, segment_first, segment_last;                     /* blkif_request_segment */
  size_t response_id, response_operation, response_status;              /* offsetof in blkif_response */
  unsigned const_ring_size_page;                   /* __CONST_RING_SIZE(blkif, 4096) */
  unsigned ring_size_for[9];                       /* __RING_SIZE on 4096 << order, order 0..8 */
  unsigned netif_tx_entries, netif_rx_entries;     /* __CONST_RING_SIZE(netif_tx/rx, 4096) */
  unsigned netif_tx_size_for[9], netif_rx_size_for[9]; /* __RING_SIZE of the netif rings, order 0..8 */
  size_t netif_tx_request, netif_tx_response, netif_rx_request, netif_rx_response; /* sizes */
  int op_read, op_write, rsp_okay, rsp_error, rsp_eopnotsupp, max_segments;          /* constants */
};
void xp_get_layout(struct xp_layout* out);

/* SHARED_RING_INIT on `shared`, and FRONT/BACK_RING_INIT's entry count for `bytes`. */
unsigned xp_shared_init(void* shared, size_t bytes);

/* One direction of notification, provided by the caller. wait returns 1 if a notification
 * came within timeout_ms, 0 otherwise. */
struct xp_notifier {
  void (*notify)(void* context);
  int (*wait)(void* context, int timeout_ms);
  void* context;
};

/* What a run did. error is 0 on success; message says what failed. */
struct xp_result {
  uint64_t handled;       /* requests answered (backend) or responses checked (frontend) */
  uint64_t notifications; /* notifications sent */
  int error;
  char message[256];
};

/* Frontend: sends `count` requests (contents from xp_expected_* in the .c file: id i,
 * operation i % 2, segment_count 1 + i % 11, ...) on a ring initialised by xp_shared_init,
 * checks every response (in order, fields derived from the id) and returns when all came. */
void xp_front_run(void* shared, size_t bytes, uint64_t count, const struct xp_notifier* kick,
                  const struct xp_notifier* irq, struct xp_result* out);

/* Backend: answers `count` requests, checking each against the same formulas. */
void xp_back_run(void* shared, size_t bytes, uint64_t count, const struct xp_notifier* kick,
                 const struct xp_notifier* irq, struct xp_result* out);

#ifdef __cplusplus
}
#endif

#endif
