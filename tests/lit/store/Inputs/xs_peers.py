"""Connections to XenStore daemons for the differential store tests.

A Connection speaks the wire protocol of xen/io/xs_wire.h over a link:
  - SocketLink: a Unix socket (vgen-xenstored, or the C daemon as domain 0);
  - RingLink: a guest domain's ring page, for Debian's C daemon run with vgen's shim
    (tests/support/xenstored-shim/README.md): the page is a file the daemon maps, a FIFO
    wakes the daemon, and the ring indexes are polled.
Requests are sent one at a time per connection; watch events that arrive before a reply are
kept apart from it.
"""
import mmap
import os
import socket
import struct
import time

TYPES = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5, TRANSACTION_START=6,
             TRANSACTION_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13,
             SET_PERMS=14, WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19,
             RESET_WATCHES=21, DIRECTORY_PART=22)
NAMES = {v: k for k, v in TYPES.items()}
HEADER = struct.Struct('<IIII')
RING_SIZE = 1024                       # XENSTORE_RING_SIZE
REQ, RSP, INDEXES = 0, RING_SIZE, 2 * RING_SIZE
REQ_CONS, REQ_PROD, RSP_CONS, RSP_PROD = 0, 1, 2, 3
PING_ID = 0x7171


class PeerError(Exception):
    """A daemon did not answer in time or broke the connection."""


class SocketLink:
    """A Unix-socket connection."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)

    def send(self, data):
        self.sock.sendall(data)

    def receive(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise PeerError('no answer within %.1f s' % timeout)
        if not data:
            raise PeerError('the daemon closed the connection')
        return data

    def close(self):
        self.sock.close()


class RingLink:
    """Guest `domid`'s ring page in the shim directory (the daemon maps the same file)."""

    def __init__(self, shim_dir, domid):
        self.path = os.path.join(shim_dir, 'ring-%d' % domid)
        with open(self.path, 'wb') as page:
            page.write(b'\0' * 4096)
        fd = os.open(self.path, os.O_RDWR)
        self.page = mmap.mmap(fd, 4096)
        os.close(fd)
        # The indexes as native 32-bit words: each read or write is one aligned access, as
        # the daemon expects (struct.pack_into would store byte by byte, and the daemon could
        # see a torn index and declare the ring broken).
        self.words = memoryview(self.page).cast('I')
        self.kick_fd = os.open(os.path.join(shim_dir, 'evtchn'), os.O_WRONLY | os.O_NONBLOCK)

    def index(self, which):
        return self.words[INDEXES // 4 + which]

    def set_index(self, which, value):
        self.words[INDEXES // 4 + which] = value & 0xffffffff

    def kick(self):
        try:
            os.write(self.kick_fd, b'k')
        except BlockingIOError:
            pass  # the FIFO is full of kicks already: the daemon will wake

    def send(self, data, timeout=5.0):
        deadline = time.monotonic() + timeout
        while data:
            cons, prod = self.index(REQ_CONS), self.index(REQ_PROD)
            room = RING_SIZE - ((prod - cons) & 0xffffffff)
            if room == 0:
                if time.monotonic() > deadline:
                    raise PeerError('the daemon does not consume the request ring')
                time.sleep(0.0002)
                continue
            chunk = data[:room]
            for i, byte in enumerate(chunk):
                self.page[REQ + ((prod + i) % RING_SIZE)] = byte
            self.set_index(REQ_PROD, prod + len(chunk))
            self.kick()
            data = data[len(chunk):]

    def receive(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            cons, prod = self.index(RSP_CONS), self.index(RSP_PROD)
            if cons != prod:
                count = (prod - cons) & 0xffffffff
                data = bytes(self.page[RSP + ((cons + i) % RING_SIZE)] for i in range(count))
                self.set_index(RSP_CONS, cons + count)
                self.kick()  # the daemon may have more to write once there is room
                return data
            if time.monotonic() > deadline:
                raise PeerError('no answer on the ring of %s within %.1f s' % (self.path, timeout))
            time.sleep(0.0002)

    def close(self):
        self.words.release()
        self.page.close()
        os.close(self.kick_fd)


class Connection:
    """Framing, replies and watch events over one link."""

    def __init__(self, link, timeout=5.0):
        self.link = link
        self.timeout = timeout
        self.buffer = b''
        self.events = []  # (path, token) received and not yet taken

    def send(self, mtype, payload, tx=0, req_id=0):
        if isinstance(mtype, str):
            mtype = TYPES[mtype]
        self.link.send(HEADER.pack(mtype, req_id, tx, len(payload)) + payload)

    def next_message(self):
        while len(self.buffer) < 16 or len(self.buffer) < 16 + HEADER.unpack_from(self.buffer)[3]:
            self.buffer += self.link.receive(self.timeout)
        mtype, req_id, tx, size = HEADER.unpack_from(self.buffer)
        body = self.buffer[16:16 + size]
        self.buffer = self.buffer[16 + size:]
        return NAMES.get(mtype, str(mtype)), req_id, tx, body

    def reply(self, req_id=0):
        """The next reply; watch events before it go to self.events."""
        while True:
            mtype, rid, _, body = self.next_message()
            if mtype == 'WATCH_EVENT' and rid == 0:
                self.events.append(tuple(body.split(b'\0')[:2]))
                continue
            if rid != req_id:
                raise PeerError('reply with req_id %d, expected %d' % (rid, req_id))
            return mtype, body

    def call(self, mtype, payload, tx=0):
        self.send(mtype, payload, tx)
        return self.reply()

    def take_events(self):
        out, self.events = self.events, []
        return out

    def start_ping(self):
        """Asks for a reply after everything queued for this connection (see finish_ping)."""
        self.send('GET_DOMAIN_PATH', b'0\0', req_id=PING_ID)

    def finish_ping(self):
        self.reply(PING_ID)

    def close(self):
        self.link.close()
