#!/usr/bin/env python3
# tests/functional/lib/notify-listen.py -- a service manager's notify socket, for the tests
# usage: notify-listen.py SOCKET OUT: binds the AF_UNIX datagram socket SOCKET and
# appends every message to OUT, one line each (its lines joined by spaces), until killed.
import socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode("utf-8", "replace")
        out.write(" ".join(msg.split("\n")) + "\n")
