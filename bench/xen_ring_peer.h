/* The reference side of the Xen ring benchmark: a blkif frontend and backend written only
 * with Xen's own ring macros (xen/io/ring.h on struct blkif_request/response of
 * xen/io/blkif.h), in C as split drivers using them are. The benchmark runs the same
 * workload over vgen's ring ends; both sides follow one contract:
 *   request id i: operation READ if i is even else WRITE, 1 + i % 11 segments, handle
 *   i * 3 (16 bits), sector i * 8, segment s: gref i * 16 + s, first sector s % 8, last 7;
 *   response: the id and operation, status OKAY / ERROR / EOPNOTSUPP for i % 3 = 0 / 1 / 2.
 * The backend checks every field of every request, the frontend every response, and ids
 * run on without gaps. */
#ifndef VGEN_BENCH_XEN_RING_PEER_H
#define VGEN_BENCH_XEN_RING_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One direction of notification (an event channel port), provided by the caller. wait
 * returns 1 if a notification came within timeout_ms, 0 otherwise. */
struct xr_notifier {
  void (*notify)(void* context);
  int (*wait)(void* context, int timeout_ms);
  void* context;
};

/* Shared between the two processes in a page of its own. Flags and counters are accessed
 * with atomic builtins. */
struct xr_control {
  uint32_t ready;         /* set by the backend once it serves */
  uint32_t stop;          /* set by the frontend: the backend reports and exits */
  uint32_t failed;        /* set by the backend with message when a request was wrong */
  uint32_t reserved;
  uint64_t handled;       /* requests the backend answered, written when it stops */
  uint64_t notifications; /* notifications the backend sent, written when it stops */
  uint64_t cpu_ns;        /* CPU time the backend used serving, written when it stops */
  char message[256];
};

/* Frontend state kept between runs. */
struct xr_front {
  void* ring;             /* the frontend ring (blkif_front_ring_t, opaque here) */
  uint64_t next_id;       /* id of the next request */
  uint64_t completed;     /* responses taken and checked */
  uint64_t notifications; /* notifications sent */
  char message[256];      /* what went wrong, after an error */
};

/* SHARED_RING_INIT and FRONT_RING_INIT on `bytes` bytes at `shared`. Returns the number of
 * ring entries, 0 if the ring state cannot be allocated. */
unsigned xr_front_init(struct xr_front* front, void* shared, size_t bytes);
/* Frees what xr_front_init allocated. */
void xr_front_destroy(struct xr_front* front);

/* Sends `count` more requests, pushing them `batch` at a time, and returns once all their
 * responses were taken and checked. 0 on success; else 1 with front->message set (a wrong
 * response, a lost notification, a stalled or failed backend). */
int xr_front_run(struct xr_front* front, uint64_t count, unsigned batch, const struct xr_notifier* kick,
                 const struct xr_notifier* irq, const struct xr_control* control);

/* Backend: BACK_RING_INIT on the ring and serves until control->stop, pushing responses
 * `batch` at a time (or fewer when no more requests wait). 0 after a stop; 1 after a
 * wrong request (control->failed and message set). */
int xr_back_serve(void* shared, size_t bytes, unsigned batch, const struct xr_notifier* kick,
                  const struct xr_notifier* irq, struct xr_control* control);

#ifdef __cplusplus
}
#endif

#endif
