/* vgen's LD_PRELOAD shim: Debian's C XenStore daemon (xen-utils-4.17, started with -N) on a
 * machine without a hypervisor, as the reference peer of the differential store tests and of
 * bench_store.
 *
 * `nm -D /usr/lib/xen-4.17/bin/xenstored` lists what the daemon needs from Xen: a few
 * functions of libxenctrl, libxenevtchn and libxengnttab, and two files under /proc/xen read
 * through open(). This library defines those functions and intercepts open() for the two
 * files, so the dynamic linker never lets the daemon reach the real libraries' hypercalls.
 * The daemon does not call setrlimit(), so nothing else needs faking.
 *
 * Without VGEN_XENSTORED_SHIM_DIR only domain 0 exists and only the Unix socket is useful.
 * With VGEN_XENSTORED_SHIM_DIR=<dir> the test can also play guest domains:
 *   <dir>/ring-<N>  a 4096-byte file the test creates: domain N exists, and its ring page
 *                   (struct xenstore_domain_interface, xs_wire.h) is this file, mapped shared
 *                   when the daemon handles INTRODUCE for N;
 *   <dir>/evtchn    a FIFO the shim creates: any byte written to it wakes the daemon, which
 *                   then polls every domain's ring (it never looks at which port fired).
 * Notifications from the daemon to a guest are dropped; the test polls the ring indexes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define PAGE_BYTES 4096

/* ---- where guests live ------------------------------------------------------------------ */

static const char *shim_dir(void)
{
    const char *dir = getenv("VGEN_XENSTORED_SHIM_DIR");
    return dir != NULL && dir[0] != '\0' ? dir : NULL;
}

/* "<dir>/<name>" in `out`; false if there is no directory or the name does not fit. */
static int shim_path(char *out, size_t size, const char *name)
{
    const char *dir = shim_dir();
    return dir != NULL && snprintf(out, size, "%s/%s", dir, name) < (int)size;
}

static int ring_path(char *out, size_t size, uint32_t domid)
{
    char name[32];
    snprintf(name, sizeof name, "ring-%u", domid);
    return shim_path(out, size, name);
}

/* Domain 0 always exists; a guest exists while the test provides its ring file. */
static int domain_exists(uint32_t domid)
{
    char path[4096];
    struct stat info;
    if (domid == 0)
        return 1;
    return ring_path(path, sizeof path, domid) && stat(path, &info) == 0;
}

/* ---- libxenctrl: the daemon only asks whether a domain exists ---------------------------- */

struct shim_xc { int unused; };

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)logger; (void)dombuild_logger; (void)open_flags;
    return (xc_interface *)calloc(1, sizeof(struct shim_xc));
}

int xc_interface_close(xc_interface *handle)
{
    free(handle);
    return 0;
}

/* Reports `first` alone, running, if it exists (the daemon asks for one domain at a time). */
int xc_domain_getinfo(xc_interface *handle, uint32_t first, unsigned int max, xc_dominfo_t *info)
{
    (void)handle;
    if (max == 0 || !domain_exists(first))
        return 0;
    memset(info, 0, sizeof *info);
    info->domid = first;
    info->running = 1;
    return 1;
}

/* ---- libxenevtchn: one fd that becomes readable when the test kicks ---------------------- */

struct shim_evtchn {
    int fd;                   /* FIFO <dir>/evtchn, or an eventfd nobody signals */
    evtchn_port_t next_port;  /* ports handed out by the bind calls */
};

/* A reserved port number no bind call returns: what pending() reports for a kick. */
#define KICK_PORT 1

static int open_kick_fd(void)
{
    char path[4096];
    if (!shim_path(path, sizeof path, "evtchn"))
        return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (mkfifo(path, 0600) != 0 && errno != EEXIST)
        return -1;
    /* Read-write, so the FIFO never reports end-of-file when no writer is attached. */
    return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    struct shim_evtchn *channel = calloc(1, sizeof *channel);
    (void)logger; (void)open_flags;
    if (channel == NULL)
        return NULL;
    channel->fd = open_kick_fd();
    if (channel->fd < 0) {
        free(channel);
        return NULL;
    }
    channel->next_port = KICK_PORT + 1;
    return (xenevtchn_handle *)channel;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
    (void)fd;
    return xenevtchn_open(logger, open_flags);
}

