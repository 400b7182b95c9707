#!/usr/bin/env python3
# hc_scale_origin.py -- N loopback HTTP endpoints from one asyncio process (bench/hc-scale.sh).
#
# usage: hc_scale_origin.py N PORTFILE
# Listens on N ports of 127.0.0.1 (chosen by the kernel), writes them to PORTFILE one per
# line, answers every HTTP request with 200 "ok" and counts requests (printed on SIGUSR1
# to stdout as "requests N"). A bare TCP connect (the tcp probe) is accepted and dropped.
import asyncio
import gc
import signal
import sys

n, portfile = int(sys.argv[1]), sys.argv[2]
requests = 0
REPLY = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


async def serve(reader, writer):
    global requests
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = await asyncio.wait_for(reader.read(4096), 2)
            if not chunk:
                return
            data += chunk
        requests += 1
        writer.write(REPLY)
        await writer.drain()
    except (OSError, asyncio.TimeoutError):
        pass
    finally:
        writer.close()


async def main():
    ports = []
    for _ in range(n):
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=64)
        ports.append(server.sockets[0].getsockname()[1])
    with open(portfile + ".tmp", "w") as f:
        f.write("\n".join(map(str, ports)) + "\n")
    import os
    os.rename(portfile + ".tmp", portfile)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: print("requests %d" % requests, flush=True))
    await asyncio.Event().wait()


gc.disable()  # a full collection over thousands of servers stalls every listener at once
asyncio.run(main())
