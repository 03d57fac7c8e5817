"""aiohttp clients for ``labeler serve``: sign in, open the screen's socket, press keys."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from conftest import Served


def client(*, verify_tls: bool = True) -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 (aiohttp's default jar ignores IP hosts)."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(ssl=verify_tls),
    )


async def post_login(
    http: aiohttp.ClientSession, served: Served, secret: str, *, origin: str | None = None
) -> aiohttp.ClientResponse:
    """Submit the login form as the browser does (``Origin`` is the server's by default)."""
    response = await http.post(
        f"{served.url}/login",
        data={"token": secret},
        headers={"Origin": origin or served.origin},
        allow_redirects=False,
    )
    await response.read()
    return response


async def sign_in(served: Served, reviewer: str, *, mode: str = "review") -> aiohttp.ClientSession:
    """A client signed in as ``reviewer`` (a new one-time token spent)."""
    http = client()
    response = await post_login(http, served, served.token(reviewer, mode=mode))
    assert response.status == 303, await response.text()
    return http


@dataclass
class Screen:
    """One open session socket; a reader task collects what the app sends."""

    ws: aiohttp.ClientWebSocketResponse
    data: bytearray = field(default_factory=bytearray)
    close_code: int | None = None
    close_reason: str = ""
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    def text(self) -> str:
        """Everything received so far, decoded."""
        return self.data.decode("utf-8", "replace")

    async def wait_for(self, needle: str, timeout: float = 20) -> None:
        """Wait until the app has sent ``needle``."""
        await wait_until(lambda: needle in self.text(), timeout, f"{needle!r} on screen")

    async def press(self, keys: str, *, delay: float = 0.05) -> None:
        """Send keys one by one, as xterm.js does."""
        for key in keys:
            await self.ws.send_str(json.dumps(["stdin", key]))
            await asyncio.sleep(delay)

    async def wait_closed(self, timeout: float = 20) -> None:
        """Wait until the server has closed the socket."""
        await asyncio.wait_for(self.closed.wait(), timeout)

    async def _read(self) -> None:
        while True:
            message = await self.ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                self.data += message.data
            elif message.type == aiohttp.WSMsgType.CLOSE:
                self.close_code = int(message.data)
                self.close_reason = str(message.extra or "")
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                if self.close_code is None:
                    self.close_code = self.ws.close_code
                self.closed.set()
                return


async def open_screen(
    http: aiohttp.ClientSession,
    served: Served,
    *,
    origin: str | None = None,
    autoping: bool = True,
    read: bool = True,
) -> Screen:
    """Open the session socket (``Origin`` is the server's by default) and start reading."""
    ws = await http.ws_connect(
        f"{served.url}/ws?width=120&height=40",
        origin=origin or served.origin,
        autoping=autoping,
    )
    screen = Screen(ws)
    if read:
        screen.reader = asyncio.create_task(screen._read())
    return screen


async def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until it holds, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)


def pid_alive(pid: int | None) -> bool:
    """True while a process of ours with this pid exists and is not a zombie."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def close_quietly(*things: Screen | aiohttp.ClientSession) -> None:
    """Close sockets and clients at the end of a test."""
    for thing in things:
        with contextlib.suppress(Exception):
            if isinstance(thing, Screen):
                await thing.ws.close()
                if thing.reader is not None:
                    await asyncio.wait_for(thing.reader, 10)
            else:
                await thing.close()


def cmdline(pid: int) -> list[str]:
    """The argument vector of a running process."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [part.decode() for part in f.read().split(b"\0") if part]


def environ(pid: int) -> dict[str, str]:
    """The environment of a running process (ours, so readable)."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        pairs = [part.decode("utf-8", "replace") for part in f.read().split(b"\0") if part]
    return dict(p.split("=", 1) for p in pairs if "=" in p)