int xenevtchn_close(xenevtchn_handle *handle)
{
    struct shim_evtchn *channel = (struct shim_evtchn *)handle;
    if (channel != NULL) {
        close(channel->fd);
        free(channel);
    }
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *handle) { return ((struct shim_evtchn *)handle)->fd; }

int xenevtchn_notify(xenevtchn_handle *handle, evtchn_port_t port)
{
    (void)handle; (void)port;
    return 0;
}

static xenevtchn_port_or_error_t new_port(xenevtchn_handle *handle)
{
    return (xenevtchn_port_or_error_t)((struct shim_evtchn *)handle)->next_port++;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *handle, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    (void)domid; (void)remote_port;
    return new_port(handle);
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *handle, uint32_t domid)
{
    (void)domid;
    return new_port(handle);
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *handle, unsigned int virq)
{
    (void)virq;
    return new_port(handle);
}

int xenevtchn_unbind(xenevtchn_handle *handle, evtchn_port_t port)
{
    (void)handle; (void)port;
    return 0;
}

/* Consumes the kicks; never fails, since the daemon exits if this returns -1. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *handle)
{
    char drained[256];
    while (read(((struct shim_evtchn *)handle)->fd, drained, sizeof drained) > 0) {
    }
    return KICK_PORT;
}

int xenevtchn_unmask(xenevtchn_handle *handle, evtchn_port_t port)
{
    (void)handle; (void)port;
    return 0;
}

/* ---- libxengnttab: a guest's ring page is its file in the shim directory ------------------ */

struct shim_gnttab { int unused; };

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger; (void)open_flags;
    return (xengnttab_handle *)calloc(1, sizeof(struct shim_gnttab));
}

int xengnttab_close(xengnttab_handle *handle)
{
    free(handle);
    return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *handle, uint32_t count)
{
    (void)handle; (void)count;
    return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *handle, uint32_t domid, uint32_t ref, int prot)
{
    char path[4096];
    void *page;
    int fd;
    (void)handle; (void)ref;
    if (!ring_path(path, sizeof path, domid)) {
        errno = ENOENT;
        return NULL;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    page = mmap(NULL, PAGE_BYTES, prot, MAP_SHARED, fd, 0);
    close(fd);
    return page == MAP_FAILED ? NULL : page;
}

int xengnttab_unmap(xengnttab_handle *handle, void *start, uint32_t count)
{
    (void)handle;
    return munmap(start, (size_t)count * PAGE_BYTES);
}

/* ---- /proc/xen: dom0's event channel number and its (idle) ring page --------------------- */

/* A memory file standing for one of the /proc/xen files, or -2 for any other path. */
static int proc_xen_file(const char *path)
{
    int fd;
    if (strcmp(path, "/proc/xen/xsd_port") == 0) {
        static const char port[] = "1";
        fd = memfd_create("xsd_port", MFD_CLOEXEC);
        if (fd >= 0 && (write(fd, port, sizeof port - 1) != (ssize_t)(sizeof port - 1) ||
                        lseek(fd, 0, SEEK_SET) != 0)) {
            close(fd);
            fd = -1;
        }
        return fd;
    }
    if (strcmp(path, "/proc/xen/xsd_kva") == 0) {
        /* Nobody writes requests into dom0's page: its ring stays empty. */
        fd = memfd_create("xsd_kva", MFD_CLOEXEC);
        if (fd >= 0 && ftruncate(fd, PAGE_BYTES) != 0) {
            close(fd);
            fd = -1;
        }
        return fd;
    }
    return -2;
}

static int open_through(const char *symbol, const char *path, int flags, mode_t mode)
{
    int (*next)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, symbol);
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(path, flags, mode);
}

static mode_t mode_argument(int flags, va_list arguments)
{
    return (flags & (O_CREAT | O_TMPFILE)) != 0 ? (mode_t)va_arg(arguments, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list arguments;
    mode_t mode;
    int fd = proc_xen_file(path);
    if (fd != -2)
        return fd;
    va_start(arguments, flags);
    mode = mode_argument(flags, arguments);
    va_end(arguments);
    return open_through("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list arguments;
    mode_t mode;
    int fd = proc_xen_file(path);
    if (fd != -2)
        return fd;
    va_start(arguments, flags);
    mode = mode_argument(flags, arguments);
    va_end(arguments);
    return open_through("open64", path, flags, mode);
}
