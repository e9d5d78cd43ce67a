/* See xen_ring_peer.h. Ring work goes through Xen's macros only; what the macros leave to
 * their user (the three barriers, the notification, the request contents) is defined here. */
#include "xen_ring_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The interface version whose ring.h expects its user to define the barriers. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

/* x86 keeps stores in order and loads in order: the read and write barriers only stop the
 * compiler, the full barrier (store then load of the other index) is mfence. */
#if defined(__x86_64__) || defined(__i386__)
#define xen_mb() __asm__ __volatile__("mfence" ::: "memory")
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")
#else
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/io/blkif.h>
#include <xen/io/ring.h>

/* A wait that times out while work is on the ring means a notification was lost: with the
 * other side running, one comes within microseconds. Without progress for XR_STALL_MS the
 * frontend gives up. The backend wakes every XR_BACK_WAIT_MS to look at control->stop. */
#define XR_WAIT_MS 1000
#define XR_STALL_MS 10000
#define XR_BACK_WAIT_MS 50

/* ---- the contract (see the header) ---- */

static void fill_request(uint64_t id, struct blkif_request* request) {
  unsigned s;
  request->operation = (uint8_t)(id % 2 == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE);
  request->nr_segments = (uint8_t)(1 + id % BLKIF_MAX_SEGMENTS_PER_REQUEST);
  request->handle = (blkif_vdev_t)(id * 3);
  request->id = id;
  request->sector_number = id * 8;
  for (s = 0; s < request->nr_segments; ++s) {
    request->seg[s].gref = (grant_ref_t)(id * 16 + s);
    request->seg[s].first_sect = (uint8_t)(s % 8);
    request->seg[s].last_sect = 7;
  }
}

static int16_t status_for(uint64_t id) {
  return (int16_t)(id % 3 == 0 ? BLKIF_RSP_OKAY : id % 3 == 1 ? BLKIF_RSP_ERROR : BLKIF_RSP_EOPNOTSUPP);
}

static int request_is_right(uint64_t id, const struct blkif_request* got, char* message, size_t size) {
  struct blkif_request want;
  unsigned s;
  fill_request(id, &want);
  if (got->id != want.id || got->operation != want.operation || got->nr_segments != want.nr_segments ||
      got->handle != want.handle || got->sector_number != want.sector_number) {
    snprintf(message, size, "request %llu: got id %llu operation %u segments %u handle %u sector %llu",
             (unsigned long long)id, (unsigned long long)got->id, got->operation, got->nr_segments, got->handle,
             (unsigned long long)got->sector_number);
    return 0;
  }
  for (s = 0; s < got->nr_segments; ++s) {
    if (got->seg[s].gref != want.seg[s].gref || got->seg[s].first_sect != want.seg[s].first_sect ||
        got->seg[s].last_sect != want.seg[s].last_sect) {
      snprintf(message, size, "request %llu segment %u: gref %u first %u last %u", (unsigned long long)id, s,
               got->seg[s].gref, got->seg[s].first_sect, got->seg[s].last_sect);
      return 0;
    }
  }
  return 1;
}

static int response_is_right(uint64_t id, const struct blkif_response* got, char* message, size_t size) {
  if (got->id != id || got->operation != (id % 2 == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE) ||
      got->status != status_for(id)) {
    snprintf(message, size, "response %llu: got id %llu operation %u status %d", (unsigned long long)id,
             (unsigned long long)got->id, got->operation, got->status);
    return 0;
  }
  return 1;
}

/* ---- frontend ---- */

unsigned xr_front_init(struct xr_front* front, void* shared, size_t bytes) {
  blkif_front_ring_t* ring = malloc(sizeof *ring);
  memset(front, 0, sizeof *front);
  if (ring == NULL) return 0;
  SHARED_RING_INIT((blkif_sring_t*)shared);
  FRONT_RING_INIT(ring, (blkif_sring_t*)shared, bytes);
  front->ring = ring;
  return RING_SIZE(ring);
}

void xr_front_destroy(struct xr_front* front) {
  free(front->ring);
  front->ring = NULL;
}

/* Queues up to `batch` requests (fewer only for the last of `end`) if that many entries
 * are free, and pushes them; returns how many were queued. */
static unsigned front_send_batch(struct xr_front* front, uint64_t end, unsigned batch, const struct xr_notifier* kick) {
  blkif_front_ring_t* ring = front->ring;
  unsigned n = end - front->next_id < batch ? (unsigned)(end - front->next_id) : batch;
  unsigned i;
  int notify;
  if (n == 0 || RING_FREE_REQUESTS(ring) < n) return 0;
  for (i = 0; i < n; ++i) {
    fill_request(front->next_id++, RING_GET_REQUEST(ring, ring->req_prod_pvt));
    ring->req_prod_pvt++;
  }
  RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(ring, notify);
  if (notify) {
    kick->notify(kick->context);
    ++front->notifications;
  }
  return n;
}

