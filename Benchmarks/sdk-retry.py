#!/usr/bin/env python3
"""Do the real SDKs wait as a 429 from `serve` tells them? (issue 12, item 6; run by hand.)

Starts a mock upstream and `serve` on free loopback ports with a scratch database, spends a
key's whole rpm allowance, then calls the proxy through the `openai` and `anthropic` Python SDKs
(pip install --break-system-packages openai anthropic) with their own retry logic on, and
prints every attempt the SDK made: its time, status and Retry-After, and how long the SDK
waited before the next attempt. A key over its daily token quota shows the other case: the
429 says `x-should-retry: false`, and the SDK gives up at once instead of retrying for nothing.

Usage: Benchmarks/sdk-retry.py [BINARY]   (default .build/release/apipodctl; RPM=6 to change)
"""
import http.server, json, os, socket, subprocess, sys, tempfile, threading, time

import anthropic, openai

try:  # the SDKs' HTTP library: httpx2 in the current releases, httpx in older ones
    import httpx2 as httpx
except ImportError:
    import httpx

BINARY = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/apipodctl")
RPM = int(os.environ.get("RPM", "6"))


class Upstream(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path.startswith("/v1/messages"):
            body = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": [{"type": "text", "text": "hi"}],
                    "stop_reason": "end_turn", "usage": {"input_tokens": 5, "output_tokens": 1}}
        else:
            body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def watched_client():
    """An httpx client that records each attempt the SDK makes."""
    attempts = []
    def on_response(response):
        attempts.append((time.monotonic(), response.status_code, response.headers.get("retry-after"), response.headers.get("x-should-retry")))
    return httpx.Client(event_hooks={"response": [on_response]}), attempts


def report(name, attempts, started, outcome):
    print(f"{name}: {outcome}")
    previous = None
    for at, status, retry_after, should_retry in attempts:
        waited = f", {at - previous[0]:.2f} s after the previous attempt" if previous else ""
        told = f" (Retry-After {retry_after}{', x-should-retry ' + should_retry if should_retry else ''})" if status == 429 else ""
        print(f"  +{at - started:6.2f} s  {status}{told}{waited}")
        previous = (at, status)


def main():
    scratch = tempfile.mkdtemp(prefix="apipod-sdk-")
    env = dict(os.environ, DATABASE_PATH=os.path.join(scratch, "proxy.db"))
    run = lambda *args: subprocess.run([BINARY, *args], env=env, check=True, capture_output=True, text=True).stdout.strip()
    key = run("keys", "create", "--name", "sdk", "--rpm", str(RPM))
    spent = run("keys", "create", "--name", "spent", "--daily-tokens", "0")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    serve = subprocess.Popen([BINARY, "serve", "--host", "127.0.0.1", "--port", str(port), "--upstream", f"http://127.0.0.1:{upstream.server_port}"],
                             env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health"); break
            except httpx.HTTPError:
                time.sleep(0.05)
        print(f"{run('--version')}, openai {openai.__version__}, anthropic {anthropic.__version__}; key rpm {RPM} "
              f"(one request every {60 / RPM:g} s once the minute's allowance is spent)")

        def spend():
            for _ in range(RPM):
                httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", headers={"authorization": f"Bearer {key}"}, json={"model": "gpt"})

        spend()
        http_client, attempts = watched_client()
        client = openai.OpenAI(api_key=key, base_url=f"http://127.0.0.1:{port}/v1", max_retries=2, http_client=http_client)
        started = time.monotonic()
        answer = client.chat.completions.create(model="gpt", messages=[{"role": "user", "content": "hi"}])
        report("openai chat.completions.create", attempts, started, f"answered '{answer.choices[0].message.content}'")

        spend()
        http_client, attempts = watched_client()
        client = anthropic.Anthropic(api_key=key, base_url=f"http://127.0.0.1:{port}", max_retries=2, http_client=http_client)
        started = time.monotonic()
        message = client.messages.create(model="claude", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
        report("anthropic messages.create", attempts, started, f"answered '{message.content[0].text}'")

        for name, make, call in [
            ("openai, daily quota spent", lambda hc: openai.OpenAI(api_key=spent, base_url=f"http://127.0.0.1:{port}/v1", max_retries=2, http_client=hc),
             lambda c: c.chat.completions.create(model="gpt", messages=[{"role": "user", "content": "hi"}])),
            ("anthropic, daily quota spent", lambda hc: anthropic.Anthropic(api_key=spent, base_url=f"http://127.0.0.1:{port}", max_retries=2, http_client=hc),
             lambda c: c.messages.create(model="claude", max_tokens=10, messages=[{"role": "user", "content": "hi"}])),
        ]:
            http_client, attempts = watched_client()
            started = time.monotonic()
            try:
                call(make(http_client))
                outcome = "answered (unexpected)"
            except (openai.RateLimitError, anthropic.RateLimitError) as error:
                outcome = f"{type(error).__name__}: {error.message[:100]}"
            report(name, attempts, started, outcome)
    finally:
        serve.terminate()
        serve.wait()
        upstream.shutdown()


if __name__ == "__main__":
    main()
