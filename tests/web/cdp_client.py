"""Headless Chromium driven over the DevTools protocol with aiohttp alone (no Playwright).

Chromium starts with every host but loopback unresolvable, so a request off the machine fails
fast and is still seen (``Network.requestWillBeSent``). Used by the browser test and by
``benchmarks/bench_serve.py``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1280,800",
]


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or another Chromium build on the PATH)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Frame:
    """A WebSocket frame the page received, with when it arrived (monotonic seconds)."""

    at: float
    data: bytes
    socket: str = ""
    """The DevTools id of the WebSocket it came on."""
    binary: bool = True
    """False for a text frame (textual-serve's JSON messages, e.g. ``pong``)."""


@dataclass
class Page:
    """One tab, with what it requested and received."""

    ws: aiohttp.ClientWebSocketResponse
    requests: list[str] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    sent: list[Frame] = field(default_factory=list)
    sockets: dict[str, float] = field(default_factory=dict)
    """When each WebSocket of the page was created, by DevTools request id."""
    console: list[str] = field(default_factory=list)
    socket_closed: asyncio.Event = field(default_factory=asyncio.Event)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result."""
        number = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        await self.ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    def received_text(self) -> str:
        """Everything the page's WebSocket received, decoded."""
        return b"".join(f.data for f in self.frames).decode("utf-8", "replace")

    async def wait_for_text(self, needle: str, timeout: float = 15) -> None:
        """Wait until the received frames contain ``needle``."""
        deadline = time.monotonic() + timeout
        while needle not in self.received_text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} never arrived")
            await asyncio.sleep(0.05)

    async def key(
        self, key: str, *, code: str, key_code: int, text: str = "", ctrl: bool = False
    ) -> None:
        """Press and release one key, as a person would."""
        common: dict[str, Any] = {
            "key": key,
            "code": code,
            "windowsVirtualKeyCode": key_code,
            "modifiers": 2 if ctrl else 0,
        }
        down = dict(common, type="keyDown", text=text) if text else dict(common, type="rawKeyDown")
        await self.call("Input.dispatchKeyEvent", **down)
        await self.call("Input.dispatchKeyEvent", **dict(common, type="keyUp"))

    def _on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(str(params["request"]["url"]))
        elif method == "Network.webSocketCreated":
            self.requests.append(str(params["url"]))
            self.sockets[str(params["requestId"])] = time.monotonic()
        elif method == "Network.webSocketFrameReceived":
            response = params["response"]
            payload = str(response.get("payloadData", ""))
            data = base64.b64decode(payload) if response.get("opcode") == 2 else payload.encode()
            binary = response.get("opcode") == 2
            self.frames.append(Frame(time.monotonic(), data, str(params["requestId"]), binary))
        elif method == "Network.webSocketFrameSent":
            payload = str(params["response"].get("payloadData", ""))
            self.sent.append(Frame(time.monotonic(), payload.encode()))
        elif method == "Network.webSocketClosed":
            self.socket_closed.set()
        elif method == "Page.loadEventFired":
            self.loaded.set()
        elif method == "Runtime.consoleAPICalled":
            args = params.get("args", [])
            self.console.append(" ".join(str(a.get("value", a.get("description"))) for a in args))
        elif method == "Log.entryAdded":
            self.console.append(str(params["entry"].get("text")))

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self._waiting.pop(int(data["id"]), None)
                if future is not None and not future.done():
                    future.set_result(data)
            else:
                self._on_event(str(data.get("method")), data.get("params", {}))


@contextlib.asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Browser]:
    """A headless Chromium with a new empty profile, stopped (and its profile removed) after."""
    profile = tempfile.mkdtemp(prefix="labeler-chromium-")
    process = subprocess.Popen(
        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        endpoint = await asyncio.to_thread(_devtools_endpoint, process)
        async with aiohttp.ClientSession() as http:
            yield Browser(http, endpoint, process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_endpoint(process: subprocess.Popen[bytes]) -> str:
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline().decode("utf-8", "replace")
        if not line and process.poll() is not None:
            break
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            return match.group(1)
    raise RuntimeError("Chromium did not start its DevTools endpoint")


@dataclass
class Browser:
    """A running Chromium and its DevTools endpoint."""

    http: aiohttp.ClientSession
    endpoint: str
    process: subprocess.Popen[bytes]

    @contextlib.asynccontextmanager
    async def page(self, *, own_profile: bool = False) -> AsyncIterator[Page]:
        """A new tab with the Network, Page, Runtime and Log domains on; ``own_profile``
        gives it cookies of its own (another person's browser)."""
        async with self.http.ws_connect(self.endpoint, max_msg_size=0) as browser_ws:
            control = Page(browser_ws)
            control._reader = asyncio.create_task(control._read())
            options: dict[str, Any] = {}
            if own_profile:
                context = await control.call("Target.createBrowserContext")
                options["browserContextId"] = context["browserContextId"]
            target = await control.call("Target.createTarget", url="about:blank", **options)
            target_id = target["targetId"]
            base = self.endpoint.split("/devtools/")[0]
            async with self.http.ws_connect(
                f"{base}/devtools/page/{target_id}", max_msg_size=0
            ) as page_ws:
                page = Page(page_ws)
                page._reader = asyncio.create_task(page._read())
                for domain in ("Network", "Page", "Runtime", "Log"):
                    await page.call(f"{domain}.enable")
                try:
                    yield page
                finally:
                    page._reader.cancel()
                    with contextlib.suppress(Exception):
                        await control.call("Target.closeTarget", targetId=target_id)
            control._reader.cancel()