/* Takes every published response; -1 on a wrong one, else how many were taken. */
static long front_take_responses(struct xr_front* front) {
  blkif_front_ring_t* ring = front->ring;
  RING_IDX prod = ring->sring->rsp_prod;
  RING_IDX cons;
  long taken = 0;
  xen_rmb(); /* the responses up to prod are visible */
  if (RING_RESPONSE_PROD_OVERFLOW(ring, prod)) {
    snprintf(front->message, sizeof front->message, "backend rsp_prod %u overflows (rsp_cons %u)", prod,
             ring->rsp_cons);
    return -1;
  }
  for (cons = ring->rsp_cons; cons != prod; ++cons, ++taken) {
    struct blkif_response response;
    RING_COPY_RESPONSE(ring, cons, &response);
    if (!response_is_right(front->completed, &response, front->message, sizeof front->message)) return -1;
    ++front->completed;
  }
  ring->rsp_cons = cons;
  return taken;
}

/* Sleeps until the backend notifies; 0 with front->message set on a lost notification, a
 * failed backend, or a stall. */
static int front_wait(struct xr_front* front, const struct xr_notifier* irq, const struct xr_control* control,
                      int* idle_ms) {
  if (irq->wait(irq->context, XR_WAIT_MS)) return 1;
  if (__atomic_load_n(&control->failed, __ATOMIC_ACQUIRE)) {
    snprintf(front->message, sizeof front->message, "backend failed: %.200s", control->message);
    return 0;
  }
  if (RING_HAS_UNCONSUMED_RESPONSES((blkif_front_ring_t*)front->ring)) {
    snprintf(front->message, sizeof front->message, "lost notification: responses waited %d ms", XR_WAIT_MS);
    return 0;
  }
  if ((*idle_ms += XR_WAIT_MS) >= XR_STALL_MS) {
    snprintf(front->message, sizeof front->message, "no progress for %d ms after %llu responses", XR_STALL_MS,
             (unsigned long long)front->completed);
    return 0;
  }
  return 1;
}

int xr_front_run(struct xr_front* front, uint64_t count, unsigned batch, const struct xr_notifier* kick,
                 const struct xr_notifier* irq, const struct xr_control* control) {
  const uint64_t end = front->next_id + count;
  int idle_ms = 0;
  while (front->completed < end) {
    long progress = 0;
    int more;
    unsigned sent;
    while ((sent = front_send_batch(front, end, batch, kick)) != 0) progress += sent;
    const long taken = front_take_responses(front);
    if (taken < 0) return 1;
    if (progress + taken != 0) {
      idle_ms = 0;
      continue;
    }
    /* Nothing moved: ask for a notification on the next response, look once more. */
    RING_FINAL_CHECK_FOR_RESPONSES((blkif_front_ring_t*)front->ring, more);
    if (more) continue;
    if (!front_wait(front, irq, control, &idle_ms)) return 1;
  }
  return 0;
}

/* ---- backend ---- */

static void back_push(blkif_back_ring_t* ring, const struct xr_notifier* irq, uint64_t* notifications) {
  int notify;
  RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
  if (notify) {
    irq->notify(irq->context);
    ++*notifications;
  }
}

/* Answers every published request; -1 on a wrong one, else how many were answered. */
static long back_answer(blkif_back_ring_t* ring, unsigned batch, const struct xr_notifier* irq,
                        struct xr_control* control, uint64_t* handled, uint64_t* notifications) {
  RING_IDX prod = ring->sring->req_prod;
  RING_IDX cons = ring->req_cons;
  unsigned pending = 0;
  long answered = 0;
  xen_rmb(); /* the requests up to prod are visible */
  if (RING_REQUEST_PROD_OVERFLOW(ring, prod)) {
    snprintf(control->message, sizeof control->message, "frontend req_prod %u overflows (rsp_prod_pvt %u)", prod,
             ring->rsp_prod_pvt);
    return -1;
  }
  while (cons != prod && !RING_REQUEST_CONS_OVERFLOW(ring, cons)) {
    struct blkif_request request;
    struct blkif_response* response;
    RING_COPY_REQUEST(ring, cons, &request);
    ring->req_cons = ++cons;
    if (!request_is_right(*handled, &request, control->message, sizeof control->message)) return -1;
    response = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
    response->id = request.id;
    response->operation = request.operation;
    response->status = status_for(request.id);
    ring->rsp_prod_pvt++;
    ++*handled;
    ++answered;
    if (++pending == batch) {
      back_push(ring, irq, notifications);
      pending = 0;
    }
  }
  if (pending != 0) back_push(ring, irq, notifications);
  return answered;
}

int xr_back_serve(void* shared, size_t bytes, unsigned batch, const struct xr_notifier* kick,
                  const struct xr_notifier* irq, struct xr_control* control) {
  blkif_back_ring_t ring;
  uint64_t handled = 0;
  uint64_t notifications = 0;
  BACK_RING_INIT(&ring, (blkif_sring_t*)shared, bytes);
  __atomic_store_n(&control->ready, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&control->stop, __ATOMIC_ACQUIRE)) {
    int more;
    const long answered = back_answer(&ring, batch, irq, control, &handled, &notifications);
    if (answered < 0) {
      __atomic_store_n(&control->failed, 1, __ATOMIC_RELEASE);
      return 1;
    }
    if (answered != 0) continue;
    /* Nothing waiting: ask for a notification on the next request, look once more. */
    RING_FINAL_CHECK_FOR_REQUESTS(&ring, more);
    if (!more) kick->wait(kick->context, XR_BACK_WAIT_MS);
  }
  control->handled = handled;
  __atomic_store_n(&control->notifications, notifications, __ATOMIC_RELEASE);
  return 0;
}
