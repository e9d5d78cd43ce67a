/* vgen-store-xs-client: exercises a XenStore daemon through Debian's libxenstore (the
 * library every stock tool uses), the way a toolstack or backend would. Prints one line per
 * check for FileCheck and exits 1 if any check failed. XENSTORED_PATH selects the daemon. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

static int failures;

#define CHECK(cond, what)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "FAIL line %d: %s (errno %s)\n", __LINE__, what, strerror(errno)); \
      failures++;                                                             \
    }                                                                         \
  } while (0)

/* The value at `path` (NUL-terminated by libxenstore), or NULL with errno set. */
static char *read_string(struct xs_handle *h, xs_transaction_t t, const char *path) {
  unsigned int len = 0;
  return xs_read(h, t, path, &len);
}

static void write_and_read(struct xs_handle *h) {
  CHECK(xs_write(h, XBT_NULL, "/client/key", "value", 5), "write /client/key");
  unsigned int len = 0;
  char *value = xs_read(h, XBT_NULL, "/client/key", &len);
  CHECK(value != NULL && len == 5 && memcmp(value, "value", 5) == 0, "read back /client/key");
  printf("read: %.*s (%u bytes)\n", value ? (int)len : 0, value ? value : "", len);
  free(value);

  CHECK(xs_write(h, XBT_NULL, "/client/binary", "a\0b", 3), "write value with NUL");
  value = xs_read(h, XBT_NULL, "/client/binary", &len);
  CHECK(value != NULL && len == 3 && memcmp(value, "a\0b", 3) == 0, "read value with NUL");
  printf("binary: %u bytes, middle byte %d\n", len, value ? value[1] : -1);
  free(value);

  errno = 0;
  value = read_string(h, XBT_NULL, "/client/missing");
  printf("missing: %s\n", value == NULL && errno == ENOENT ? "ENOENT" : "unexpected");
  free(value);
  errno = 0;
  value = read_string(h, XBT_NULL, "/client/bad path");
  printf("invalid path: %s\n", value == NULL && errno == EINVAL ? "EINVAL" : "unexpected");
  free(value);
}

static void directories(struct xs_handle *h) {
  xs_write(h, XBT_NULL, "/client/list/zeta", "", 0);
  xs_write(h, XBT_NULL, "/client/list/alpha", "", 0);
  xs_write(h, XBT_NULL, "/client/list/mid", "", 0);
  unsigned int count = 0;
  char **names = xs_directory(h, XBT_NULL, "/client/list", &count);
  CHECK(names != NULL && count == 3, "directory of 3");
  printf("directory:");
  for (unsigned int i = 0; names && i < count; i++) printf(" %s", names[i]);
  printf("\n");
  free(names);

  /* More names than fit one reply: libxenstore falls back to DIRECTORY_PART. */
  char path[64];
  for (int i = 0; i < 600; i++) {
    snprintf(path, sizeof(path), "/client/big/child%04d", i);
    CHECK(xs_write(h, XBT_NULL, path, "", 0), "write big child");
  }
  names = xs_directory(h, XBT_NULL, "/client/big", &count);
  CHECK(names != NULL && count == 600, "large directory");
  printf("large directory: %u entries, last %s\n", count, names && count ? names[count - 1] : "-");
  free(names);

  CHECK(xs_mkdir(h, XBT_NULL, "/client/made/dir"), "mkdir");
  char *value = read_string(h, XBT_NULL, "/client/made/dir");
  printf("mkdir value: '%s'\n", value ? value : "(null)");
  free(value);
}

