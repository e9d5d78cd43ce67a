#!/usr/bin/env python3
"""Runs scripted XenStore conversations against a daemon socket and prints a transcript.

Usage: xs_transcript.py SOCKET [SCENARIO...]   (default: every scenario)

Each step sends one raw request on one of several connections; afterwards every connection
is synchronised with a GET_DOMAIN_PATH "ping" (a daemon answers requests in order, so all
watch events queued before the ping arrive before its reply) and everything that arrived is
printed in arrival order. The same script run against vgen-xenstored and against the C
daemon must print the same transcript, except where a scenario is marked as a deliberate
difference (those are not in the default set).
"""
import socket
import struct
import sys

TYPES = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5, TRANSACTION_START=6,
             TRANSACTION_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13,
             SET_PERMS=14, WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19,
             RESET_WATCHES=21, DIRECTORY_PART=22)
NAMES = {v: k for k, v in TYPES.items()}
PING_ID = 0x7171


class Conn:
    def __init__(self, path, name):
        self.name = name
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.settimeout(5)
        self.tx = {}  # label -> transaction id the daemon gave

    def send(self, mtype, payload, tx=0, req_id=0, length=None):
        if isinstance(mtype, str):
            mtype = TYPES[mtype]
        if isinstance(payload, str):
            payload = payload.encode()
        size = len(payload) if length is None else length
        self.sock.sendall(struct.pack('<IIII', mtype, req_id, tx, size) + payload)

    def recv_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def recv(self):
        head = self.recv_exact(16)
        if head is None:
            return None
        mtype, req_id, tx, size = struct.unpack('<IIII', head)
        body = self.recv_exact(size)
        return (NAMES.get(mtype, mtype), req_id, tx, body)


def show(payload):
    return repr(payload)[1:]


def show_reply(message):
    """A reply's payload; DIRECTORY_PART's generation count is implementation-specific."""
    mtype, payload = message[0], message[3]
    if mtype == 'DIRECTORY_PART' and b'\0' in payload:
        payload = b'<gen>' + payload[payload.index(b'\0'):]
    return show(payload)


def sync(conns, out):
    """Pings every open connection and prints what arrived before the ping's reply."""
    for c in conns:
        if c.sock is None:
            continue
        try:
            c.send('GET_DOMAIN_PATH', '0\0', req_id=PING_ID)
            while True:
                m = c.recv()
                if m is None:
                    out.append('%s: <closed>' % c.name)
                    c.sock = None
                    break
                if m[1] == PING_ID:
                    break
                out.append('%s: %s %s' % (c.name, m[0], show_reply(m)))
        except (ConnectionResetError, BrokenPipeError):
            out.append('%s: <closed>' % c.name)
            c.sock = None


def run(path, steps, nconn=2):
    conns = [Conn(path, 'c%d' % i) for i in range(nconn)]
    out = []
    for step in steps:
        who, mtype, payload = step[0], step[1], step[2]
        opts = step[3] if len(step) > 3 else {}
        c = conns[who]
        tx = c.tx.get(opts.get('tx'), opts.get('txid', 0))
        out.append('%s> %s %s%s' % (c.name, mtype if isinstance(mtype, str) else mtype, show(
            payload.encode() if isinstance(payload, str) else payload)[:60], ' tx=%s' % opts['tx'] if 'tx' in opts else ''))
        if c.sock is None:
            out.append('%s: <not connected>' % c.name)
            continue
        try:
            c.send(mtype, payload, tx=tx, length=opts.get('length'))
        except (ConnectionResetError, BrokenPipeError):
            out.append('%s: <closed>' % c.name)
            c.sock = None
            continue
        if 'start' in opts:  # remember the id of a TRANSACTION_START under a label
            m = c.recv()
            out.append('%s: %s %s' % (c.name, m[0], '<id>' if m[0] == 'TRANSACTION_START' else show(m[3])))
            if m[0] == 'TRANSACTION_START':
                c.tx[opts['start']] = int(m[3][:-1])
        sync(conns, out)
    return out


