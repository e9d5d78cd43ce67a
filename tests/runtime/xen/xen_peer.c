/* See xen_peer.h. Ring work goes through Xen's macros only; what the macros leave to the
 * user (the three barriers, the notification, what to put in a request) is defined here. */
#include "xen_peer.h"

#include <stdio.h>
#include <string.h>

/* The interface version that expects the user to define the barriers. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

/* x86 keeps stores in order and loads in order, so the write and read barriers only stop
 * the compiler; the full barrier is mfence. */
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
#include <xen/io/netif.h>
#include <xen/io/ring.h>

/* This peer stands for a driver in another domain: its plain accesses to the shared ring
 * are not instrumented by ThreadSanitizer in real life either. Under TSan it asks to be
 * ignored, so only vgen's side is checked. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define XP_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define XP_TSAN 1
#endif
#ifdef XP_TSAN
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
static void foreign_begin(void) {
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}
static void foreign_end(void) {
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
}
#else
static void foreign_begin(void) {}
static void foreign_end(void) {}
#endif

/* Give up after this long without progress. A wait that times out while work is waiting
 * means a notification was lost: with the peer working, it comes within microseconds. */
#define XP_STALL_MS 10000
#define XP_WAIT_MS 1000

void xp_get_layout(struct xp_layout* out) {
  static blkif_sring_t sring; /* __RING_SIZE takes a ring; only its address is used */
  static netif_tx_sring_t tx_sring;
  static netif_rx_sring_t rx_sring;
  unsigned order;
  memset(out, 0, sizeof *out);
  out->req_prod = offsetof(blkif_sring_t, req_prod);
  out->req_event = offsetof(blkif_sring_t, req_event);
  out->rsp_prod = offsetof(blkif_sring_t, rsp_prod);
  out->rsp_event = offsetof(blkif_sring_t, rsp_event);
  out->ring = offsetof(blkif_sring_t, ring);
  out->entry_size = sizeof(union blkif_sring_entry);
  out->request_size = sizeof(struct blkif_request);
  out->response_size = sizeof(struct blkif_response);
  out->request_id = offsetof(struct blkif_request, id);
  out->request_sector = offsetof(struct blkif_request, sector_number);
  out->request_segments = offsetof(struct blkif_request, seg);
  out->request_handle = offsetof(struct blkif_request, handle);
  out->segment_size = sizeof(struct blkif_request_segment);
  out->segment_first = offsetof(struct blkif_request_segment, first_sect);
  out->segment_last = offsetof(struct blkif_request_segment, last_sect);
  out->response_id = offsetof(struct blkif_response, id);
  out->response_operation = offsetof(struct blkif_response, operation);
  out->response_status = offsetof(struct blkif_response, status);
  out->const_ring_size_page = __CONST_RING_SIZE(blkif, 4096);
  for (order = 0; order < 9; ++order) {
    out->ring_size_for[order] = __RING_SIZE(&sring, 4096u << order);
    out->netif_tx_size_for[order] = __RING_SIZE(&tx_sring, 4096u << order);
    out->netif_rx_size_for[order] = __RING_SIZE(&rx_sring, 4096u << order);
  }
  out->netif_tx_entries = __CONST_RING_SIZE(netif_tx, 4096);
  out->netif_rx_entries = __CONST_RING_SIZE(netif_rx, 4096);
  out->netif_tx_request = sizeof(struct netif_tx_request);
  out->netif_tx_response = sizeof(struct netif_tx_response);
  out->netif_rx_request = sizeof(struct netif_rx_request);
  out->netif_rx_response = sizeof(struct netif_rx_response);
  out->op_read = BLKIF_OP_READ;
  out->op_write = BLKIF_OP_WRITE;
  out->rsp_okay = BLKIF_RSP_OKAY;
  out->rsp_error = BLKIF_RSP_ERROR;
  out->rsp_eopnotsupp = BLKIF_RSP_EOPNOTSUPP;
  out->max_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

unsigned xp_shared_init(void* shared, size_t bytes) {
  blkif_sring_t* sring = (blkif_sring_t*)shared;
  SHARED_RING_INIT(sring);
  return __RING_SIZE(sring, bytes);
}

/* ---- the request/response contract both test peers follow (vgen's copy is in the test) ---- */

static void fill_request(uint64_t id, struct blkif_request* request) {
  unsigned s;
  request->operation = (uint8_t)(id % 2 == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE);
  request->nr_segments = (uint8_t)(1 + id % BLKIF_MAX_SEGMENTS_PER_REQUEST);
  request->handle = (blkif_vdev_t)(id * 3);
  request->id = id;
  request->sector_number = id * 8 + 5;
  for (s = 0; s < BLKIF_MAX_SEGMENTS_PER_REQUEST; ++s) {
    request->seg[s].gref = (grant_ref_t)(id * 16 + s);
    request->seg[s].first_sect = (uint8_t)(s % 8);
    request->seg[s].last_sect = 7;
  }
}

static int16_t expected_status(uint64_t id) {
  return (int16_t)(id % 3 == 0 ? BLKIF_RSP_OKAY : id % 3 == 1 ? BLKIF_RSP_ERROR : BLKIF_RSP_EOPNOTSUPP);
}

static int check_request(uint64_t id, const struct blkif_request* got, struct xp_result* out) {
  struct blkif_request want;
  unsigned s;
  fill_request(id, &want);
  if (got->id != want.id || got->operation != want.operation || got->nr_segments != want.nr_segments ||
      got->handle != want.handle || got->sector_number != want.sector_number) {
    snprintf(out->message, sizeof out->message,
             "request %llu: got id %llu op %u segments %u handle %u sector %llu", (unsigned long long)id,
             (unsigned long long)got->id, got->operation, got->nr_segments, got->handle,
             (unsigned long long)got->sector_number);
    return 0;
  }
  for (s = 0; s < got->nr_segments; ++s) {
    if (got->seg[s].gref != want.seg[s].gref || got->seg[s].first_sect != want.seg[s].first_sect ||
        got->seg[s].last_sect != want.seg[s].last_sect) {
      snprintf(out->message, sizeof out->message, "request %llu segment %u: gref %u first %u last %u",
               (unsigned long long)id, s, got->seg[s].gref, got->seg[s].first_sect, got->seg[s].last_sect);
      return 0;
    }
  }
  return 1;
}

static int check_response(uint64_t id, const struct blkif_response* got, struct xp_result* out) {
  if (got->id != id || got->operation != (id % 2 == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE) ||
      got->status != expected_status(id)) {
    snprintf(out->message, sizeof out->message, "response %llu: got id %llu op %u status %d",
             (unsigned long long)id, (unsigned long long)got->id, got->operation, got->status);
    return 0;
  }
  return 1;
}

static void stalled(struct xp_result* out, const char* who) {
  out->error = 1;
  snprintf(out->message, sizeof out->message, "%s stalled after %llu of its work", who,
           (unsigned long long)out->handled);
}

static void lost_wakeup(struct xp_result* out, const char* who) {
  out->error = 1;
  snprintf(out->message, sizeof out->message, "%s: lost wakeup, waited %d ms with work on the ring after %llu",
           who, XP_WAIT_MS, (unsigned long long)out->handled);
}

/* ---- frontend ---- */

static int front_take_responses(blkif_front_ring_t* front, struct xp_result* out) {
  int more;
  do {
    RING_IDX prod = front->sring->rsp_prod;
    RING_IDX cons;
    xen_rmb(); /* see responses up to prod */
    if (RING_RESPONSE_PROD_OVERFLOW(front, prod)) {
      snprintf(out->message, sizeof out->message, "backend rsp_prod %u overflows (rsp_cons %u)", prod,
               front->rsp_cons);
      return 0;
    }
    for (cons = front->rsp_cons; cons != prod; ++cons) {
      struct blkif_response response;
      RING_COPY_RESPONSE(front, cons, &response);
      if (!check_response(out->handled, &response, out)) return 0;
      ++out->handled;
    }
    front->rsp_cons = cons;
    RING_FINAL_CHECK_FOR_RESPONSES(front, more);
  } while (more);
  return 1;
}

void xp_front_run(void* shared, size_t bytes, uint64_t count, const struct xp_notifier* kick,
                  const struct xp_notifier* irq, struct xp_result* out) {
  blkif_front_ring_t front;
  uint64_t sent = 0;
  int idle_ms = 0;
  memset(out, 0, sizeof *out);
  foreign_begin();
  FRONT_RING_INIT(&front, (blkif_sring_t*)shared, bytes);
  while (out->handled < count) {
    uint64_t before = out->handled + sent;
    int notify;
    while (sent < count && !RING_FULL(&front)) {
      fill_request(sent, RING_GET_REQUEST(&front, front.req_prod_pvt));
      front.req_prod_pvt++;
      ++sent;
    }
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
    if (notify) {
      kick->notify(kick->context);
      ++out->notifications;
    }
    if (!front_take_responses(&front, out)) {
      out->error = 1;
      break;
    }
    if (out->handled + sent != before) {
      idle_ms = 0;
      continue;
    }
    /* Nothing moved: the final check armed rsp_event, so the next response notifies. */
    if (!irq->wait(irq->context, XP_WAIT_MS)) {
      if (RING_HAS_UNCONSUMED_RESPONSES(&front)) {
        lost_wakeup(out, "xen-macro frontend");
        break;
      }
      if ((idle_ms += XP_WAIT_MS) >= XP_STALL_MS) {
        stalled(out, "xen-macro frontend");
        break;
      }
    }
  }
  foreign_end();
}

/* ---- backend ---- */

void xp_back_run(void* shared, size_t bytes, uint64_t count, const struct xp_notifier* kick,
                 const struct xp_notifier* irq, struct xp_result* out) {
  blkif_back_ring_t back;
  int idle_ms = 0;
  memset(out, 0, sizeof *out);
  foreign_begin();
  BACK_RING_INIT(&back, (blkif_sring_t*)shared, bytes);
  while (out->handled < count) {
    RING_IDX prod = back.sring->req_prod;
    RING_IDX cons = back.req_cons;
    uint64_t before = out->handled;
    int notify, more;
    xen_rmb(); /* see requests up to prod */
    if (RING_REQUEST_PROD_OVERFLOW(&back, prod)) {
      out->error = 1;
      snprintf(out->message, sizeof out->message, "frontend req_prod %u overflows (rsp_prod_pvt %u)", prod,
               back.rsp_prod_pvt);
      break;
    }
    while (cons != prod && !RING_REQUEST_CONS_OVERFLOW(&back, cons)) {
      struct blkif_request request;
      struct blkif_response* response;
      RING_COPY_REQUEST(&back, cons, &request);
      back.req_cons = ++cons;
      if (!check_request(out->handled, &request, out)) {
        out->error = 1;
        break;
      }
      response = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
      response->id = request.id;
      response->operation = request.operation;
      response->status = expected_status(request.id);
      back.rsp_prod_pvt++;
      ++out->handled;
    }
    if (out->error) break;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
    if (notify) {
      irq->notify(irq->context);
      ++out->notifications;
    }
    if (out->handled != before) {
      idle_ms = 0;
      continue;
    }
    RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
    if (more) continue;
    if (!kick->wait(kick->context, XP_WAIT_MS)) {
      if (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
        lost_wakeup(out, "xen-macro backend");
        break;
      }
      if ((idle_ms += XP_WAIT_MS) >= XP_STALL_MS) {
        stalled(out, "xen-macro backend");
        break;
      }
    }
  }
  foreign_end();
}
