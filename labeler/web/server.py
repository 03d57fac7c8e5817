"""``labeler serve``: the review screen in a browser, one app process per reviewer.

Built on textual-serve's pieces (its xterm.js page assets, its process framing and downloads),
with what it lacks for a tool that records who labeled what:

- **Login.** ``/login`` exchanges a one-time token (from ``labeler serve-token``) for a session
  cookie: ``HttpOnly; SameSite=Strict``, ``Secure`` under HTTPS. Every other path but the
  page's own scripts and styles (``/assets``) needs that cookie, or answers 403.
- **Origin.** The WebSocket also needs ``Origin`` equal to the served origin (403 otherwise), so
  another site the reviewer visits cannot drive their session.
- **No shell.** Each session's process is started with an argument vector that holds no name;
  it reads the reviewer from its cookie, checked against the store again.
- **One session per reviewer and screen.** A second tab closes the first, with a message.
  ``--max-sessions`` caps the number of processes.
- **Ends.** A browser that stops answering is dropped by the WebSocket heartbeat and its process
  asked to quit (labels are saved at each key); revoked or expired access closes the session at
  the next check.
- **Nothing off the machine.** The page uses the bundled fonts; its content security policy
  allows only this server; the app's ``open_url`` requests are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import textual_serve
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.download_manager import DownloadManager

from labeler.login_tokens import (
    AccessRefused,
    WebIdentity,
    identify,
    log_in,
    record_session_event,
    utc,
)
from labeler.store.connection import Store
from labeler.store.errors import StoreError
from labeler.text.display import safe_inline
from labeler.web.config import ServeConfig, check_config, cookie_name, origin_of
from labeler.web.pages import index_page, login_page, refusal_page
from labeler.web.session_process import SessionProcess, discard, spawn

CLOSE_REPLACED = 4001
"""WebSocket close code: the same reviewer opened the screen in another tab."""
CLOSE_REVOKED = 4003
"""WebSocket close code: the reviewer's access was revoked or has expired."""
CLOSE_FULL = int(WSCloseCode.TRY_AGAIN_LATER)
"""WebSocket close code: ``--max-sessions`` sessions are running."""
MAX_MESSAGE = 1024 * 1024
"""The largest message a browser may send (a pasted note)."""
PUBLIC_PATHS = ("/login",)
PUBLIC_PREFIXES = ("/assets/",)
IDENTITY = web.RequestKey("identity", WebIdentity)
Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(eq=False)
class LiveSession:
    """One browser tab and its app process."""

    id: str
    identity: WebIdentity
    cookie: str
    websocket: web.WebSocketResponse
    remote: str | None
    started: float = field(default_factory=time.monotonic)
    process: SessionProcess | None = None
    end_reason: str | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def key(self) -> tuple[str, str]:
        """Sessions are unique per reviewer and screen (review or resolve)."""
        return (self.identity.reviewer, self.identity.mode)

    @property
    def who(self) -> str:
        """The reviewer and screen, made safe for the server's log."""
        return f"{safe_inline(self.identity.reviewer, 40)} ({self.identity.mode})"


def child_argv(config: ServeConfig, store_path: Path) -> list[str]:
    """The argument vector of a session's process: no reviewer name, no shell."""
    argv = [sys.executable, "-m", "labeler.cli.web_session", str(store_path.resolve())]
    argv += ["--overlap", str(config.overlap), "--order", config.order]
    for value in config.slices:
        argv += ["--slice", value]
    return argv


