/* What the test hands a foreign rpmsg peer (the length-reporting remote, the capacity-reading
   host): where shared memory is and where a ring's three parts are. Plain C, usable from C++. */
#ifndef VGEN_TEST_FOREIGN_PEER_H
#define VGEN_TEST_FOREIGN_PEER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Shared memory: guest addresses [base, base + size) at host pointer `host`. */
struct fp_window {
  uint64_t base;
  uint64_t size;
  unsigned char* host;
};

/* One ring's parts, as host pointers (struct vring_desc[], vring_avail, vring_used). */
struct fp_ring {
  void* desc;
  void* avail;
  void* used;
};

#ifdef __cplusplus
}
#endif
#endif
