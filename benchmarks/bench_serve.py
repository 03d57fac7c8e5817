"""``labeler serve`` (the review screen in a browser) driven by headless Chromium on loopback:
navigate -> first frame with the warm spare, key -> first frame back (timed in the page), memory
per session process, and how soon the session of a killed or silent browser ends. Measured
against the targets of issue 15 (first frame <= 1 s; key to frame median <= 50 ms, p95 <= 100
ms; <= 60 MB per session; a vanished browser's session ends within 30 s); the reference it
names, textual-serve as shipped (0.5-0.7 s, 25 ms, 44 MB there), is not run here.

Part of ``benchmarks/run`` (``run(ctx)``: parts a to e on the store ``main``, warm spare only,
fewer keys and sessions; ``--set serve.keys=N``, ``serve.sessions=N``), or by hand (not part of
the test suite):

    .venv/bin/python benchmarks/bench_serve.py                 # all parts, a fresh demo store
    .venv/bin/python benchmarks/bench_serve.py --runs 10 --keys 100 --sessions 8

The server is the real command (``labeler serve STORE --overlap 3 --order import``) in its own
process, on a loopback port, over a fresh copy of the bundled sample session (180 cases).
Chromium runs with every host but 127.0.0.1 unresolvable (``tests/web/cdp_client.py``).

Parts:

a. First frame: a signed-in tab opens ``/`` ``--runs`` times (each run replaces the previous
   session). Clock: ``Page.navigate`` sent -> the first binary WebSocket frame over 10 bytes
   (when textual.js shows the terminal; text frames such as ``pong`` are not counted), and ->
   the first frame holding the first case's id.
   Both are CDP event arrival times in this process.
b. Key -> frame: ``--keys`` bucket keys, one every ``--gap-ms``. Measured inside the page: a
   script added before the page's own wraps ``WebSocket`` and stamps ``performance.now()`` at
   each ``["stdin", ...]`` sent and each binary frame received; latency = first frame after
   the key - the key's send. Rendering by xterm.js after the frame is not included.
c. Memory: ``--sessions`` sessions open at once (one browser tab each, different reviewers);
   per session process VmRSS, VmHWM and PSS (``/proc/PID/smaps_rollup``) after its first screen
   and 10 keys; the server's too.
d. Ends: the session process of a browser killed with SIGKILL: seconds until it has exited.
e. Ends: a client that goes silent (no traffic, no answer to pings, as behind a dropped
   network): seconds until its session process has exited (default heartbeat).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import benchlib
from benchlib import REPO, Context, Figure, machine_info

sys.path.insert(0, str(REPO / "tests" / "web"))

from cdp_client import Page, chromium, find_chromium

from labeler.identity import Actor
from labeler.login_tokens import issue_token, parse_duration
from labeler.sample import make_demo_store
from labeler.store import Store, open_store

TITLE = "Serve (browser)"

OPERATOR = Actor("bench", "bench", on_trust=False)
STAMPS = """
(() => {
  const Native = window.WebSocket;
  window.__sent = []; window.__recv = [];
  function Stamped(url, protocols) {
    const s = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const send = s.send.bind(s);
    s.send = (data) => {
      if (typeof data === "string" && data.startsWith('["stdin"')) {
        window.__sent.push(performance.now());
      }
      return send(data);
    };
    s.addEventListener("message", (e) => {
      if (typeof e.data !== "string") window.__recv.push(performance.now());
    });
    return s;
  }
  Stamped.prototype = Native.prototype;
  window.WebSocket = Stamped;
})();
"""


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM and PSS of a process, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(line.split()[1]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            found["Pss"] = int(line.split()[1]) / 1024
    return found


def children(server_pid: int) -> list[int]:
    """The server's child processes: sessions and the warm spare."""
    found = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [int(p) for p in found]


def has_store_open(pid: int, store_path: Path) -> bool:
    """True for a session process (it has the store open; a spare has not yet)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if Path(os.readlink(fd)) == store_path.resolve():
                return True
        except OSError:
            continue
    return False


def session_pids(server_pid: int, store_path: Path) -> list[int]:
    """The server's session processes (not the spare)."""
    return [pid for pid in children(server_pid) if has_store_open(pid, store_path)]


