#!/usr/bin/env python3
"""Randomised differential test: the same random operation sequences against vgen-xenstored
and Debian's C xenstored, replies and watch events compared after every step.

Usage: xs_random.py [--seeds A-B] [--ops N] [--budget SECONDS] [--show]
Environment: XENSTORED_PATH (vgen-xenstored's socket), VGEN_C_XENSTORED_SOCKET and
VGEN_XENSTORED_SHIM_DIR (the C daemon's socket and shim folder; tools/with-c-xenstored.sh).

Each seed drives four connections of each daemon: two of domain 0 and two guests (domains
1 and 2: CONTROL set-domid on vgen's socket, a ring page through the shim on the C daemon),
with interleaved transactions, watches, permission changes and plain operations. The op
sequence depends on the seed only, so `--seeds S-S --show` replays seed S step by step.
Compared: each reply (error name or payload; transaction ids and DIRECTORY_PART's generation
count are masked), and per connection the multiset of watch events that arrived up to the
step's end (the daemons may order events of one step differently). Seeds run until the range
ends or the time budget is spent; the seeds run are printed. On the first mismatch the seed
and its steps so far are printed and the exit status is 1.

Deliberate differences (docs/store.md) are not generated: malformed arguments, owners that
are not domains of the run, quotas, special watch paths, DIRECTORY_PART gencount values.
"""
import argparse
import os
import random
import sys
import time

from xs_peers import Connection, PeerError, RingLink, SocketLink

GUESTS = (1, 2)
CONNECTIONS = ('d0a', 'd0b', 'g1', 'g2')
DOMAIN_OF = dict(d0a=0, d0b=0, g1=1, g2=2)
ROOT_PATHS = ['/t', '/t/a', '/t/b', '/t/a/b', '/t/a/c', '/t/b/c', '/t/a/b/c', '/t/c/a/b', '/t/a/b/c/d']
HOME_PATHS = ['', '/x', '/x/y', '/z', '/x/y/w']
RELATIVE_PATHS = ['x', 'x/y', 'z', 'x/y/w', 'z/q']
BAD_PATHS = ['/t/', '/t//a', '/t/a b', 'x/']
TOKENS = ['k1', 'k2']


def home(domid):
    return '/local/domain/%d' % domid


