"""Fixtures for ``labeler serve``: a real server on a loopback port, in the test's event loop,
over a store made the product's way; clients are aiohttp's (``web_helpers``)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("textual_serve", reason="labeler serve needs the web extra")

from labeler.identity import Actor
from labeler.login_tokens import issue_token, parse_duration
from labeler.store import Store, open_store
from labeler.web.config import ServeConfig
from labeler.web.server import WebServer

OPERATOR = Actor(name="operator", account="operator", on_trust=False)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running ``labeler serve`` and the test's own connection to its store."""

    server: WebServer
    store: Store
    runner: Any = None
    logs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The public URL, no trailing slash."""
        return self.server.public_url

    @property
    def origin(self) -> str:
        """The origin a browser sends for the server's pages."""
        return self.server.origin

    def token(self, reviewer: str, *, expires: str = "1h", mode: str = "review") -> str:
        """A fresh one-time login secret for ``reviewer``."""
        issued = issue_token(
            self.store, OPERATOR, reviewer, expires=parse_duration(expires), mode=mode
        )
        return issued.secret

    def labels(self, reviewer: str) -> int:
        """How many labels ``reviewer`` has in the store."""
        return int(
            self.store.query("SELECT count(*) FROM labels WHERE reviewer = ?", (reviewer,))[0][0]
        )


StartServer = Callable[..., Awaitable[Served]]


@pytest.fixture
async def serve(make_store: Callable[..., Store]) -> AsyncIterator[StartServer]:
    """``await serve(store=None, **ServeConfig options)``: a server on a free loopback port.

    Without ``store``, a new one with 20 plain cases. Short timings are the tests' own: the
    heartbeat and the access check are given where a test needs them.
    """
    running: list[tuple[Any, Store]] = []

    async def start(store: Store | None = None, **options: Any) -> Served:
        target = store if store is not None else make_store(n=20, name=f"s{len(running)}.db")
        options.setdefault("port", free_port())
        options.setdefault("stop_grace", 5.0)
        options.setdefault("order", "import")  # case-001 first: the tests wait for it
        config = ServeConfig(store_path=target.path, **options)
        server_store = open_store(target.path)
        served = Served(WebServer(config, server_store), target)
        served.server.log = served.logs.append
        runner = await served.server.start()
        served.runner = runner
        running.append((runner, server_store))
        return served

    yield start
    for runner, server_store in running:
        await runner.cleanup()  # a second cleanup (after a test's own) does nothing
        server_store.close()