async def settle(server_pid: int, store_path: Path, *, spare: bool) -> None:
    """Wait until no session runs and, with ``spare``, the warm spare has its imports done."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = children(server_pid)
        sessions = [p for p in pids if has_store_open(p, store_path)]
        if not sessions and len(pids) == (1 if spare else 0):
            if spare:
                await asyncio.sleep(2.0)  # the spare's imports
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the server did not settle")


async def sign_in(page: Page, url: str, secret: str) -> None:
    """Open the login link and press the button, as a reviewer does."""
    page.loaded.clear()
    await page.call("Page.navigate", url=f"{url}/login#token={secret}")
    await asyncio.wait_for(page.loaded.wait(), 20)
    page.loaded.clear()
    await page.evaluate("document.getElementById('go').click()")
    await asyncio.wait_for(page.loaded.wait(), 20)


def first_case_id(store: Store) -> str:
    """The id of the first case in a new reviewer's queue (overlap 3, import order)."""
    rows = store.query(
        "SELECT case_id FROM cases WHERE is_current = 1 AND label_count < 3 ORDER BY seq LIMIT 1"
    )
    return str(rows[0][0])


async def part_a(
    browser: Any, url: str, store: Store, runs: int, server_pid: int, spare: bool, prefix: str = ""
) -> dict[str, list[float]]:
    """Each run a new reviewer in a new profile: sign in, then time the first open of /."""
    first_frame: list[float] = []
    usable: list[float] = []
    tag = "warm" if spare else "cold"
    for n in range(runs):
        first_id = first_case_id(store)
        secret = issue_token(
            store, OPERATOR, f"{prefix}a-{tag}-{n}", expires=parse_duration("1h")
        ).secret
        async with browser.page(own_profile=True) as page:
            await sign_in(page, url, secret)  # opens / once: the cookie is set
            await page.wait_for_text(first_id, 30)
            page.loaded.clear()
            await page.call("Page.navigate", url="about:blank")
            await settle(server_pid, store.path, spare=spare)
            page.frames.clear()
            start = time.monotonic()
            await page.call("Page.navigate", url=f"{url}/")
            await page.wait_for_text(first_id, 30)
            new = [f for f in page.frames if page.sockets.get(f.socket, 0) >= start]
            first_frame.append(next(f.at for f in new if f.binary and len(f.data) > 10) - start)
            text = b""
            for frame in new:
                text += frame.data
                if first_id.encode() in text:
                    usable.append(frame.at - start)
                    break
        await settle(server_pid, store.path, spare=spare)
    return {"first_frame": first_frame, "first_case": usable}


async def part_b(
    browser: Any, url: str, store: Store, keys: int, gap: float, prefix: str = ""
) -> list[float]:
    secret = issue_token(store, OPERATOR, f"{prefix}bench-b", expires=parse_duration("1h")).secret
    async with browser.page() as page:
        await page.call("Page.addScriptToEvaluateOnNewDocument", source=STAMPS)
        await sign_in(page, url, secret)
        await page.wait_for_text(first_case_id(store), 30)
        await asyncio.sleep(1.0)  # the queue count and prefetch settle, as a person reads
        await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await page.evaluate("window.__sent = []; window.__recv = [];")
        for i in range(keys):
            key = str(1 + i % 9)
            await page.key(key, code=f"Digit{key}", key_code=48 + int(key), text=key)
            await asyncio.sleep(gap)
        await asyncio.sleep(0.5)
        stamps = await page.evaluate("JSON.stringify([window.__sent, window.__recv])")
    sent, received = json.loads(stamps)
    latencies = []
    for t in sent:
        after = [r for r in received if r >= t]
        if after:
            latencies.append(after[0] - t)
    return latencies


async def part_c(
    browser: Any, url: str, store: Store, sessions: int, server_pid: int, prefix: str = ""
) -> dict[str, Any]:
    pages = []
    contexts = []
    for n in range(sessions):
        first_id = first_case_id(store)
        secret = issue_token(store, OPERATOR, f"{prefix}c-{n}", expires=parse_duration("1h")).secret
        context = browser.page(own_profile=True)
        page = await context.__aenter__()
        contexts.append(context)
        pages.append(page)
        await sign_in(page, url, secret)
        await page.wait_for_text(first_id, 30)
    for page in pages:
        await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        for _ in range(10):
            await page.key("1", code="Digit1", key_code=49, text="1")
            await asyncio.sleep(0.15)
    await asyncio.sleep(1.0)
    per_session = [proc_memory(pid) for pid in session_pids(server_pid, store.path)]
    server = proc_memory(server_pid)
    for context in reversed(contexts):
        await context.__aexit__(None, None, None)
    return {"sessions": per_session, "server": server}