class Generator:
    """The op sequence of one seed: (connection, type, payload, tx label, start label)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.open = {name: [] for name in CONNECTIONS}   # labels believed open
        self.watches = {name: [] for name in CONNECTIONS}
        self.labels = 0
        self.recent = []  # paths used lately, newest last

    def path(self, conn):
        """Often a path used lately (or its child or parent), so that transactions and other
        connections meet on the same nodes; else a fresh one."""
        r = self.rng
        pick = r.random()
        if self.recent and pick < 0.45:
            path = r.choice(self.recent)
            if pick < 0.1 and path.startswith('/'):
                path += r.choice(('/a', '/b'))
            elif pick < 0.15 and path.count('/') > 1:
                path = path.rsplit('/', 1)[0]
        else:
            path = self.fresh_path(conn)
        self.recent = (self.recent + [path])[-8:]
        return path

    def fresh_path(self, conn):
        r = self.rng
        choice = r.random()
        if choice < 0.03:
            return r.choice(BAD_PATHS)
        domid = DOMAIN_OF[conn]
        if domid != 0 and choice < 0.45:
            return r.choice(RELATIVE_PATHS)
        if choice < 0.7:
            return r.choice(ROOT_PATHS)
        return home(r.choice(GUESTS)) + r.choice(HOME_PATHS)

    def permissions(self, conn):
        r = self.rng
        domid = DOMAIN_OF[conn]
        owner = domid if domid != 0 and r.random() < 0.85 else r.choice((0,) + GUESTS)
        entries = [r.choice('nrwb') + str(owner)]
        for _ in range(r.choice((0, 1, 1, 2))):
            entries.append(r.choice('nrwb') + str(r.choice((0,) + GUESTS)))
        return entries

    def value(self):
        r = self.rng
        return r.choice([b'', b'v', b'val%d' % r.randrange(100), b'a\0b', b'x' * r.randrange(1, 40)])

    def step(self):
        r = self.rng
        conn = r.choice(CONNECTIONS)
        tx = r.choice(self.open[conn]) if self.open[conn] and r.random() < 0.5 else None
        kinds = ['READ'] * 10 + ['WRITE'] * 12 + ['MKDIR'] * 5 + ['RM'] * 9 + ['DIRECTORY'] * 7 + \
                ['GET_PERMS'] * 4 + ['SET_PERMS'] * 6 + ['WATCH'] * 4 + ['UNWATCH'] * 2 + \
                ['DIRECTORY_PART'] * 1 + ['RESET_WATCHES'] * 1 + ['GET_DOMAIN_PATH'] * 1
        if len(self.open[conn]) < 3:
            kinds += ['TRANSACTION_START'] * 5
        if self.open[conn]:
            kinds += ['TRANSACTION_END'] * 6
        kind = r.choice(kinds)
        start = None
        if kind in ('READ', 'MKDIR', 'RM', 'DIRECTORY', 'GET_PERMS'):
            payload = self.path(conn).encode() + b'\0'
        elif kind == 'WRITE':
            payload = self.path(conn).encode() + b'\0' + self.value()
        elif kind == 'SET_PERMS':
            payload = b''.join(s.encode() + b'\0' for s in [self.path(conn)] + self.permissions(conn))
        elif kind == 'DIRECTORY_PART':
            payload = self.path(conn).encode() + b'\0' + r.choice([b'0', b'2']) + b'\0'
        elif kind == 'WATCH':
            watch = (self.path(conn), r.choice(TOKENS))
            self.watches[conn].append(watch)
            payload = watch[0].encode() + b'\0' + watch[1].encode() + b'\0'
            tx = None
        elif kind == 'UNWATCH':
            known = self.watches[conn]
            watch = r.choice(known) if known and r.random() < 0.8 else (self.path(conn), r.choice(TOKENS))
            payload = watch[0].encode() + b'\0' + watch[1].encode() + b'\0'
            tx = None
        elif kind == 'RESET_WATCHES':
            payload, tx = b'', None
        elif kind == 'GET_DOMAIN_PATH':
            payload = b'%d\0' % r.choice((0,) + GUESTS)
        elif kind == 'TRANSACTION_START':
            self.labels += 1
            start = 'T%d' % self.labels
            self.open[conn].append(start)
            payload, tx = b'\0', None
        else:  # TRANSACTION_END
            tx = r.choice(self.open[conn])
            self.open[conn].remove(tx)
            payload = b'T\0' if r.random() < 0.8 else b'F\0'
        return conn, kind, payload, tx, start


class Peer:
    """One daemon: its toolstack connection and the connections of a seed."""

    def __init__(self, name, socket_path, shim_dir):
        self.name = name
        self.socket_path = socket_path
        self.shim_dir = shim_dir
        self.toolstack = Connection(SocketLink(socket_path))
        self.rings = {}
        for domid in GUESTS:
            if shim_dir:
                self.rings[domid] = RingLink(shim_dir, domid)  # before anything names the domain
            self.expect(self.toolstack.call('INTRODUCE', b'%d\0' b'0\0' b'%d\0' % (domid, 10 + domid)))
        self.connections = {}
        self.tx = {}  # label -> id this daemon gave

    def expect(self, reply, wanted=(b'OK\0',)):
        if reply[1] not in wanted:
            raise PeerError('%s: setup request answered %s %r' % (self.name, reply[0], reply[1]))

    def open_seed(self, root_permissions):
        ts = self.toolstack
        for domid in GUESTS:
            self.expect(ts.call('WRITE', home(domid).encode() + b'\0'))
            self.expect(ts.call('SET_PERMS', home(domid).encode() + b'\0n%d\0' % domid))
        self.expect(ts.call('WRITE', b'/t\0'))
        self.expect(ts.call('SET_PERMS', b'/t\0' + b''.join(p.encode() + b'\0' for p in root_permissions)))
        self.connections = {name: self.connect(name) for name in CONNECTIONS}
        self.tx = {}

    def connect(self, name):
        domid = DOMAIN_OF[name]
        if domid == 0 or not self.shim_dir:
            conn = Connection(SocketLink(self.socket_path))
            if domid != 0:
                self.expect(conn.call('CONTROL', b'set-domid\0%d\0' % domid))
            return conn
        # A guest of the C daemon: INTRODUCE again resets its ring connection (watches,
        # transactions, pending output).
        self.expect(self.toolstack.call('INTRODUCE', b'%d\0' b'0\0' b'%d\0' % (domid, 10 + domid)))
        return Connection(self.rings[domid])

    def close_seed(self):
        for name, conn in self.connections.items():
            if DOMAIN_OF[name] == 0 or not self.shim_dir:
                conn.close()
            else:
                self.expect(self.toolstack.call('INTRODUCE', b'%d\0' b'0\0' b'%d\0' % (DOMAIN_OF[name], 10 + DOMAIN_OF[name])))
        ts = self.toolstack
        gone = (b'OK\0', b'ENOENT\0')  # a seed may have removed a parent already
        self.expect(ts.call('RM', b'/t\0'), gone)
        for domid in GUESTS:
            self.expect(ts.call('RM', home(domid).encode() + b'\0'), gone)

    def run(self, conn_name, kind, payload, tx_label, start):
        conn = self.connections[conn_name]
        tx = 0 if tx_label is None else self.tx.get(tx_label, 0xdead)
        mtype, body = conn.call(kind, payload, tx)
        if start is not None and mtype == 'TRANSACTION_START':
            self.tx[start] = int(body.rstrip(b'\0'))
            body = b'<id>\0'
        if mtype == 'DIRECTORY_PART' and b'\0' in body:
            body = b'<gen>' + body[body.index(b'\0'):]
        return mtype, body

    def events(self, watching):
        """Watch events each connection received up to now, as sorted lists."""
        for name in watching:
            self.connections[name].start_ping()
        for name in watching:
            self.connections[name].finish_ping()
        return {name: sorted(self.connections[name].take_events()) for name in CONNECTIONS}


def describe(step):
    conn, kind, payload, tx, start = step
    where = ' tx=%s' % tx if tx else ''
    label = ' -> %s' % start if start else ''
    return '%s> %s %r%s%s' % (conn, kind, payload, where, label)


class Tally:
    """What the compared replies and events covered, for the summary line."""

    def __init__(self):
        self.replies = {}
        self.events = 0

    def add(self, kind, reply, events):
        answer = reply[1].rstrip(b'\0').decode(errors='replace') if reply[0] == 'ERROR' else 'ok'
        self.replies[(kind, answer)] = self.replies.get((kind, answer), 0) + 1
        self.events += sum(len(e) for e in events.values())

    def summary(self):
        kinds = {}
        for (kind, answer), count in sorted(self.replies.items()):
            kinds.setdefault(kind, []).append('%s %d' % (answer, count))
        lines = ['  %-20s %s' % (kind, ', '.join(answers)) for kind, answers in sorted(kinds.items())]
        return '\n'.join(lines + ['  watch events compared: %d' % self.events])


def run_seed(seed, ops, peers, show, tally):
    gen = Generator(seed)
    root = gen.permissions('d0a')
    for peer in peers:
        peer.open_seed(root)
    history = ['seed %d: /t permissions %s' % (seed, ' '.join(root))]
    watching = set()
    for index in range(ops):
        step = gen.step()
        if step[1] == 'WATCH':
            watching.add(step[0])
        try:
            replies = [peer.run(*step) for peer in peers]
            events = [peer.events(sorted(watching)) for peer in peers]
        except PeerError as error:
            print('FAILED in seed %d at step %d (replay: xs_random.py --seeds %d-%d --show): %s'
                  % (seed, index, seed, seed, error))
            print('\n'.join(history + ['%3d %s' % (index, describe(step))]))
            return False
        tally.add(step[1], replies[0], events[0])
        line = '%3d %s\n      vgen: %s %r' % (index, describe(step), replies[0][0], replies[0][1])
        for name in CONNECTIONS:
            if events[0][name]:
                line += '\n      vgen events %s: %s' % (name, events[0][name])
        history.append(line)
        if show:
            print(history[-1])
        if replies[0] != replies[1] or events[0] != events[1]:
            print('MISMATCH in seed %d at step %d (replay: xs_random.py --seeds %d-%d --show)' % (seed, index, seed, seed))
            print('\n'.join(history))
            print('      C:    %s %r' % replies[1])
            for name in CONNECTIONS:
                if events[0][name] != events[1][name]:
                    print('      events of %s: vgen %s, C %s' % (name, events[0][name], events[1][name]))
            return False
    for peer in peers:
        peer.close_seed()
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', default=os.environ.get('VGEN_XS_RANDOM_SEEDS', '0-199'),
                        help='inclusive range A-B (default: $VGEN_XS_RANDOM_SEEDS or 0-199)')
    parser.add_argument('--ops', type=int, default=40, help='operations per seed')
    parser.add_argument('--budget', type=float, default=45.0, help='seconds after which no new seed starts')
    parser.add_argument('--show', action='store_true', help='print every step')
    args = parser.parse_args()
    first, last = (int(x) for x in args.seeds.split('-'))
    peers = [Peer('vgen-xenstored', os.environ['XENSTORED_PATH'], None),
             Peer('C xenstored', os.environ['VGEN_C_XENSTORED_SOCKET'], os.environ['VGEN_XENSTORED_SHIM_DIR'])]
    began = time.monotonic()
    done = first
    tally = Tally()
    for seed in range(first, last + 1):
        if time.monotonic() - began > args.budget:
            break
        if not run_seed(seed, args.ops, peers, args.show, tally):
            return 1
        done = seed + 1
    elapsed = time.monotonic() - began
    print('seeds %d-%d of %d-%d, %d operations each, %d operations in all: replies and events identical (%.1f s%s)'
          % (first, done - 1, first, last, args.ops, (done - first) * args.ops, elapsed,
             ', time budget reached' if done <= last else ''))
    print(tally.summary())
    return 0


if __name__ == '__main__':
    sys.exit(main())