static void permissions(struct xs_handle *h) {
  struct xs_permissions set[2] = {{.id = 0, .perms = XS_PERM_NONE}, {.id = 5, .perms = XS_PERM_READ}};
  CHECK(xs_set_permissions(h, XBT_NULL, "/client/key", set, 2), "set permissions");
  unsigned int count = 0;
  struct xs_permissions *got = xs_get_permissions(h, XBT_NULL, "/client/key", &count);
  CHECK(got != NULL && count == 2, "get permissions");
  printf("permissions:");
  for (unsigned int i = 0; got && i < count; i++) {
    const unsigned int bits = got[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
    const char letter = bits == (XS_PERM_READ | XS_PERM_WRITE) ? 'b' : bits == XS_PERM_READ ? 'r' : bits ? 'w' : 'n';
    printf(" %c%u", letter, got[i].id);
  }
  printf("\n");
  free(got);
}

static void watches(struct xs_handle *h, struct xs_handle *other) {
  unsigned int num = 0;
  CHECK(xs_watch(h, "/client/w", "tok"), "watch");
  char **event = xs_read_watch(h, &num);
  CHECK(event != NULL, "first watch event");
  printf("watch registered: %s %s\n", event ? event[XS_WATCH_PATH] : "-", event ? event[XS_WATCH_TOKEN] : "-");
  free(event);

  CHECK(xs_write(other, XBT_NULL, "/client/w/child", "1", 1), "write under watch");
  event = xs_read_watch(h, &num);
  printf("watch fired: %s %s\n", event ? event[XS_WATCH_PATH] : "-", event ? event[XS_WATCH_TOKEN] : "-");
  free(event);

  CHECK(xs_write(other, XBT_NULL, "/client/wsibling", "1", 1), "write sibling");
  CHECK(xs_rm(other, XBT_NULL, "/client/w"), "remove watched node");
  event = xs_read_watch(h, &num);
  printf("watch after rm: %s\n", event ? event[XS_WATCH_PATH] : "-");
  free(event);
  CHECK(xs_unwatch(h, "/client/w", "tok"), "unwatch");
}

static void transactions(struct xs_handle *h, struct xs_handle *other) {
  xs_transaction_t t = xs_transaction_start(h);
  CHECK(t != XBT_NULL, "transaction start");
  CHECK(xs_write(h, t, "/client/tx", "inside", 6), "write in transaction");
  char *outside = read_string(other, XBT_NULL, "/client/tx");
  printf("before commit, others see: %s\n", outside ? outside : "nothing");
  free(outside);
  CHECK(xs_transaction_end(h, t, false), "commit");
  char *after = read_string(other, XBT_NULL, "/client/tx");
  printf("after commit, others see: %s\n", after ? after : "nothing");
  free(after);

  t = xs_transaction_start(h);
  free(read_string(h, t, "/client/tx"));
  CHECK(xs_write(other, XBT_NULL, "/client/tx", "racing", 6), "concurrent write");
  errno = 0;
  const bool committed = xs_transaction_end(h, t, false);
  printf("conflicting commit: %s\n", !committed && errno == EAGAIN ? "EAGAIN" : "unexpected");

  t = xs_transaction_start(h);
  CHECK(xs_write(h, t, "/client/tx", "aborted", 7), "write before abort");
  CHECK(xs_transaction_end(h, t, true), "abort");
  char *kept = read_string(h, XBT_NULL, "/client/tx");
  printf("after abort: %s\n", kept ? kept : "nothing");
  free(kept);
}

static void domains_and_removal(struct xs_handle *h) {
  char *path = xs_get_domain_path(h, 7);
  printf("domain path: %s\n", path ? path : "-");
  free(path);
  printf("dom0 introduced: %s\n", xs_is_domain_introduced(h, 0) ? "yes" : "no");
  CHECK(xs_rm(h, XBT_NULL, "/client"), "remove subtree");
  errno = 0;
  char *gone = read_string(h, XBT_NULL, "/client/key");
  printf("after rm: %s\n", gone == NULL && errno == ENOENT ? "ENOENT" : "unexpected");
  free(gone);
}

int main(void) {
  alarm(30); /* a lost reply or event must fail the test, not hang it */
  struct xs_handle *h = xs_open(0);
  struct xs_handle *other = xs_open(0);
  if (h == NULL || other == NULL) {
    perror("xs_open");
    return 2;
  }
  write_and_read(h);
  directories(h);
  permissions(h);
  watches(h, other);
  transactions(h, other);
  domains_and_removal(h);
  xs_close(other);
  xs_close(h);
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
