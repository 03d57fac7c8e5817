"""One browser session's app process: started with an argument vector, never through a shell.

textual-serve's ``AppService`` starts ``asyncio.create_subprocess_shell(command)``: a reviewer's
name in that string would be a shell injection. :class:`SessionProcess` keeps its framing
protocol (``send_bytes``, ``send_meta``, ``on_data``...) and replaces the rest:

- the process is started with ``create_subprocess_exec`` and an argument vector that holds no
  reviewer name at all: the child learns who it serves from the session cookie, sent as the
  first line of its stdin and checked against the store (:mod:`labeler.cli.web_session`). So one can
  be started ahead of need (a warm spare: the imports are done when a browser tab comes);
- ``open_url`` requests from the app are dropped (no page may be sent off the machine);
- stopping waits a few seconds for the app to save and quit, then terminates it, then kills it;
- when the process ends by itself (the reviewer pressed ``q``, or it failed) the browser socket
  is closed, and what the process wrote on stderr is logged made safe, line by line.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib.metadata import version

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from labeler.text.display import safe_inline

STDERR_CAP = 64 * 1024
"""At most this much of a session's stderr is kept for the log."""
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
MAX_HELLO = 4096
"""The first line a session process reads on stdin is at most this long."""


def child_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of a session process: the server's, without any reviewer name or
    Textual setting of its own, plus the web driver's settings (the size comes in the hello)."""
    env = {
        key: value
        for key, value in base.items()
        if key != "LABELER_REVIEWER" and not key.startswith(("TEXTUAL", "LABELER_WEB_"))
    }
    env.update(
        {
            "TEXTUAL_DRIVER": WEB_DRIVER,
            "TEXTUAL_FPS": "60",
            "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "TERM_PROGRAM": "textual",
            "TERM_PROGRAM_VERSION": version("textual-serve"),
        }
    )
    return env


async def spawn(argv: Sequence[str]) -> asyncio.subprocess.Process:
    """Start a session process. It imports the app, then waits for its hello on stdin, so one
    can be started ahead of need (a warm spare) and handed to the next browser tab."""
    return await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=child_environment(os.environ),
        start_new_session=True,  # Ctrl+C in the server's terminal is the server's to handle
    )


def hello_line(cookie: str, width: int, height: int) -> bytes:
    """The first line a session process reads: who it serves (the cookie, checked against the
    store by the process) and the terminal size. Never in its argv or environment."""
    line = json.dumps({"cookie": cookie, "width": width, "height": height}).encode() + b"\n"
    assert len(line) <= MAX_HELLO
    return line


async def discard(process: asyncio.subprocess.Process | None) -> None:
    """End a spare that was never used: its stdin closes (it exits), then it is killed."""
    if process is None or process.returncode is not None:
        return
    if process.stdin is not None:
        process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), 3)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


class SessionProcess(AppService):
    """The app process behind one browser tab."""

    def __init__(
        self,
        argv: Sequence[str],
        cookie: str,
        *,
        owner: object,
        spare: asyncio.subprocess.Process | None = None,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        download_manager: DownloadManager,
        stop_grace: float = 5.0,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        async def close_socket() -> None:
            await close()

        super().__init__(
            " ".join(argv),  # only for textual-serve's own messages; never run
            write_bytes=write_bytes,
            write_str=write_str,
            close=close_socket,
            download_manager=download_manager,
        )
        self.argv = list(argv)
        self.cookie = cookie
        self.spare = spare
        """A process started ahead of need, used instead of starting one (if still alive)."""
        self.owner = owner
        """Who this session belongs to (downloads are served to that reviewer only)."""
        self.stop_grace = stop_grace
        self.log = log
        self.returncode: int | None = None
        self.app_exited = False
        """True once the app said it is ending (the reviewer quit, or it failed)."""
        self.started = asyncio.Event()
        """Set once the app has written its first frame prelude."""

    @property
    def pid(self) -> int | None:
        """The process id, once started."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """True while the process has not exited."""
        return self._process is not None and self._process.returncode is None

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        process = self.spare
        self.spare = None
        if process is None or process.returncode is not None:
            process = await spawn(self.argv)
        self._process = process
        assert process.stdin is not None
        self._stdin = process.stdin
        process.stdin.write(hello_line(self.cookie, width, height))
        with contextlib.suppress(ConnectionError):
            await process.stdin.drain()
        return process

    async def start(self, width: int, height: int) -> None:
        """Start the process and relay its output until it ends, then close the socket."""
        await self._open_app_process(width, height)
        self._task = asyncio.create_task(self._relay())

    async def _relay(self) -> None:
        try:
            await self.run()
        finally:
            if self._process is not None:
                with contextlib.suppress(Exception):
                    self.returncode = await self._process.wait()
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def wait(self) -> None:
        """Wait until the process has ended and its output is relayed."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Ask the app to quit (it saves what is pending); terminate it after ``stop_grace``
        seconds, kill it two seconds later."""
        task = self._task
        if task is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if self.running:
            await self.send_meta({"type": "quit"})
        done, _ = await asyncio.wait({task}, timeout=self.stop_grace)
        process = self._process
        if not done and process is not None and process.returncode is None:
            self.log("the session did not quit in time: terminating it")
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            done, _ = await asyncio.wait({task}, timeout=2.0)
            if not done and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run(self) -> None:
        """Relay the process's packets to the browser (textual-serve's loop, with the stderr
        of the process kept for the log instead of written raw to the server's terminal)."""
        assert self._process is not None
        process = self._process
        stdout, stderr = process.stdout, process.stderr
        assert stdout is not None and stderr is not None
        stderr_data = io.BytesIO()

        async def read_stderr() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                while data := await stderr.read(4096):
                    if stderr_data.tell() < STDERR_CAP:
                        stderr_data.write(data[: STDERR_CAP - stderr_data.tell()])

        stderr_task = asyncio.create_task(read_stderr())
        try:
            for _ in range(10):
                line = await stdout.readline()
                if not line:
                    break
                if line == b"__GANGLION__\n":
                    self.started.set()
                    break
            if not self.started.is_set():
                self.log("the session's app did not start")
            read = stdout.readexactly
            while True:
                kind = await read(1)
                size = int.from_bytes(await read(4), "big")
                payload = await read(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
                elif kind == b"P":
                    await self.on_packed(payload)
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stderr_task, timeout=2.0)
            stderr_task.cancel()
        output = stderr_data.getvalue().decode("utf-8", "replace")
        for text in output.splitlines()[-20:]:
            if text.strip():
                self.log("  | " + safe_inline(text, 300))

    async def on_meta(self, data: bytes) -> None:
        """Packets from the app: ``open_url`` is dropped, the rest as textual-serve does."""
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if isinstance(meta, dict) and meta.get("type") == "open_url":
            self.log("the app asked the browser to open a URL: refused")
            return
        if isinstance(meta, dict) and meta.get("type") == "exit":
            self.app_exited = True
        await super().on_meta(data)
