#!/usr/bin/env python3
"""A mock LLM upstream for trying and benchmarking `apipodctl serve` (standard library only).

    python3 Benchmarks/mock_upstream.py --port 8080 [--events 10] [--interval 0.1]

- POST /v1/chat/completions, /v1/messages: a JSON answer naming the model it received, or, with
  "stream": true in the body, --events server-sent events --interval seconds apart (chunked),
  in the OpenAI or the Anthropic shape by path.
- GET /v1/models: a small OpenAI-style list.
- Any other path: 200 with the received method, path, headers and body echoed as JSON.
"""
import argparse
import asyncio
import json
import time


def reply(status, body, content_type="application/json", extra=b""):
    head = (f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n").encode() + extra + b"\r\n"
    return head + body


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
    length = 0
    chunked = False
    for name, value in headers:
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    body = b""
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    elif length:
        body = await reader.readexactly(length)
    return method, target, headers, body


async def stream(writer, path, model, events, interval):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    for index in range(events):
        if path.startswith("/v1/messages"):
            data = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"word{index} "}}
            event = f"event: content_block_delta\ndata: {json.dumps(data)}\n\n"
        else:
            data = {"id": "chatcmpl-mock", "object": "chat.completion.chunk", "model": model,
                    "choices": [{"index": 0, "delta": {"content": f"word{index} "}, "finish_reason": None}]}
            event = f"data: {json.dumps(data)}\n\n"
        payload = event.encode()
        writer.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        await writer.drain()
        if interval:
            await asyncio.sleep(interval)
    tail = b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" if path.startswith("/v1/messages") else b"data: [DONE]\n\n"
    writer.write(f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n")
    await writer.drain()


async def handle(reader, writer, options):
    try:
        while True:
            try:
                method, target, headers, body = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            path = target.split("?")[0]
            request = {}
            if body:
                try:
                    request = json.loads(body)
                except ValueError:
                    request = {}
            model = request.get("model", "") if isinstance(request, dict) else ""
            if path in ("/v1/chat/completions", "/v1/messages") and request.get("stream"):
                await stream(writer, path, model, options.events, options.interval)
            elif path == "/v1/chat/completions":
                answer = {"id": "chatcmpl-mock", "object": "chat.completion", "created": int(time.time()), "model": model,
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": f"Hello from {model}"},
                                       "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}}
                writer.write(reply(200, json.dumps(answer).encode()))
            elif path == "/v1/messages":
                answer = {"id": "msg_mock", "type": "message", "role": "assistant", "model": model,
                          "content": [{"type": "text", "text": f"Hello from {model}"}], "stop_reason": "end_turn",
                          "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 3}}
                writer.write(reply(200, json.dumps(answer).encode()))
            elif path == "/v1/models":
                listing = {"object": "list", "data": [{"id": "claude-sonnet-4-5", "object": "model", "created": 0, "owned_by": "mock"},
                                                      {"id": "gemini-3-flash", "object": "model", "created": 0, "owned_by": "mock"}]}
                writer.write(reply(200, json.dumps(listing).encode()))
            else:
                echo = {"method": method, "target": target, "headers": headers, "body": body.decode("utf-8", "replace")}
                writer.write(reply(200, json.dumps(echo).encode()))
            await writer.drain()
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.1)
    options = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, options), "127.0.0.1", options.port, backlog=4096, limit=1 << 24)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
