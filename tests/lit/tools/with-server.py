#!/usr/bin/env python3
"""Runs a client against a server that listens on a Unix socket, for lit tests:

  with-server.py [--ready TEXT] SOCKET LOG SERVER... -- CLIENT...

Starts SERVER with its output in LOG (never in the test's pipe, so a server that outlives the
test cannot hold lit up), waits until SOCKET exists and, with --ready, until LOG holds TEXT (the
server failing first, or 20 s passing, fails the run with the reason), runs CLIENT, then stops
the server with SIGTERM (SIGKILL after 5 s) and appends "with-server: the server exited with
status N" to LOG (N negative: killed by signal -N). Exits with the client's status, or 1 when
the server could not start."""
import os
import subprocess
import sys
import time


def ready(socket, log_path, text):
    if not os.path.exists(socket):
        return False
    if text is None:
        return True
    with open(log_path, "rb") as log:
        return text.encode() in log.read()


def main(argv):
    text = None
    if len(argv) > 2 and argv[1] == "--ready":
        text = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 5 or "--" not in argv[3:]:
        print(__doc__, file=sys.stderr)
        return 2
    socket, log_path = argv[1], argv[2]
    split = argv.index("--", 3)
    server_command, client_command = argv[3:split], argv[split + 1:]
    if os.path.exists(socket):
        os.unlink(socket)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(server_command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        what = socket if text is None else "%s and %r in the log" % (socket, text)
        while not ready(socket, log_path, text):
            if server.poll() is not None:
                print("with-server: the server exited with status %d before %s existed (log: %s)"
                      % (server.returncode, what, log_path), file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print("with-server: %s did not appear within 20 s (log: %s)" % (what, log_path), file=sys.stderr)
                return 1
            time.sleep(0.02)
        return subprocess.call(client_command)
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        with open(log_path, "a") as log:
            log.write("with-server: the server exited with status %d\n" % server.returncode)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
