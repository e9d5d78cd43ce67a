#!/usr/bin/env python3
"""What a slowly reading watcher with large tokens gets from vgen-xenstored (docs/store.md).

Usage: store-slow-reader.py DAEMON [--writes N] [--token BYTES] [--batch N] [--pause MS]

Starts DAEMON (a vgen-xenstored binary) on a temporary socket and runs three cases. In each,
a watcher registers one watch on /slow with a token of --token bytes and reads its events
slowly (--batch events, then a pause of --pause ms), while a domain-0 writer sends --writes
WRITE requests below /slow in one pipelined burst:
  - dom0-watcher:  the watcher is a domain-0 connection (it may hold the writer back);
  - guest-watcher: the watcher is a guest (domain 5, CONTROL set-domid), the writer domain 0
                   (a guest may not hold domain 0 back);
  - guest-idle:    the same guest watcher reads nothing until the burst is over.
Prints one line per case: events received, whether the daemon closed the watcher, how long
the writer's burst took and its longest wait for one reply, and the daemon's log lines about
the watcher. Exit status 0 unless the daemon could not be started.
"""
import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HEADER = struct.Struct('<IIII')
CONTROL, WATCH, WRITE, SET_PERMS, WATCH_EVENT = 0, 4, 11, 14, 15


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buffer = b''

    def send(self, kind, payload, req=0):
        self.sock.sendall(HEADER.pack(kind, req, 0, len(payload)) + payload)

    def receive(self, timeout=20.0):
        """(type, payload), or None once the daemon closed the connection or nothing came."""
        self.sock.settimeout(timeout)
        while True:
            if len(self.buffer) >= HEADER.size:
                kind, _, _, size = HEADER.unpack_from(self.buffer)
                if len(self.buffer) >= HEADER.size + size:
                    payload = self.buffer[HEADER.size:HEADER.size + size]
                    self.buffer = self.buffer[HEADER.size + size:]
                    return kind, payload
            try:
                data = self.sock.recv(1 << 16)
            except (socket.timeout, ConnectionResetError):
                return None
            if not data:
                return None
            self.buffer += data

    def call(self, kind, payload):
        self.send(kind, payload)
        reply = self.receive()
        if reply is None:
            sys.exit('store-slow-reader: no reply to request type %d' % kind)
        return reply


def run_case(daemon, case, args):
    folder = tempfile.mkdtemp(prefix='vgen-slow-')
    path = os.path.join(folder, 'socket')
    log_path = os.path.join(folder, 'log')
    with open(log_path, 'w') as log:
        process = subprocess.Popen([daemon, '--socket', path], stdout=log, stderr=log)
    try:
        for _ in range(400):
            if os.path.exists(path):
                break
            time.sleep(0.025)
        else:
            sys.exit('store-slow-reader: %s did not start' % daemon)
        writer = Conn(path)
        writer.call(WRITE, b'/slow\0')
        writer.call(SET_PERMS, b'/slow\0r0\0')
        watcher = Conn(path)
        if case != 'dom0-watcher':
            watcher.call(CONTROL, b'set-domid\x005\x00')
        token = b't' * args.token
        watcher.call(WATCH, b'/slow\0' + token + b'\0')
        watcher.receive()  # the watch's first event

        burst = b''.join(HEADER.pack(WRITE, i, 0, len(p)) + p
                         for i, p in ((i, b'/slow/%d\0v' % i) for i in range(args.writes)))
        waits = []
        done = threading.Event()

        def write():
            start = last = time.monotonic()
            writer.sock.sendall(burst)
            for _ in range(args.writes):
                if writer.receive() is None:
                    break
                now = time.monotonic()
                waits.append(now - last)
                last = now
            waits.append(time.monotonic() - start)
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        if case == 'guest-idle':
            done.wait(60)
        events, closed = 0, False
        while events < args.writes:
            message = watcher.receive()
            if message is None:
                closed = True
                break
            if message[0] == WATCH_EVENT:
                events += 1
                if case != 'guest-idle' and events % args.batch == 0:
                    time.sleep(args.pause / 1000.0)
        thread.join()
        total = waits.pop() if waits else 0.0
        longest = max(waits) if waits else 0.0
    finally:
        process.terminate()
        process.wait()
    with open(log_path) as log:
        notes = [line.strip() for line in log if 'closing' in line]
    print('%-14s %4d of %d events, %s; writer: burst %.2f s, longest wait for a reply %.3f s'
          % (case, events, args.writes, 'watcher closed' if closed else 'watcher kept', total, longest))
    for note in notes:
        print('               daemon: %s' % note)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('daemon')
    parser.add_argument('--writes', type=int, default=1000)
    parser.add_argument('--token', type=int, default=3000)
    parser.add_argument('--batch', type=int, default=20)
    parser.add_argument('--pause', type=float, default=2.0)
    args = parser.parse_args()
    print('%s: %d writes, %d-byte token, watcher reads %d events then pauses %.1f ms'
          % (args.daemon, args.writes, args.token, args.batch, args.pause))
    for case in ('dom0-watcher', 'guest-watcher', 'guest-idle'):
        run_case(args.daemon, case, args)


if __name__ == '__main__':
    main()