async def part_d(
    url: str, store: Store, server_pid: int, executable: str, prefix: str = ""
) -> float:
    secret = issue_token(store, OPERATOR, f"{prefix}d", expires=parse_duration("1h")).secret
    await settle(server_pid, store.path, spare=True)
    async with chromium(executable) as browser, browser.page() as page:
        await sign_in(page, url, secret)
        await page.wait_for_text(first_case_id(store), 30)
        (pid,) = session_pids(server_pid, store.path)
        os.killpg(browser.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        while Path(f"/proc/{pid}").exists() and pid in children(server_pid):
            await asyncio.sleep(0.05)
            if time.monotonic() - killed > 60:
                raise TimeoutError("the session did not end")
        return time.monotonic() - killed


async def part_e(url: str, store: Store, server_pid: int, prefix: str = "") -> float:
    """A browser that stops answering (a dropped network): no traffic, no pong."""
    import aiohttp

    secret = issue_token(store, OPERATOR, f"{prefix}e", expires=parse_duration("1h")).secret
    await settle(server_pid, store.path, spare=True)
    first_id = first_case_id(store).encode()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        await http.post(f"{url}/login", data={"token": secret}, headers={"Origin": url})
        ws = await http.ws_connect(f"{url}/ws?width=120&height=40", origin=url, autoping=False)
        seen = b""
        while first_id not in seen:
            await ws.send_str('["ping", "x"]')
            message = await ws.receive(timeout=30)
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
        (pid,) = session_pids(server_pid, store.path)
        silent = time.monotonic()  # from now on: nothing sent, nothing read
        while pid in children(server_pid):
            await asyncio.sleep(0.1)
            if time.monotonic() - silent > 90:
                raise TimeoutError("the session did not end")
        elapsed = time.monotonic() - silent
        await ws.close()
        return elapsed


def summary(name: str, values: list[float], unit: str = "ms", scale: float = 1.0) -> str:
    v = [x * scale for x in values]
    return (
        f"{name}: n={len(v)} median {statistics.median(v):.0f} {unit}, p95 {pct(v, 95):.0f} "
        f"{unit}, max {max(v):.0f} {unit}, min {min(v):.0f} {unit}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--gap-ms", type=float, default=250)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    store = make_demo_store(OPERATOR, folder)
    url = f"http://127.0.0.1:{args.port}"
    print("machine:", json.dumps(machine_info()))
    async with chromium(executable) as browser:
        for spare in (True, False):
            with serving(store.path, args.port, spare) as server_pid:
                a = await part_a(browser, url, store, args.runs, server_pid, spare)
                tag = "warm spare" if spare else "no spare"
                print(summary(f"a. ({tag}) navigate -> first frame", a["first_frame"], scale=1000))
                print(summary(f"a. ({tag}) navigate -> first case", a["first_case"], scale=1000))
        with serving(store.path, args.port, True) as server_pid:
            await settle(server_pid, store.path, spare=True)
            b = await part_b(browser, url, store, args.keys, args.gap_ms / 1000)
            print(summary("b. key -> first frame back (in page)", b))
            await settle(server_pid, store.path, spare=True)
            c = await part_c(browser, url, store, args.sessions, server_pid)
            for key in ("VmRSS", "VmHWM", "Pss"):
                values = [s[key] for s in c["sessions"]]
                print(
                    f"c. per session {key}: n={len(values)} mean {statistics.mean(values):.1f} MB,"
                    f" max {max(values):.1f} MB; server {c['server'][key]:.1f} MB"
                )
    with serving(store.path, args.port, True) as server_pid:
        d = await part_d(url, store, server_pid, executable)
        print(f"d. browser killed -> session process exited: {d:.2f} s")
        e = await part_e(url, store, server_pid)
        print(f"e. browser silent (no pong) -> session process exited: {e:.1f} s")
    store.close()


# -- benchmarks/run ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def forget(store: Store, prefix: str) -> tuple[int, int]:
    """Delete the labels and login tokens of the reviewers named ``prefix...`` (their
    ``web.*`` and ``label.*`` events stay: the audit log is append-only)."""
    with store.write() as conn:
        match = "substr(reviewer, 1, ?) = ?"
        labels = conn.execute(f"DELETE FROM labels WHERE {match}", (len(prefix), prefix))
        tokens = conn.execute(f"DELETE FROM web_tokens WHERE {match}", (len(prefix), prefix))
        return int(labels.rowcount), int(tokens.rowcount)


def run(ctx: Context) -> list[Figure]:
    executable = find_chromium()
    if executable is None:
        raise RuntimeError("Chromium is not installed: apt-get install chromium")
    keys = int(ctx.options.get("serve.keys", 60 if ctx.million else 30))
    sessions = int(ctx.options.get("serve.sessions", 5 if ctx.million else 3))
    prefix = f"bench-serve-{os.getpid()}-"
    url = f"http://127.0.0.1:{free_port()}"
    port = int(url.rsplit(":", 1)[1])
    store = open_store(ctx.store("main"))

    async def measure() -> tuple[dict[str, list[float]], list[list[float]], dict[str, Any]]:
        async with chromium(executable) as browser:
            with serving(store.path, port, True) as server_pid:
                ctx.log(f"(a) first frame, {ctx.rounds} runs")
                a = await part_a(browser, url, store, ctx.rounds, server_pid, True, prefix)
                b = []
                for n in range(ctx.rounds):
                    ctx.log(f"(b) round {n + 1}: {keys} keys")
                    await settle(server_pid, store.path, spare=True)
                    b.append(await part_b(browser, url, store, keys, 0.25, f"{prefix}{n}-"))
                ctx.log(f"(c) {sessions} sessions at once")
                await settle(server_pid, store.path, spare=True)
                c = await part_c(browser, url, store, sessions, server_pid, prefix)
        return a, b, c

    async def ends() -> tuple[float, float]:
        with serving(store.path, port, True) as server_pid:
            ctx.log("(d) browser killed")
            d = await part_d(url, store, server_pid, executable, prefix)
            ctx.log("(e) browser silent")
            e = await part_e(url, store, server_pid, prefix)
        return d, e

    try:
        a, b, c = asyncio.run(measure())
        d, e = asyncio.run(ends())
    finally:
        labels, tokens = forget(store, prefix)
        ctx.log(f"removed {labels} labels and {tokens} login tokens of {prefix}*")
        store.close()

    every_key = [x for r in b for x in r]
    rss = [s["VmRSS"] for s in c["sessions"]]
    pss = [s["Pss"] for s in c["sessions"]]
    hwm = [s["VmHWM"] for s in c["sessions"]]
    keys_note = (
        f"one figure per round of {keys} keys (a bucket key every 250 ms, a new reviewer each "
        f"round); over all {len(every_key)} keys: median {benchlib.median(every_key):.1f} ms, "
        f"p95 {benchlib.percentile(every_key, 95):.1f} ms, max {max(every_key, default=0):.1f} "
        "ms. Stamped in the page: a key's `stdin` message sent -> the next binary frame "
        "received (xterm.js's drawing not included). Target: issue 15."
    )
    return [
        benchlib.absolute(
            "`labeler serve`: navigate → first frame (warm spare)",
            [x * 1e3 for x in a["first_frame"]],
            "ms",
            at_most=1000,
            note="a new reviewer in a new browser profile each run, signed in; `Page.navigate` "
            "to `/` -> the first binary WebSocket frame over 10 bytes (DevTools event times). "
            f"The first case's id on screen: median {benchlib.median(a['first_case']) * 1e3:.0f}"
            " ms. Target: issue 15.",
        ),
        benchlib.absolute(
            f"`labeler serve`: key → first frame back, median of {keys} keys",
            [benchlib.median(r) for r in b],
            "ms",
            at_most=50,
            note=keys_note,
        ),
        benchlib.absolute(
            f"`labeler serve`: key → first frame back, p95 of {keys} keys",
            [benchlib.percentile(r, 95) for r in b],
            "ms",
            at_most=100,
            note=keys_note,
        ),
        benchlib.absolute(
            f"`labeler serve`: memory per session (VmRSS, {sessions} sessions at once)",
            rss,
            "MB",
            target="≤ 60 MB each",
            met=bool(rss) and max(rss) <= 60,
            note=f"one figure per session process, after its first screen and 10 keys; PSS "
            f"{min(pss):.1f}-{max(pss):.1f} MB, VmHWM {min(hwm):.1f}-{max(hwm):.1f} MB; the "
            f"server {c['server']['VmRSS']:.1f} MB RSS (the idle warm spare is not counted). "
            "Target: issue 15.",
        ),
        benchlib.absolute(
            "`labeler serve`: browser killed → its session process ended",
            [d],
            "s",
            at_most=30,
            note="Chromium's process group killed with SIGKILL. Target: issue 15.",
        ),
        benchlib.absolute(
            "`labeler serve`: browser silent (no traffic, no pong) → its session process ended",
            [e],
            "s",
            at_most=30,
            note="as behind a dropped network; the default heartbeat. Target: issue 15.",
        ),
    ]


@contextlib.contextmanager
def serving(store_path: Path, port: int, spare: bool) -> Iterator[int]:
    """``labeler serve`` in its own process; yields its pid."""
    labeler = Path(sys.executable).parent / "labeler"
    argv = [str(labeler), "serve", str(store_path), "--port", str(port), "--overlap", "3"]
    argv += ["--order", "import"]  # first_case_id follows import order
    server = subprocess.Popen(
        [*argv, "--warm-spare" if spare else "--no-warm-spare"], stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # until it listens (its imports take a while on a busy machine)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield server.pid
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
