#!/usr/bin/env python3
"""An upstream that counts what it answers, for Benchmarks/usage-crash.sh (standard library only).

    python3 Benchmarks/usage_counting_upstream.py --port 18140 --counts FILE

Every POST is answered 200 with a small chat completion whose usage is 11 prompt and 7
completion tokens; after each answer is written the running count of answers goes to FILE
(rewritten in place), so the count survives whoever kills whom.
"""
import argparse
import asyncio

BODY = (b'{"id":"c","object":"chat.completion","model":"gemini-3-flash","choices":[{"index":0,'
        b'"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],'
        b'"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}')
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--counts", required=True)
    options = parser.parse_args()
    answered = 0

    async def serve(reader, writer):
        nonlocal answered
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                writer.write(ANSWER)
                await writer.drain()
                answered += 1
                with open(options.counts, "w") as counts:
                    counts.write(f"{answered}\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def run():
        server = await asyncio.start_server(serve, "127.0.0.1", options.port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


if __name__ == "__main__":
    main()
