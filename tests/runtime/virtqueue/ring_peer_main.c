/* vgen-test-ring-peer: a driver and a device written only against <linux/virtio_ring.h>
 * (linux_peer.c), sharing a split ring in a file, for `vgen trace attach` to watch.
 *
 *   vgen-test-ring-peer init FILE NUM        lay out a ring of NUM entries (vring_init, align
 *                                            4096) at offset 0 of a fresh FILE, buffers after it
 *   vgen-test-ring-peer run FILE NUM COUNT US  COUNT requests, US microseconds apart: the
 *                                            driver adds "request I" and a 16-byte reply buffer,
 *                                            the device answers "reply I" into it
 *
 * Guest addresses are file offsets. Prints where the ring parts are on `init`. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux_peer.h"

enum { kAlign = 4096, kBufferBytes = 16 };

/* Where the buffers start: the first page after the ring. */
static size_t buffers_at(unsigned num) {
  struct lp_offsets offsets;
  lp_layout_offsets(num, kAlign, &offsets);
  return (offsets.total + kAlign - 1) / kAlign * kAlign;
}

static unsigned char* map_file(const char* path, unsigned num, int create, size_t* size) {
  *size = buffers_at(num) + 2u * num * kBufferBytes;
  const int fd = open(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0600);
  if (fd < 0 || (create && ftruncate(fd, (off_t)*size) != 0)) {
    perror(path);
    exit(1);
  }
  void* memory = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (memory == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  return memory;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s init FILE NUM | run FILE NUM COUNT US\n", argv[0]);
    return 2;
  }
  const unsigned num = (unsigned)strtoul(argv[3], NULL, 0);
  size_t size = 0;
  if (strcmp(argv[1], "init") == 0) {
    unsigned char* memory = map_file(argv[2], num, 1, &size);
    struct lp_driver driver;
    lp_driver_init(&driver, memory, num, kAlign, 0);
    struct lp_offsets offsets;
    lp_layout_offsets(num, kAlign, &offsets);
    printf("desc %zu avail %zu used %zu buffers %zu\n", offsets.desc, offsets.avail, offsets.used, buffers_at(num));
    return 0;
  }
  if (strcmp(argv[1], "run") != 0 || argc != 6) {
    fprintf(stderr, "usage: %s init FILE NUM | run FILE NUM COUNT US\n", argv[0]);
    return 2;
  }
  const unsigned count = (unsigned)strtoul(argv[4], NULL, 0);
  const unsigned pause = (unsigned)strtoul(argv[5], NULL, 0);
  unsigned char* memory = map_file(argv[2], num, 0, &size);
  /* The driver's state starts from the ring init left (indexes 0); the device attaches. */
  struct lp_driver driver;
  struct lp_device device;
  lp_driver_init(&driver, memory, num, kAlign, 0);
  lp_device_init(&device, memory, num, kAlign, 0);
  const size_t buffers = buffers_at(num);
  for (unsigned i = 0; i < count; ++i) {
    const unsigned slot = i % num;
    const size_t out = buffers + 2u * slot * kBufferBytes;
    const size_t in = out + kBufferBytes;
    char text[32];
    snprintf(text, sizeof text, "request %u", i);
    memcpy(memory + out, text, strlen(text) < kBufferBytes ? strlen(text) : kBufferBytes);
    memset(memory + in, 0, kBufferBytes);
    if (lp_driver_add(&driver, out, (uint32_t)strnlen(text, kBufferBytes), in, kBufferBytes) < 0) return 1;
    usleep(pause);
    unsigned char descs[16 * 4];
    unsigned taken = 0;
    const long head = lp_device_pop(&device, descs, 4, &taken);
    if (head < 0) return 1;
    snprintf(text, sizeof text, "reply %u", i);
    memcpy(memory + in, text, strnlen(text, kBufferBytes));
    lp_device_push(&device, (uint16_t)head, (uint32_t)strnlen(text, kBufferBytes));
    usleep(pause);
    uint32_t len = 0;
    if (lp_driver_get_used(&driver, &len) != head) return 1;
  }
  munmap(memory, size);
  return 0;
}