def big_dir(n):
    return [(0, 'WRITE', '/big/child%04d\0x' % i) for i in range(n)]


SCENARIOS = {
    'basic': [
        (0, 'WRITE', '/a/b/c\0v1'), (0, 'READ', '/a/b/c\0'), (0, 'READ', '/a/b\0'), (0, 'READ', '/a\0'),
        (0, 'DIRECTORY', '/a\0'), (0, 'WRITE', '/a/b/d\0'), (0, 'WRITE', '/a/b/0\0'), (0, 'DIRECTORY', '/a/b\0'),
        (0, 'RM', '/a/b/c\0'), (0, 'WRITE', '/a/b/c\0again'), (0, 'DIRECTORY', '/a/b\0'),
        (0, 'WRITE', '/n\0a\0b\0c'), (0, 'READ', '/n\0'), (0, 'MKDIR', '/n\0'), (0, 'READ', '/n\0'),
        (0, 'MKDIR', '/m/k\0'), (0, 'READ', '/m/k\0'), (0, 'GET_PERMS', '/m/k\0'),
        (0, 'RM', '/a/zz\0'), (0, 'RM', '/a/zz/yy\0'), (0, 'RM', '/\0'), (0, 'READ', '/nonexistent\0'),
        (0, 'DIRECTORY', '/nonexistent\0'), (0, 'WRITE', 'rel/x\0r'), (0, 'READ', '/local/domain/0/rel/x\0'),
        (0, 'READ', 'rel/x\0'), (0, 'DIRECTORY', '/\0'), (0, 'WRITE', '/\0rootval'), (0, 'READ', '/\0'),
        (0, 'GET_PERMS', '/\0'),
    ],
    'paths': [
        (0, 'WRITE', '/p/\0x'), (0, 'WRITE', '/p//q\0x'), (0, 'WRITE', '/p/x y\0x'), (0, 'WRITE', '/p/a.b\0x'),
        (0, 'WRITE', '/p/a-b_c@d\0x'), (0, 'READ', '/p/a-b_c@d\0'), (0, 'WRITE', '/' + 'a' * 2047 + '\0x'),
        (0, 'WRITE', '/' + 'b' * 2048 + '\0x'), (0, 'WRITE', '/local/domain/7/' + 'c' * 2048 + '\0x'),
        (0, 'WRITE', '/local/domain/7/' + 'd' * 2049 + '\0x'),
    ],
    'perms': [
        (0, 'WRITE', '/q/x\0v'), (0, 'SET_PERMS', '/q/x\0b0\0'), (0, 'GET_PERMS', '/q/x\0'),
        (0, 'SET_PERMS', '/q/x\0n0\0n0\0'), (0, 'GET_PERMS', '/q/x\0'), (0, 'SET_PERMS', '/q/x\0'),
        (0, 'SET_PERMS', '/q/x\0x0\0'), (0, 'SET_PERMS', '/q/x\0r\0'), (0, 'SET_PERMS', '/q/x\0r0x\0'),
        (0, 'SET_PERMS', '/q/nonexistent\0b0\0'), (0, 'WRITE', '/q/x/child\0c'), (0, 'GET_PERMS', '/q/x/child\0'),
        (0, 'SET_PERMS', '/q/x\0r0\0'), (0, 'WRITE', '/q/x/kid2\0c'), (0, 'GET_PERMS', '/q/x/kid2\0'),
    ],
    'watches': [
        (0, 'WRITE', '/r/a/b/c\0' '1'), (0, 'WRITE', '/r/a/d\0' '1'), (0, 'WRITE', '/r/e\0' '1'),
        (1, 'WATCH', '/\0root\0'), (1, 'WATCH', '/r\0r\0'), (1, 'WATCH', '/r/a\0ra\0'), (1, 'WATCH', '/r/a/b\0rab\0'),
        (1, 'WATCH', '/r/a/b/c\0rabc\0'), (1, 'WATCH', '/r/a/b/c/nx\0nx\0'), (1, 'WATCH', '/r/a/d\0rad\0'),
        (1, 'WATCH', '/r/ax\0rax\0'), (1, 'WATCH', '/r\0r\0'), (0, 'WRITE', '/r/ax2\0' 'sibling'),
        (0, 'WRITE', '/r/e\0' '2'), (0, 'WRITE', '/r/e\0' '2'), (0, 'MKDIR', '/r/e\0'), (0, 'MKDIR', '/r/f\0'),
        (0, 'SET_PERMS', '/r/f\0n0\0'), (0, 'RM', '/r/nothing\0'), (0, 'RM', '/r/a\0'),
        (1, 'WRITE', '/r/self\0' 'x'), (1, 'UNWATCH', '/r\0nope\0'), (1, 'UNWATCH', '/r\0r\0'),
        (1, 'UNWATCH', '/r\0r\0'), (0, 'WRITE', '/r/e\0' '3'), (1, 'WATCH', 'relw\0rel\0'),
        (0, 'WRITE', '/local/domain/0/relw/x\0' '1'), (1, 'WATCH', '@introduceDomain\0intro\0'),
        (1, 'WATCH', '@releaseDomain\0rel\0'), (1, 'WATCH', '/q\0\0'), (1, 'RESET_WATCHES', ''),
        (0, 'WRITE', '/r/e\0' '4'),
    ],
    'transactions': [
        (0, 'WRITE', '/t/x\0' '1'), (0, 'WRITE', '/t/y\0' '1'), (1, 'WATCH', '/t\0tw\0'),
        (0, 'TRANSACTION_START', '\0', {'start': 'A'}), (0, 'TRANSACTION_START', '\0', {'start': 'B'}),
        (0, 'TRANSACTION_START', '\0', {'tx': 'A'}),
        (0, 'WRITE', '/t/x\0' '2', {'tx': 'A'}), (0, 'READ', '/t/x\0', {'tx': 'A'}), (0, 'READ', '/t/x\0'),
        (0, 'WRITE', '/t/new/deep\0' 'n', {'tx': 'A'}), (0, 'DIRECTORY', '/t\0', {'tx': 'A'}), (0, 'DIRECTORY', '/t\0'),
        (0, 'RM', '/t/y\0', {'tx': 'A'}), (0, 'WRITE', '/t/x\0' '3', {'tx': 'A'}),
        (0, 'TRANSACTION_END', 'T\0', {'tx': 'A'}), (0, 'DIRECTORY', '/t\0'), (0, 'READ', '/t/x\0'),
        (0, 'TRANSACTION_END', 'T\0', {'tx': 'A'}),
        (0, 'READ', '/t/x\0', {'tx': 'B'}), (1, 'WRITE', '/t/x\0' 'other'), (0, 'WRITE', '/t/q\0' 'q', {'tx': 'B'}),
        (0, 'TRANSACTION_END', 'T\0', {'tx': 'B'}), (0, 'READ', '/t/q\0'),
        (0, 'TRANSACTION_START', '\0', {'start': 'C'}), (0, 'READ', '/t/x\0', {'tx': 'C'}),
        (1, 'WRITE', '/t/unrelated\0' 'u'), (0, 'WRITE', '/t/x\0' 'c', {'tx': 'C'}),
        (0, 'TRANSACTION_END', 'T\0', {'tx': 'C'}),
        (0, 'TRANSACTION_START', '\0', {'start': 'D'}), (0, 'READ', '/t/nope\0', {'tx': 'D'}),
        (1, 'WRITE', '/t/nope\0' 'n'), (0, 'TRANSACTION_END', 'T\0', {'tx': 'D'}),
        (0, 'TRANSACTION_START', '\0', {'start': 'E'}), (0, 'RM', '/t\0', {'tx': 'E'}),
        (1, 'WRITE', '/t/x\0' 'late'), (0, 'TRANSACTION_END', 'T\0', {'tx': 'E'}),
        (0, 'TRANSACTION_START', '\0', {'start': 'F'}), (0, 'TRANSACTION_END', 'X\0', {'tx': 'F'}),
        (0, 'TRANSACTION_END', 'T', {'tx': 'F'}), (0, 'TRANSACTION_END', '', {'tx': 'F'}),
        (0, 'TRANSACTION_END', 'F\0', {'tx': 'F'}), (0, 'TRANSACTION_END', 'F\0', {'tx': 'F'}),
        (0, 'TRANSACTION_END', 'T\0'), (0, 'READ', '/t/x\0', {'txid': 4242}),
        (0, 'WATCH', '/t\0in-tx\0', {'txid': 4242}), (0, 'GET_DOMAIN_PATH', '3\0', {'txid': 4242}),
    ],
    'directory': big_dir(500) + [
        (0, 'DIRECTORY', '/big\0'), (0, 'DIRECTORY_PART', '/big\0' '0\0'), (0, 'DIRECTORY_PART', '/big\0' '4090\0'),
        (0, 'DIRECTORY_PART', '/big\0' '99999\0'), (0, 'DIRECTORY_PART', '/big\0'),
        (0, 'DIRECTORY_PART', '/nonexistent\0' '0\0'),
    ],
    'malformed': [
        (0, 99, 'x\0'), (0, 20, ''), (0, 'WATCH_EVENT', '/a\0t\0'), (0, 'ERROR', 'EINVAL\0'),
        (0, 'WRITE', '/nonul'), (0, 'WRITE', '\0v'),
        (0, 'WATCH', '/q\0'), (0, 'WATCH', '/q\0t'), (0, 'WATCH', '/q\0t\0x\0'), (0, 'UNWATCH', '/q\0\0'),
        (0, 'MKDIR', '/m\0extra'), (0, 'RM', '/m\0extra'), (0, 'GET_DOMAIN_PATH', ''),
        (0, 'GET_DOMAIN_PATH', '1'), (0, 'GET_DOMAIN_PATH', '5\0'), (0, 'IS_DOMAIN_INTRODUCED', ''),
        (0, 'IS_DOMAIN_INTRODUCED', '0\0'), (0, 'IS_DOMAIN_INTRODUCED', '5\0'), (0, 'GET_PERMS', ''),
        (0, 'RESET_WATCHES', ''), (0, 'CONTROL', ''), (0, 'CONTROL', 'no-such-command\0'),
        (0, 'INTRODUCE', '1\0' '2\0'), (0, 'RELEASE', '0\0'), (0, 'RESUME', '0\0'),
        (1, 'READ', '/\0', {'length': 4097}), (0, 'READ', '/\0'),
    ],
}

# Deliberate differences from the C daemon (vgen is stricter); run by name only.
VGEN_ONLY = {
    'strict': [
        (0, 'READ', '/a\0extra'), (0, 'WRITE', '/s\0v'), (0, 'READ', '/s\0extra'), (0, 'READ', '/s'),
        (0, 'READ', ''), (0, 'GET_DOMAIN_PATH', 'x\0'), (0, 'GET_DOMAIN_PATH', '70000\0'),
        (0, 'SET_PERMS', '/s\0b 0\0'), (0, 'SET_PERMS', '/s\0r5\0'), (0, 'GET_PERMS', '/s\0'),
        (0, 'WATCH', '/q\0t\0extra'),
    ],
}


def main():
    path = sys.argv[1]
    names = sys.argv[2:] or list(SCENARIOS)
    SCENARIOS.update(VGEN_ONLY)
    for name in names:
        print('== %s' % name)
        for line in run(path, SCENARIOS[name]):
            print(line)


if __name__ == '__main__':
    main()