def _clamp(value: object, low: int, high: int, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(low, min(high, number))


class WebServer:
    """The aiohttp application of ``labeler serve`` and its live sessions."""

    def __init__(self, config: ServeConfig, store: Store, *, log: Log = _stderr) -> None:
        self.config = config
        self.store = store
        self.log = log
        self.public_url = check_config(config)
        self.origin = origin_of(self.public_url)
        self.prefix = urlsplit(self.public_url).path
        self.secure_cookie = self.public_url.startswith("https:") or config.tls
        self.cookie = cookie_name(self.public_url)
        scheme, rest = self.public_url.split(":", 1)
        self.ws_url = ("wss" if scheme == "https" else "ws") + ":" + rest + "/ws"
        self.ws_origin = self.ws_url.split(":", 1)[0] + self.origin[self.origin.index(":") :]
        self.argv = child_argv(config, store.path)
        self.sessions: dict[tuple[str, str], LiveSession] = {}
        self.download_manager = DownloadManager()
        self._lock = asyncio.Lock()
        self._checker: asyncio.Task[None] | None = None
        self._spare: asyncio.subprocess.Process | None = None
        self._spare_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._static = Path(textual_serve.__file__).resolve().parent / "static"
        self._assets = Path(str(resources.files("labeler.web") / "assets"))

    # ---- the application -------------------------------------------------------------

    def make_app(self) -> web.Application:
        """The aiohttp application (routes, the cookie guard, headers, start and stop)."""
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/login", self.handle_login_page),
                web.post("/login", self.handle_login),
                web.get("/ws", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", self._static, show_index=False),
                web.static("/assets", self._assets, show_index=False),
            ]
        )
        app.on_response_prepare.append(self._headers)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``--tls-cert`` and ``--tls-key`` (TLS 1.2 or later)."""
        if self.config.tls_cert is None or self.config.tls_key is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        return context

    async def start(self) -> web.AppRunner:
        """Listen (for tests and benchmarks); ``await runner.cleanup()`` stops."""
        runner = web.AppRunner(self.make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(
            runner, self.config.host, self.config.port, ssl_context=self.ssl_context()
        )
        await site.start()
        return runner

    def run(self) -> None:
        """Serve until Ctrl+C or SIGTERM; then every session is asked to quit."""
        web.run_app(
            self.make_app(),
            host=self.config.host,
            port=self.config.port,
            ssl_context=self.ssl_context(),
            print=None,
            access_log=None,
            shutdown_timeout=self.config.stop_grace + 5,
        )

    async def _on_startup(self, app: web.Application) -> None:
        self._checker = asyncio.create_task(self._check_access_loop())
        self._refill_spare(delay=0.0)

    async def _on_shutdown(self, app: web.Application) -> None:
        self._stopping = True
        for task in (self._checker, self._spare_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        spare, self._spare = self._spare, None
        await discard(spare)
        sessions = list(self.sessions.values())
        for session in sessions:
            if session.end_reason is None and not session.websocket.closed:
                session.end_reason = "the server stopped"
            await session.websocket.close(
                code=WSCloseCode.GOING_AWAY, message=b"The server stopped. Your labels are saved."
            )
        for session in sessions:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(session.ended.wait(), self.config.stop_grace + 4)

    # ---- access --------------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Every path but the login page and the page assets needs a valid session cookie."""
        path = request.path
        if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
            try:
                identity = await asyncio.to_thread(
                    identify, self.store, request.cookies.get(self.cookie)
                )
            except AccessRefused as exc:
                return self._refuse(str(exc))
            except StoreError as exc:
                return self._refuse(f"the store cannot be read: {exc}", status=503)
            request[IDENTITY] = identity
        return await handler(request)

    def _refuse(self, reason: str, *, status: int = 403) -> web.Response:
        page = refusal_page(reason, assets_url=f"{self.prefix}/assets", home_url=f"{self.prefix}/")
        return web.Response(status=status, text=page, content_type="text/html")

    def _origin_ok(self, request: web.Request) -> bool:
        return request.headers.get("Origin", "").lower() == self.origin

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """Security headers on every response: no framing, no caching of pages, a content
        security policy that allows only this server."""
        static = request.path.startswith(("/static/", "/assets/")) and response.status == 200
        response.headers["Cache-Control"] = "private, max-age=3600" if static else "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = (
            "same-origin"  # "no-referrer" makes a form's Origin "null"
        )
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self'; img-src 'self' data:; connect-src 'self' {self.ws_origin}; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )

    # ---- pages ---------------------------------------------------------------------------

    async def handle_login_page(self, request: web.Request) -> web.Response:
        """The page a login link opens (the secret stays in the link's fragment)."""
        return web.Response(
            text=login_page(assets_url=f"{self.prefix}/assets"), content_type="text/html"
        )

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        """Exchange the one-time token for the session cookie, then open the review."""
        if not self._origin_ok(request):
            return self._refuse("this sign-in did not come from this server's page")
        form = await request.post()
        token = form.get("token")
        if not isinstance(token, str):
            return self._refuse("this login link is not valid: copy the whole link")
        try:
            login = await asyncio.to_thread(
                log_in,
                self.store,
                token,
                current_cookie=request.cookies.get(self.cookie),
                remote=request.remote,
            )
        except AccessRefused as exc:
            return self._refuse(str(exc))
        except StoreError as exc:
            return self._refuse(f"the store cannot be written: {exc}", status=503)
        self.log(
            f"{safe_inline(login.identity.reviewer, 40)} signed in ({login.identity.mode}) "
            f"from {request.remote}"
        )
        response = web.Response(status=303, headers={"Location": f"{self.prefix}/"})
        seconds = int((login.identity.expires_at - utc()).total_seconds())
        response.set_cookie(
            self.cookie,
            login.cookie,
            max_age=max(seconds, 0),
            path=f"{self.prefix}/",
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookie,
        )
        return response

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page that runs the screen in xterm.js."""
        identity = request[IDENTITY]
        title = f"labeler {identity.mode} · {safe_inline(identity.reviewer, 40)}"
        page = index_page(
            title=title,
            static_url=f"{self.prefix}/static",
            assets_url=f"{self.prefix}/assets",
            ws_url=self.ws_url,
            font_size=_clamp(request.query.get("fontsize", "16"), 8, 40, 16),
        )
        return web.Response(text=page, content_type="text/html")

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file the reviewer's own session delivers (others' downloads are not found)."""
        identity = request[IDENTITY]
        key = request.match_info["key"]
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="no such download") from None
        if getattr(meta.app_service, "owner", None) != (identity.reviewer, identity.mode):
            raise web.HTTPNotFound(text="no such download")
        await self._record(identity, "web.download", {"file": meta.file_name})
        response = web.StreamResponse()
        charset = f"; charset={meta.encoding}" if meta.encoding else ""
        response.headers["Content-Type"] = meta.mime_type + charset
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(meta.file_name, safe='')}"
        )
        await response.prepare(request)
        async for chunk in self.download_manager.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    # ---- sessions ------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser tab: check the origin, keep one session per reviewer, run the app."""
        identity = request[IDENTITY]
        if not self._origin_ok(request):
            self.log(
                f"refused a WebSocket for {safe_inline(identity.reviewer, 40)} from origin "
                f"{safe_inline(request.headers.get('Origin', '(none)'), 80)}"
            )
            return web.Response(status=403, text="the page is not from this server")
        websocket = web.WebSocketResponse(heartbeat=self.config.heartbeat, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        cookie = request.cookies.get(self.cookie, "")
        session = LiveSession(uuid.uuid4().hex[:12], identity, cookie, websocket, request.remote)
        async with self._lock:
            old = self.sessions.get(session.key)
            full = old is None and len(self.sessions) >= self.config.max_sessions
            if not full:
                self.sessions[session.key] = session
        if full:
            self.log(f"{session.who}: refused, {self.config.max_sessions} sessions are running")
            await websocket.close(
                code=CLOSE_FULL,
                message=f"The server is at its limit of {self.config.max_sessions} sessions. "
                "Try again later.".encode(),
            )
            return websocket
        try:
            if old is not None:
                await self._replace(old)
            await self._run_session(session, request)
        finally:
            async with self._lock:
                if self.sessions.get(session.key) is session:
                    del self.sessions[session.key]
            session.ended.set()
        return websocket

    async def _replace(self, old: LiveSession) -> None:
        """Close the reviewer's older tab and wait for its process to end (it saves first)."""
        old.end_reason = "replaced by a newer tab"
        self.log(f"{old.who}: a new tab replaces session {old.id}")
        await old.websocket.close(
            code=CLOSE_REPLACED,
            message=b"You opened labeler in another tab or window, so this one was closed. "
            b"Your labels are saved.",
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(old.ended.wait(), self.config.stop_grace + 4)

    async def _run_session(self, session: LiveSession, request: web.Request) -> None:
        websocket = session.websocket
        width = _clamp(request.query.get("width", "80"), 20, 500, 80)
        height = _clamp(request.query.get("height", "24"), 5, 200, 24)
        process = SessionProcess(
            self.argv,
            session.cookie,
            owner=session.key,
            spare=self._take_spare(),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            stop_grace=self.config.stop_grace,
            log=lambda line: self.log(f"{session.who}: {line}"),
        )
        session.process = process
        await process.start(width, height)
        self.log(
            f"{session.who}: session {session.id} started from {session.remote} "
            f"(pid {process.pid}; {len(self.sessions)} running)"
        )
        await self._record(
            session.identity,
            "web.session_start",
            {"session": session.id, "mode": session.identity.mode, "remote": session.remote},
        )
        app_ended_first = False
        try:
            await self._pump(websocket, process)
            app_ended_first = process.app_exited or not process.running
        finally:
            await process.stop()
            reason = session.end_reason or self._why_closed(websocket, process, app_ended_first)
            seconds = round(time.monotonic() - session.started, 1)
            self.log(f"{session.who}: session {session.id} ended after {seconds} s: {reason}")
            await self._record(
                session.identity,
                "web.session_end",
                {
                    "session": session.id,
                    "reason": reason,
                    "seconds": seconds,
                    "exit_code": process.returncode,
                },
            )

    @staticmethod
    def _why_closed(
        websocket: web.WebSocketResponse, process: SessionProcess, app_ended_first: bool
    ) -> str:
        if app_ended_first:
            return f"the app ended (exit code {process.returncode})"
        if isinstance(websocket.exception(), asyncio.TimeoutError | TimeoutError):
            return "the browser stopped answering"
        return "the browser closed the page"

    async def _pump(self, websocket: web.WebSocketResponse, process: SessionProcess) -> None:
        """Relay the browser's messages (keys, resizes, focus) to the app; ignore others."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            data: Any = envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await process.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await process.set_terminal_size(
                    _clamp(data.get("width"), 20, 500, 80), _clamp(data.get("height"), 5, 200, 24)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await process.blur()
            elif kind == "focus":
                await process.focus()

    def _take_spare(self) -> asyncio.subprocess.Process | None:
        """The warm spare process (its imports done), if one is ready; another is started a
        little later, so that it does not compete with this session's first screen."""
        spare, self._spare = self._spare, None
        self._refill_spare(delay=self.config.spare_delay)
        return spare

    def _refill_spare(self, *, delay: float) -> None:
        if not self.config.warm_spare or self._stopping:
            return
        if self._spare_task is not None and not self._spare_task.done():
            return

        async def refill() -> None:
            await asyncio.sleep(delay)
            if self._spare is None and not self._stopping:
                self._spare = await spawn(self.argv)

        self._spare_task = asyncio.create_task(refill())

    async def _check_access_loop(self) -> None:
        """Close the sessions whose access was revoked or has expired."""
        while True:
            await asyncio.sleep(self.config.access_check)
            await self.check_access()

    async def check_access(self) -> None:
        """Check every live session's cookie against the store once."""
        for session in list(self.sessions.values()):
            try:
                await asyncio.to_thread(identify, self.store, session.cookie)
            except AccessRefused as exc:
                session.end_reason = "access revoked or expired"
                reason = safe_inline(str(exc), 100).encode()[:120].decode("utf-8", "ignore")
                await session.websocket.close(code=CLOSE_REVOKED, message=reason.encode())
            except StoreError:
                continue  # a busy store: check again next time

    async def _record(self, identity: WebIdentity, kind: str, detail: dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(record_session_event, self.store, identity, kind, detail)
        except StoreError as exc:
            self.log(f"could not record {kind}: {safe_inline(str(exc), 200)}")
