#!/usr/bin/env python3
"""Runs a client against a server that listens on a Unix socket, for lit tests:

  with-server.py SOCKET LOG SERVER... -- CLIENT...

Starts SERVER with its output in LOG (never in the test's pipe, so a server that outlives the
test cannot hold lit up), waits until SOCKET exists (the server failing first, or 20 s
passing, fails the run with the reason), runs CLIENT, then stops the server with SIGTERM
(SIGKILL after 5 s). Exits with the client's status, or 1 when the server could not start."""
import os
import subprocess
import sys
import time


def main(argv):
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
        while not os.path.exists(socket):
            if server.poll() is not None:
                print("with-server: the server exited with status %d before %s existed (log: %s)"
                      % (server.returncode, socket, log_path), file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print("with-server: %s did not appear within 20 s (log: %s)" % (socket, log_path), file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv))
