#!/usr/bin/env python3
"""Screenshots of the dashboard at a laptop and a phone width, for a person to look at (never
into the repository: /tmp/apipod-shots/ by default), and the page's first-render time.

It starts `apipodctl serve` with an admin secret and drives headless Chromium over the DevTools
protocol on a pipe (fds 3 and 4), as the browser tests do. With --fake (the default) a small
front in this process answers the admin endpoints that other branches add (usage, upstreams,
tiers, limits) with made-up figures, so the charts have something to draw; every other request,
the page itself included, goes through to the real server. --no-fake shows the page exactly as
this server answers, "not available" states included.

    swift build && Benchmarks/dashboard_shots.py [--binary .build/debug/apipodctl] [--out DIR]
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import random
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

SECRET = "dashboard-shots-secret-0123"
SIZES = {"laptop": (1366, 768, 1, False), "phone": (390, 844, 3, True)}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    payload = None if body is None else json.dumps(body)
    connection.request(method, path, payload, {"x-admin-secret": SECRET, "content-type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


# The made-up answers -------------------------------------------------------------------------

MODELS = ["claude-sonnet-4-5", "gemini-3-flash", "deepseek-chat", "kimi-k2.5"]
KEYS = [(2, "alice", "apk_AlIcE123"), (3, "bob", "apk_BoB45678"), (4, "ci", "apk_Ci9Xy0Zq")]
TIERS = [{"name": "elite", "rpm": None, "concurrency": None, "daily_tokens": None},
         {"name": "free", "rpm": 20, "concurrency": 2, "daily_tokens": 200000}]


def usage_answer(query):
    by = query.get("by", ["day"])[0].split(",")
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    if by[0] == "day":
        periods = [(now - timedelta(days=d)).strftime("%Y-%m-%d") for d in range(29, -1, -1)]
    else:
        top = now.replace(minute=0, second=0, microsecond=0)
        periods = [(top - timedelta(hours=h)).strftime("%Y-%m-%dT%H:00:00Z") for h in range(47, -1, -1)]
    rows = []
    for index, period in enumerate(periods):
        groups = MODELS if by[1] == "model" else KEYS
        for rank, group in enumerate(groups):
            if rng.random() < 0.15:
                continue
            scale = (40 if by[0] == "day" else 4) * (4 - rank) * (1 + index / len(periods))
            requests = int(scale * (0.5 + rng.random()))
            inputs, outputs = requests * rng.randint(800, 2400), requests * rng.randint(150, 600)
            row = {by[0]: period}
            if by[1] == "model":
                row["model"] = group
            else:
                row.update(key_id=group[0], key_name=group[1], key_prefix=group[2])
            row.update(requests=requests, errors=requests // 40, input_tokens=inputs, output_tokens=outputs,
                       cached_tokens=inputs // 3, cost_usd=round(inputs * 3e-6 + outputs * 15e-6, 4))
            rows.append(row)
    totals = {name: sum(row[name] for row in rows)
              for name in ["requests", "errors", "input_tokens", "output_tokens", "cached_tokens", "cost_usd"]}
    return {"rows": rows, "totals": totals}


def upstreams_answer():
    until = (datetime.now(timezone.utc) + timedelta(seconds=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    board = lambda name, state="ok", **more: {"name": name, "state": state, "until": None, "last_status": 200,
                                               "last_error": None, "attempts": 1200, "failures": 3, **more}
    return {"providers": [board("default"), board("deepseek"), board("kimi", "cooling", until=until, last_status=503,
                                                                        last_error="upstream answered 503", failures=41)],
            "models": [board("claude-sonnet-4-5", provider="default"), board("gemini-3-flash", provider="default"),
                       board("deepseek-chat", provider="deepseek"),
                       board("kimi-k2.5", "cooling", provider="kimi", until=until, last_status=429,
                             last_error="rate limited (Retry-After 95 s)", failures=17)]}


def with_limits(key):
    own = {"rpm": 60, "concurrency": None, "daily_tokens": None} if key.get("name") == "alice" else \
        {"rpm": None, "concurrency": None, "daily_tokens": None}
    tier = next((t for t in TIERS if t["name"] == key.get("tier")), TIERS[0])
    key["limits"] = own
    key["effective_limits"] = {name: own[name] if own[name] is not None else tier[name] for name in own}
    return key


def front(real_port, fake):
    class Front(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, document):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def relay(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            url = urllib.parse.urlsplit(self.path)
            if fake and url.path.startswith("/admin/") and self.headers.get("x-admin-secret") == SECRET:
                if url.path == "/admin/usage":
                    return self.answer(200, usage_answer(urllib.parse.parse_qs(url.query)))
                if url.path == "/admin/upstreams":
                    return self.answer(200, upstreams_answer())
                if url.path == "/admin/tiers":
                    return self.answer(200, {"tiers": TIERS})
                if url.path.endswith("/limits"):
                    key_id = int(url.path.split("/")[3])
                    _, listing = admin_call(real_port, "GET", "/admin/keys")
                    key = with_limits(next(k for k in listing["keys"] if k["id"] == key_id))
                    key["limits"].update(json.loads(body))
                    return self.answer(200, key)
                if url.path == "/admin/create-key" and body:
                    body = json.dumps({k: v for k, v in json.loads(body).items() if k in ("name", "tier", "expires_in")}).encode()
            upstream = http.client.HTTPConnection("127.0.0.1", real_port, timeout=10)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            upstream.request(self.command, self.path, body, headers)
            response = upstream.getresponse()
            data = response.read()
            if fake and url.path == "/admin/keys" and response.status == 200:
                data = json.dumps({"keys": [with_limits(k) for k in json.loads(data)["keys"]]}).encode()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = relay

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The browser ------------------------------------------------------------------------------------

class Browser:
    """Chromium on a DevTools pipe: it reads commands on fd 3 and writes to fd 4, NUL-separated."""

    def __init__(self, profile):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def place_pipes():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--no-first-run", "about:blank"],
            preexec_fn=place_pipes, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        command = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self.to_browser, json.dumps(command).encode() + b"\0")
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def close(self):
        self.process.kill()
        self.process.wait()


class Page:
    def __init__(self, browser, url):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})

    def send(self, method, params=None):
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.evaluate(f"!!({expression})"):
                    return
            except RuntimeError as error:
                if "navigated" not in str(error):
                    raise
            time.sleep(0.05)
        raise RuntimeError(f"still false after {seconds} s: {expression}")

    def type(self, text):
        self.send("Input.insertText", {"text": text})

    def enter(self):
        for kind in ["keyDown", "keyUp"]:
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r"})

    def shot(self, path, selector=None):
        params = {"format": "png"}
        if selector:
            # A sticky header would be drawn over the middle of a capture taller than the window.
            box = self.evaluate(f"(() => {{ document.querySelector('.bar').style.position = 'static';"
                                f" const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
                                " const r = e.getBoundingClientRect(); return {x: r.x + scrollX, y: r.y + scrollY,"
                                " width: r.width, height: r.height}; })()")
            params.update(clip={**box, "scale": 1}, captureBeyondViewport=True)
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))
        if selector:
            self.evaluate("document.querySelector('.bar').style.position = ''; true")
        print(path)


def session(page, size, out, fake):
    width, height, scale, mobile = SIZES[size]
    page.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})
    page.send("Page.reload")
    page.wait("document.readyState === 'complete' && document.querySelector('#secret')")
    page.evaluate("window.beforeReload = true; sessionStorage.clear(); location.reload(); true")
    page.wait("!window.beforeReload && document.readyState === 'complete'"
              " && document.activeElement && document.activeElement.id === 'secret'")
    page.shot(f"{out}/{size}-signed-out.png")
    page.type("not-the-secret")
    page.enter()
    page.wait("!document.querySelector('#signin-error').hidden")
    page.shot(f"{out}/{size}-wrong-secret.png")
    page.evaluate("document.querySelector('#secret').value = ''; document.querySelector('#secret').focus(); true")
    page.type(SECRET)
    page.enter()
    page.wait("document.querySelector('[data-testid=keys]').dataset.state === 'ready'")
    render = page.evaluate("performance.getEntriesByName('signin-to-keys')[0].duration")
    print(f"{size}: first render after the secret was entered: {render:.1f} ms")
    page.wait("document.querySelector('[data-testid=live]').dataset.state !== 'loading'"
              " && document.querySelector('[data-testid=upstreams]').dataset.state !== 'loading'"
              " && document.querySelector('[data-testid=usage]').dataset.state !== 'loading'")
    page.shot(f"{out}/{size}-keys.png")
    page.evaluate(f"document.querySelector('#create-form [name=name]').value = 'shots-{size}';"
                  " document.querySelector('#create-form [name=expires_in]').value = '30';"
                  " document.querySelector('#create-form button[type=submit]').click(); true")
    page.wait("document.querySelector('[data-testid=created-dialog]')")
    page.shot(f"{out}/{size}-key-created.png")
    page.evaluate("[...document.querySelectorAll('[data-testid=created-dialog] button')].pop().click(); true")
    page.shot(f"{out}/{size}-usage.png", "[data-testid=usage]")
    if fake:
        page.evaluate("document.querySelector('button[data-stack=key]').click();"
                      " document.querySelector('button[data-measure=tokens]').click(); true")
        page.wait("document.querySelector('[data-testid=usage]').dataset.state === 'ready'"
                  " && document.querySelector('button[data-stack=key]').getAttribute('aria-pressed') === 'true'"
                  " && document.querySelector('.chart svg')")
        time.sleep(0.3)
        page.shot(f"{out}/{size}-usage-by-key.png", "[data-testid=usage]")
        page.evaluate("document.querySelector('button[data-stack=model]').click();"
                      " document.querySelector('button[data-measure=requests]').click(); true")
        page.evaluate("document.querySelector('[data-testid=keys] button[aria-label^=\"Change the limits\"]').click(); true")
        page.wait("document.querySelector('dialog[open] form')")
        page.shot(f"{out}/{size}-limits.png")
        page.evaluate("document.querySelector('dialog[open] button').click(); true")
    page.shot(f"{out}/{size}-upstreams.png", "[data-testid=upstreams]")


def render_times(page, rounds):
    """Signs out and in `rounds` times; the time from pressing Enter to the keys drawn, each time."""
    times = []
    for _ in range(rounds):
        page.evaluate("document.querySelector('#signout').click(); true")
        page.wait("document.activeElement && document.activeElement.id === 'secret'")
        page.type(SECRET)
        page.enter()
        page.wait("document.querySelector('[data-testid=keys]').dataset.state === 'ready'"
                  " && performance.getEntriesByName('signin-to-keys').length")
        times.append(page.evaluate("['signin-to-keys', 'keys-drawn'].map(n => performance.getEntriesByName(n)[0].duration)"))
    for index, what in enumerate(["first render after the secret", "of which drawing the keys"]):
        figures = sorted(pair[index] for pair in times)
        print(f"{what}, {rounds} sign-ins: min {figures[0]:.1f} ms,"
              f" median {figures[len(figures) // 2]:.1f} ms, max {figures[-1]:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/apipodctl")
    parser.add_argument("--out", default="/tmp/apipod-shots")
    parser.add_argument("--no-fake", dest="fake", action="store_false")
    parser.add_argument("--rounds", type=int, default=20, help="sign-ins to time at the end")
    options = parser.parse_args()
    os.makedirs(options.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="apipod-shots-")
    open(f"{work}/empty.env", "w").close()
    port = free_port()
    serve = subprocess.Popen(
        [options.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", f"{work}/proxy.db",
         "--env-file", f"{work}/empty.env"],
        env={**os.environ, "ADMIN_SECRET": SECRET}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        for _ in range(200):
            try:
                admin_call(port, "GET", "/admin/keys")
                break
            except OSError:
                time.sleep(0.05)
        for name, tier, days in [("alice", "elite", None), ("bob", "free", 90), ("ci", "elite", 7)]:
            admin_call(port, "POST", "/admin/create-key", {"name": name, "tier": tier, "expires_in": days})
        admin_call(port, "POST", "/admin/keys/3/disable")
        server = front(port, options.fake)
        browser = Browser(f"{work}/profile")
        page = Page(browser, f"http://127.0.0.1:{server.server_address[1]}/admin/")
        for size in SIZES:
            session(page, size, options.out, options.fake)
        render_times(page, options.rounds)
        problems = [e for e in browser.events if e.get("method") in ("Runtime.exceptionThrown",)
                    or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
                    or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["source"] != "network")]
        print(f"console problems: {len(problems)}")
        for problem in problems:
            print(json.dumps(problem["params"])[:400])
    finally:
        if browser:
            browser.close()
        serve.terminate()
        serve.wait()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
