#!/usr/bin/env python3
"""Runs one end-to-end guest test: a Linux guest under QEMU (TCG, q35, one vCPU) uses a virtio
device served over vhost-user, and the result lines it prints are checked against the host.

  run_guest_test.py rng|blk|blk-control|blk-tap --work DIR --rng-device BIN --blk-device BIN [--trace] [--vgen BIN]

rng          the generated virtio-rng program (devices/virtio-rng, run with --vhost-user and a
             seed chosen for the run): the guest reads /dev/hwrng; the bytes must be a piece of
             the seeded stream the device reports having produced, and the program must leave
             cleanly on SIGTERM with its run passed.
blk          the generated virtio-blk program (devices/virtio-blk, run with --vhost-user and
             VIRTIO_BLK_IMAGE naming the disk image): whole-disk digest, dd read throughput, a
             write with fsync that must reach the image through FLUSH, and a clean exit with
             its run passed.
blk-control  the same blk test against qemu-storage-daemon's vhost-user-blk export, so a fault
             of this harness is not taken for a fault of vgen.
blk-tap      the blk-control run with `vgen trace tap` (--vgen BIN) between QEMU and
             qemu-storage-daemon: the guest's I/O must pass every blk check through the tap, the
             tap must leave cleanly on SIGTERM with no error, and its log (DIR/runs/blk-tap/
             tap.pcapng) must read back by `vgen trace show` with the messages by name and the
             guest's reads and writes (and flushes, were there any) in the chains it saw made
             available, each with a used entry.

With --trace the device program records its side of the run (--trace DIR/runs/TEST/device.pcapng:
the rings' chains and used entries, kicks and interrupts, status and features, the vhost-user
messages), and `vgen trace show` must read the whole log back with the guest's requests in it:
for rng, chains on the request queue whose used entries add up to the bytes the device
produced, the first of them a piece of the seeded stream; for blk, reads, writes and a flush by
their request header's type. blk-control has no vgen device to record.

The kernel package is fetched once into DIR/kernel (scripts/guest/fetch-kernel.sh). A missing
QEMU, busybox or kernel package fails the test with a message; nothing is skipped. On failure
the run directory (console log, device log) is kept under DIR/artifacts and its tail printed.
Prints 'GUEST-RESULT test=... status=... seconds=... [mbps=...]'.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DISK_BYTES = 32 << 20
WRITE_OFFSET = 1 << 20
WRITE_LINES = 4096
QEMU_TIMEOUT = 180
MODULES = {"rng": ["virtio_pci", "virtio-rng"], "blk": ["virtio_pci", "virtio_blk"]}


class TestFailure(Exception):
    pass


def require_tools():
    missing = [t for t in ("qemu-system-x86_64", "busybox", "cpio", "depmod", "timeout") if not shutil.which(t)]
    if missing:
        raise TestFailure("missing tools: %s (scripts/setup.sh installs qemu-system-x86, busybox-static, cpio, kmod)"
                          % " ".join(missing))


def kernel(work):
    result = subprocess.run(["bash", os.path.join(HERE, "fetch-kernel.sh"), os.path.join(work, "kernel")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise TestFailure("guest kernel unavailable: " + result.stderr.strip())
    return dict(line.split("=", 1) for line in result.stdout.split() if "=" in line)


def initramfs(run, env, kind):
    out = os.path.join(run, "init.cpio")
    body = os.path.join(HERE, kind + "-body.sh")
    result = subprocess.run(["bash", os.path.join(HERE, "build-initramfs.sh"), out, env["MODROOT"], env["KVER"], body]
                            + MODULES[kind], capture_output=True, text=True)
    if result.returncode != 0:
        raise TestFailure("initramfs: " + result.stderr.strip())
    return out


def mix(x):
    mask = (1 << 64) - 1
    z = (x + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def rng_stream(seed, length):
    """The device's stream (devices/virtio-rng): byte p = byte p%8 of mix(seed + p/8)."""
    return b"".join(mix(seed + i).to_bytes(8, "little") for i in range((length + 7) // 8))[:length]


def write_pattern():
    return b"".join(b"vgen-guest-write %08d ---------------------------------------\n" % i for i in range(WRITE_LINES))


def wait_for_socket(path, process, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return
        if process.poll() is not None:
            raise TestFailure("device program exited with %d before listening" % process.returncode)
        time.sleep(0.05)
    raise TestFailure("device socket %s did not appear in %d s" % (path, seconds))


def stop(process):
    """SIGTERM, then the exit status (None when the program had to be killed)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None
    return process.returncode


def boot(run, env, cpio, socket, device_args, append):
    command = ["timeout", "--signal=KILL", str(QEMU_TIMEOUT), "qemu-system-x86_64", "-M", "q35", "-accel", "tcg",
               "-cpu", "max", "-smp", "1", "-m", "256M", "-nographic", "-no-reboot", "-nodefaults",
               "-serial", "stdio", "-kernel", env["VMLINUZ"], "-initrd", cpio,
               "-append", "console=ttyS0 panic=-1 quiet loglevel=3 " + append,
               "-object", "memory-backend-memfd,id=mem,size=256M,share=on", "-machine", "memory-backend=mem",
               "-chardev", "socket,id=c0,path=" + socket, "-device", device_args]
    start = time.monotonic()
    with open(os.path.join(run, "console.log"), "wb") as console:
        code = subprocess.run(command, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    seconds = time.monotonic() - start
    with open(os.path.join(run, "console.log"), "rb") as console:
        text = console.read().decode("utf-8", "replace")
    if code != 0:
        raise TestFailure("QEMU exited with %d (%s)" % (code, "timed out after %d s" % QEMU_TIMEOUT
                                                        if code in (124, 137) else "see console.log"))
    if "VGEN-GUEST-DONE" not in text:
        raise TestFailure("the guest did not finish its test script")
    return text, seconds


def field(text, key):
    match = re.search(r"^%s (.*?)\r?$" % re.escape(key), text, re.M)
    return match.group(1) if match else None


def produced_bytes(device_log):
    """How much of its stream the rng device reports having handed out."""
    ends = re.findall(r"^device: requestq: filled \d+ random bytes, stream bytes \d+ to (\d+)", device_log, re.M)
    return max([int(end) for end in ends] or [0])


def check_rng(text, seed, device_log, status):
    """The guest's bytes are a piece of the stream for `seed` that the device's log says it
    handed out, and the device program left cleanly with its run passed."""
    head, digest, count = field(text, "VGEN-RNG-HEAD"), field(text, "VGEN-RNG-SHA256"), field(text, "VGEN-RNG-BYTES")
    if not head or not digest or count is None:
        raise TestFailure("the guest printed no rng result")
    length = int(count)
    produced = produced_bytes(device_log)
    stream = rng_stream(seed, produced)
    offset = stream.find(bytes.fromhex(head))
    if offset < 0:
        raise TestFailure("the first bytes the guest read (%s) are not in the %d bytes of the stream for seed %#x "
                          "that the device produced" % (head, produced, seed))
    if offset + length > produced:
        raise TestFailure("the guest read %d bytes from stream offset %d, past the %d bytes the device produced"
                          % (length, offset, produced))
    expected = hashlib.sha256(stream[offset:offset + length]).hexdigest()
    if expected != digest:
        raise TestFailure("the guest read %d bytes from stream offset %d with digest %s, expected %s"
                          % (length, offset, digest, expected))
    if status != 0 or "demo: vhost-user passed" not in device_log:
        raise TestFailure("the device program did not pass its run (exit status %s, see device.log)" % status)
    return "%d bytes from stream offset %d (seed %#x, %d produced) match" % (length, offset, seed, produced)


def show_trace(vgen, log):
    """The lines of `vgen trace show LOG`; the whole log must read back."""
    result = subprocess.run([vgen, "trace", "show", log], capture_output=True, text=True)
    if result.returncode != 0:
        raise TestFailure("vgen trace show could not read the device's log %s (exit %d): %s"
                          % (log, result.returncode, result.stderr.strip()))
    lines = result.stdout.splitlines()
    for needed in (r" virtio state device status .* -> ACKNOWLEDGE\|DRIVER\|FEATURES_OK\|DRIVER_OK$",
                   r" virtio features device offered 0x[0-9a-f]+ accepted 0x[0-9a-f]+ \(.*VERSION_1.*\)$",
                   r" vhost-user vhost-user-message front-end connection 1 VHOST_USER_SET_VRING_KICK ",
                   r" vq0 notify kick idx \d+$", r" vq0 notify interrupt idx \d+$"):
        if not any(re.search(needed, line) for line in lines):
            raise TestFailure("the device's log (%s) has no line matching %r" % (log, needed))
    return lines


USED = re.compile(r" vq0 used-pushed head \d+ used-idx \d+ len (\d+) \[[^]]*\](?: ([0-9a-f]+))?")


def check_rng_trace(lines, seed, produced):
    """Every byte the device produced went out in a used entry on the request queue, and the
    recorded payload of the first is where the seeded stream starts."""
    taken = [line for line in lines if re.search(r" vq0 chain-taken head \d+ next-avail \d+ out 0 in \d+ ", line)]
    used = [USED.search(line) for line in lines]
    used = [match for match in used if match]
    if not taken or len(used) != len(taken):
        raise TestFailure("the device's log has %d chains taken and %d used entries on the request queue"
                          % (len(taken), len(used)))
    total = sum(int(match.group(1)) for match in used)
    if total != produced:
        raise TestFailure("the used entries in the device's log return %d bytes; the device produced %d"
                          % (total, produced))
    first = used[0].group(2) or ""
    if not first or rng_stream(seed, len(first) // 2).hex() != first:
        raise TestFailure("the first used entry's payload in the device's log (%s) is not the start of the "
                          "stream for seed %#x" % (first, seed))
    return "; log: %d requests, %d bytes" % (len(used), total)


def check_blk_trace(lines):
    """The guest's reads, writes and flush are in the log, told apart by the type field that
    starts each request header (VIRTIO_BLK_T_IN 0, OUT 1, FLUSH 4)."""
    types = {}
    for line in lines:
        match = re.search(r" vq0 chain-taken head \d+ next-avail \d+ out \d+ in \d+ \[[^]]*\] ([0-9a-f]{8})", line)
        if match:
            types[match.group(1)] = types.get(match.group(1), 0) + 1
    counts = {name: types.get(code, 0) for name, code in (("reads", "00000000"), ("writes", "01000000"),
                                                           ("flushes", "04000000"))}
    if not all(counts.values()):
        raise TestFailure("the device's log lacks some of the guest's requests: %s" % counts)
    used = sum(1 for line in lines if USED.search(line))
    if used != sum(types.values()):
        raise TestFailure("the device's log has %d requests taken and %d used entries" % (sum(types.values()), used))
    return "; log: %d reads, %d writes, %d flushes" % (counts["reads"], counts["writes"], counts["flushes"])


def check_tap_trace(vgen, log):
    """The tap's log of a guest's blk run: the whole log reads back, the messages by name, the
    guest's reads, writes and flushes (by the type that starts each request header) in the
    chains made available, a used entry for each, kicks and interrupts, and no ring the tap
    could not follow."""
    result = subprocess.run([vgen, "trace", "show", log], capture_output=True, text=True)
    if result.returncode != 0:
        raise TestFailure("vgen trace show could not read the tap's log %s (exit %d): %s"
                          % (log, result.returncode, result.stderr.strip()))
    lines = result.stdout.splitlines()
    for needed in (r" vhost-user vhost-user-message front-end connection 1 VHOST_USER_GET_FEATURES size 0 ",
                   r" vhost-user vhost-user-message back-end connection 1 VHOST_USER_GET_FEATURES reply size 8 ",
                   r" front-end connection 1 VHOST_USER_(ADD_MEM_REG|SET_MEM_TABLE) size \d+ fds [1-8] ",
                   r" front-end connection 1 VHOST_USER_SET_VRING_KICK size 8 fds 1 ",
                   r" back-end connection 1 VHOST_USER_GET_VRING_BASE reply size 8 ",
                   r" vq0 notify kick idx \d+$", r" vq0 notify interrupt idx \d+$"):
        if not any(re.search(needed, line) for line in lines):
            raise TestFailure("the tap's log (%s) has no line matching %r" % (log, needed))
    broken = [line for line in lines if " queue-broken " in line]
    if broken:
        raise TestFailure("the tap could not follow a ring: %s" % broken[0])
    types = {}
    for line in lines:
        match = re.search(r" vq0 avail-seen head \d+ at \d+ out \d+ in \d+ \[[^]]*\] ([0-9a-f]{8})", line)
        if match:
            types[match.group(1)] = types.get(match.group(1), 0) + 1
    counts = {name: types.get(code, 0) for name, code in (("reads", "00000000"), ("writes", "01000000"),
                                                           ("flushes", "04000000"))}
    # qemu-storage-daemon announces a write-through disk, so the guest sends no FLUSH to it.
    if not counts["reads"] or not counts["writes"]:
        raise TestFailure("the tap's log lacks some of the guest's requests: %s" % counts)
    chains = sum(1 for line in lines if " vq0 avail-seen " in line)
    used = sum(1 for line in lines if re.search(r" vq0 used-seen id \d+ at \d+ len \d+", line))
    if used != chains:
        raise TestFailure("the tap's log has %d chains made available and %d used entries" % (chains, used))
    return "; tap log: %d requests (%d reads, %d writes, %d flushes), each used" % (
        chains, counts["reads"], counts["writes"], counts["flushes"])


def make_disk(run):
    path = os.path.join(run, "disk.img")
    data = random.Random(0x626C6B).randbytes(DISK_BYTES)
    with open(path, "wb") as disk:
        disk.write(data)
    return path, data


def check_blk(text, image, original, device_log):
    if "VGEN-BLK-DIGEST-MATCH" not in text:
        raise TestFailure("the guest's digest of the disk (%s) differs from the host's" % field(text, "VGEN-BLK-DIGEST"))
    read = field(text, "VGEN-BLK-READ") or ""
    timing = re.match(r"(\d+) bytes in ([0-9.]+) s", read)
    if not timing or float(timing.group(2)) <= 0:
        raise TestFailure("no dd timing in the guest's output: %r" % read)
    mbps = int(timing.group(1)) / float(timing.group(2)) / (1 << 20)
    pattern = write_pattern()
    if field(text, "VGEN-BLK-WROTE") != hashlib.sha256(pattern).hexdigest():
        raise TestFailure("the guest did not write its pattern")
    if field(text, "VGEN-BLK-REREAD") != hashlib.sha256(pattern).hexdigest():
        raise TestFailure("after the guest reset the device (unbind, bind), its pattern did not read back")
    with open(image, "rb") as disk:
        after = disk.read()
    if after[WRITE_OFFSET:WRITE_OFFSET + len(pattern)] != pattern:
        raise TestFailure("the guest's write with fsync (FLUSH) did not reach the image file")
    if after[:WRITE_OFFSET] != original[:WRITE_OFFSET] or after[WRITE_OFFSET + len(pattern):] != original[WRITE_OFFSET + len(pattern):]:
        raise TestFailure("blocks outside the guest's write changed in the image")
    if device_log is not None:
        if "demo: vhost-user passed" not in device_log:
            raise TestFailure("the device program did not pass its run (see device.log)")
        flushes = re.search(r"flushes (\d+)", device_log)
        if not flushes or int(flushes.group(1)) == 0:
            raise TestFailure("the device saw no FLUSH request")
    return mbps


def run_test(args, run):
    require_tools()
    env = kernel(args.work)
    kind = "rng" if args.test == "rng" else "blk"
    cpio = initramfs(run, env, kind)
    sockdir = tempfile.mkdtemp(prefix="vgen-guest-")
    socket = os.path.join(sockdir, "dev.sock")
    device_log_path = os.path.join(run, "device.log")
    trace_log = os.path.join(run, "device.pcapng") if args.trace and args.test in ("rng", "blk") else None
    tap_log = os.path.join(run, "tap.pcapng") if args.test == "blk-tap" else None
    backend_socket = os.path.join(sockdir, "backend.sock") if tap_log else socket
    append, image, original, seed = "", None, None, None
    environment = dict(os.environ)
    if kind == "rng":
        seed = random.getrandbits(64)
        environment["VIRTIO_RNG_SEED"] = str(seed)
        command = [args.rng_device, "--vhost-user", socket]
        device_args = "vhost-user-rng-pci,chardev=c0"
        append = "rng_core.default_quality=0"
    else:
        image, original = make_disk(run)
        append = "vgen.digest=" + hashlib.sha256(original).hexdigest()
        device_args = "vhost-user-blk-pci,chardev=c0,num-queues=1"
        if args.test == "blk":
            environment["VIRTIO_BLK_IMAGE"] = image
            command = [args.blk_device, "--vhost-user", socket]
        else:
            if not shutil.which("qemu-storage-daemon"):
                raise TestFailure("qemu-storage-daemon is missing (package qemu-system-x86)")
            command = ["qemu-storage-daemon", "--blockdev", "driver=file,node-name=f0,filename=" + image,
                       "--blockdev", "driver=raw,node-name=d0,file=f0", "--export",
                       "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=%s,writable=on,num-queues=1"
                       % backend_socket]
    if trace_log:
        command += ["--trace", trace_log]
    with open(device_log_path, "wb") as device_log:
        device = subprocess.Popen(command, stdout=device_log, stderr=subprocess.STDOUT, env=environment)
    tap, tap_status = None, None
    try:
        wait_for_socket(backend_socket, device)
        if tap_log:
            with open(os.path.join(run, "tap.log"), "wb") as tap_output:
                tap = subprocess.Popen([args.vgen, "trace", "tap", "--listen", socket, "--backend", backend_socket,
                                        "-o", tap_log], stdout=tap_output, stderr=subprocess.STDOUT)
            wait_for_socket(socket, tap)
        text, seconds = boot(run, env, cpio, socket, device_args, append)
    finally:
        if tap:
            tap_status = stop(tap)
        status = stop(device)
        shutil.rmtree(sockdir, ignore_errors=True)
    with open(device_log_path, "r", errors="replace") as log:
        device_text = log.read()
    if kind == "rng":
        detail = check_rng(text, seed, device_text, status)
        if trace_log:
            detail += check_rng_trace(show_trace(args.vgen, trace_log), seed, produced_bytes(device_text))
        return detail, seconds, None
    if args.test == "blk" and status != 0:
        raise TestFailure("the blk device program exited with status %s after SIGTERM (see device.log)" % status)
    mbps = check_blk(text, image, original, device_text if args.test == "blk" else None)
    detail = "digest, write-through-flush and image checks pass"
    if trace_log:
        detail += check_blk_trace(show_trace(args.vgen, trace_log))
    if tap_log:
        with open(os.path.join(run, "tap.log"), "r", errors="replace") as log:
            tap_text = log.read()
        if tap_status != 0 or " 0 errors; " not in tap_text:
            raise TestFailure("vgen trace tap exited with status %s after SIGTERM or reported errors (see tap.log)"
                              % tap_status)
        detail += check_tap_trace(args.vgen, tap_log)
    return detail, seconds, mbps


def keep_artifacts(args, run):
    keep = os.path.join(args.work, "artifacts", "%s-%s" % (args.test, time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(os.path.dirname(keep), exist_ok=True)
    for name in ("disk.img", "init.cpio"):
        path = os.path.join(run, name)
        if os.path.exists(path):
            os.remove(path)
    shutil.copytree(run, keep)
    for name in ("console.log", "device.log", "tap.log"):
        path = os.path.join(keep, name)
        if os.path.exists(path):
            with open(path, "r", errors="replace") as log:
                tail = log.read().splitlines()[-25:]
            print("---- %s (last lines) ----" % path)
            print("\n".join(tail))
    return keep


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("test", choices=["rng", "blk", "blk-control", "blk-tap"])
    parser.add_argument("--work", required=True)
    parser.add_argument("--rng-device")
    parser.add_argument("--blk-device")
    parser.add_argument("--trace", action="store_true",
                        help="record the device's side with --trace and check the log with vgen trace show")
    parser.add_argument("--vgen", help="the vgen program (for --trace)")
    args = parser.parse_args()
    if (args.trace or args.test == "blk-tap") and not args.vgen:
        parser.error("--trace and blk-tap need --vgen BIN")
    args.work = os.path.abspath(args.work)
    run = os.path.join(args.work, "runs", args.test)
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    start = time.monotonic()
    try:
        detail, boot_seconds, mbps = run_test(args, run)
    except TestFailure as failure:
        print("guest test %s FAILED: %s" % (args.test, failure))
        print("artifacts kept in %s" % keep_artifacts(args, run))
        print("GUEST-RESULT test=%s status=FAIL seconds=%.1f" % (args.test, time.monotonic() - start))
        return 1
    extra = " mbps=%.1f" % mbps if mbps is not None else ""
    print("guest test %s passed: %s (QEMU ran %.1f s)" % (args.test, detail, boot_seconds))
    print("GUEST-RESULT test=%s status=PASS seconds=%.1f%s" % (args.test, time.monotonic() - start, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
