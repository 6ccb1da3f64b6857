#!/usr/bin/env python3
"""Opens COUNT keep-alive connections to 127.0.0.1:PORT, sends one GET on each, reads the
answer, prints 'ready ...' and holds them for HOLD seconds (the caller measures memory then)."""
import argparse
import asyncio
import time


async def one(port, path, held):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    held.append(writer)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--hold", type=float, default=3)
    parser.add_argument("--path", default="/")
    options = parser.parse_args()
    held = []
    started = time.monotonic()
    batch = 500
    for start in range(0, options.count, batch):
        await asyncio.gather(*(one(options.port, options.path, held) for _ in range(min(batch, options.count - start))))
    print(f"ready {len(held)} connections open in {time.monotonic() - started:.1f} s", flush=True)
    await asyncio.sleep(options.hold)
    for writer in held:
        writer.close()


asyncio.run(main())
