"""``labeler serve`` sessions: keys give labels under the token's reviewer, no shell ever runs,
one session per reviewer, ``--max-sessions`` holds, vanished browsers and quits end cleanly.

Browser-free: aiohttp's WebSocket client speaks textual-serve's protocol (``["stdin", "1"]``).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from conftest import StartServer
from web_helpers import (
    close_quietly,
    cmdline,
    environ,
    open_screen,
    pid_alive,
    sign_in,
    wait_until,
)

from labeler.identity import os_account
from labeler.web.config import HEARTBEAT_S, STOP_GRACE_S
from labeler.web.server import CLOSE_FULL, CLOSE_REPLACED


def _events(served_store: object, kind: str) -> list[tuple[str, str, dict[str, object]]]:
    rows = served_store.query(  # type: ignore[attr-defined]
        "SELECT actor, account, detail FROM events WHERE kind = ? ORDER BY id", (kind,)
    )
    return [(r[0], r[1], json.loads(r[2]) if r[2] else {}) for r in rows]


async def test_keys_over_the_socket_give_labels_under_the_tokens_reviewer(
    serve: StartServer,
) -> None:
    served = await serve()
    http = await sign_in(served, "carol")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-001")
        await screen.press("1213")
        await wait_until(lambda: served.labels("carol") == 4, 15, "4 labels by carol")
        rows = served.store.query(
            "SELECT c.case_id, l.bucket, l.account FROM labels l JOIN cases c ON c.seq = l.case_seq"
            " WHERE l.reviewer = 'carol' ORDER BY c.seq"
        )
        assert [r[0] for r in rows] == ["case-001", "case-002", "case-003", "case-004"]
        assert {r[2] for r in rows} == {os_account()}  # the server's OS account, as always
        token_id = served.store.query("SELECT id FROM web_tokens WHERE reviewer = 'carol'")[0][0]
        created = _events(served.store, "label.create")
        assert len(created) == 4
        for actor, _account, detail in created:
            assert actor == "carol"
            assert detail == {"via": "web", "token_id": token_id}  # authenticated, not on trust
        assert [e[0] for e in _events(served.store, "web.login")] == ["carol"]
        starts = _events(served.store, "web.session_start")
        assert starts[0][0] == "carol" and starts[0][2]["mode"] == "review"
    finally:
        await close_quietly(screen, http)
    await wait_until(
        lambda: len(_events(served.store, "web.session_end")) == 1, 15, "web.session_end"
    )
    end = _events(served.store, "web.session_end")[0]
    assert end[0] == "carol" and end[2]["reason"] == "the browser closed the page"


@pytest.mark.parametrize("name", ["$(touch pwned)", "`touch pwned`; touch pwned2 #", "a'b\"c"])
async def test_a_reviewer_name_never_reaches_a_shell(
    serve: StartServer, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the server's and so the session's working folder

    async def no_shell(*args: object, **kwargs: object) -> None:
        raise AssertionError("a shell was started")

    monkeypatch.setattr(asyncio, "create_subprocess_shell", no_shell)
    served = await serve()
    http = await sign_in(served, name)
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-001")
        session = next(iter(served.server.sessions.values()))
        assert session.process is not None and session.process.pid is not None
        argv = cmdline(session.process.pid)
        env = environ(session.process.pid)
        assert argv[1:3] == ["-m", "labeler.cli.web_session"]
        assert not any("touch" in part or name in part for part in argv)
        added = {k: v for k, v in env.items() if os.environ.get(k) != v}  # by the server
        assert "TEXTUAL_DRIVER" in added
        assert not any(name in value for value in added.values())
        assert "LABELER_REVIEWER" not in env
        assert not any(session.cookie in value for value in [*argv, *env.values()])
        await screen.press("22")
        await wait_until(lambda: served.labels(name) == 2, 15, "2 labels under the odd name")
    finally:
        await close_quietly(screen, http)
    assert sorted(os.listdir(tmp_path)) == sorted(
        p for p in os.listdir(tmp_path) if not p.startswith("pwned")
    )
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_the_session_argv_holds_no_name_and_the_child_refuses_a_terminal(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from labeler.web.config import ServeConfig
    from labeler.web.server import child_argv

    config = ServeConfig(store_path=tmp_path / "s.db", overlap=3, slices=("length=long",))
    argv = child_argv(config, config.store_path)
    assert argv == [
        sys.executable,
        "-m",
        "labeler.cli.web_session",
        str((tmp_path / "s.db").resolve()),
        "--overlap",
        "3",
        "--order",
        "random",  # as labeler review: the store's random order unless told otherwise
        "--slice",
        "length=long",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    done = subprocess.run(
        argv[:4], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1 and "only under labeler serve" in done.stderr


async def test_the_queue_walks_the_stores_random_order_by_default(serve: StartServer) -> None:
    served = await serve(order="random")
    http = await sign_in(served, "ivy")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-0")
        await screen.press("11")
        await wait_until(lambda: served.labels("ivy") == 2, 15, "2 labels in random order")
    finally:
        await close_quietly(screen, http)


async def test_a_second_tab_of_the_same_reviewer_closes_the_first(serve: StartServer) -> None:
    served = await serve()
    first_http = await sign_in(served, "dana")
    first = await open_screen(first_http, served)
    second_http = await sign_in(served, "dana")  # another browser of the same person
    second = None
    try:
        await first.wait_for("case-001")
        old = served.server.sessions[("dana", "review")]
        assert old.process is not None
        old_pid = old.process.pid
        second = await open_screen(second_http, served)
        await first.wait_closed(timeout=15)
        assert first.close_code == CLOSE_REPLACED
        assert "another tab" in first.close_reason and "labels are saved" in first.close_reason
        await second.wait_for("case-001")
        assert not pid_alive(old_pid)  # the new app starts once the old one has quit
        assert len(served.server.sessions) == 1
        await second.press("3")
        await wait_until(lambda: served.labels("dana") == 1, 15, "a label from the new tab")
        ends = _events(served.store, "web.session_end")
        assert ends[0][2]["reason"] == "replaced by a newer tab"
    finally:
        await close_quietly(*(s for s in (first, second) if s is not None))
        await close_quietly(first_http, second_http)


async def test_max_sessions_holds(serve: StartServer) -> None:
    served = await serve(max_sessions=2)
    clients = [await sign_in(served, name) for name in ("a1", "a2", "a3")]
    screens = []
    try:
        for http in clients[:2]:
            screens.append(await open_screen(http, served))
        for screen in screens:
            await screen.wait_for("case-001")
        refused = await open_screen(clients[2], served)
        screens.append(refused)
        await refused.wait_closed(timeout=10)
        assert refused.close_code == CLOSE_FULL and "limit of 2 sessions" in refused.close_reason
        assert refused.data == b""  # no app was started for it
        assert sorted(served.server.sessions) == [("a1", "review"), ("a2", "review")]
        # A reviewer who has a session may still replace it at the limit.
        again = await open_screen(clients[0], served)
        screens.append(again)
        await again.wait_for("case-001")
        assert len(served.server.sessions) == 2
        # Once one leaves, the third gets in.
        await screens[1].ws.close()
        await wait_until(lambda: len(served.server.sessions) == 1, 15, "a session to end")
        third = await open_screen(clients[2], served)
        screens.append(third)
        await third.wait_for("case-001")
    finally:
        await close_quietly(*screens)
        await close_quietly(*clients)


async def test_a_vanished_browser_ends_its_session(serve: StartServer) -> None:
    # The defaults bound the time for a browser that disappears: 30 s.
    assert 1.5 * HEARTBEAT_S + STOP_GRACE_S + 2 <= 30
    served = await serve(heartbeat=0.6, stop_grace=2.0)
    http = await sign_in(served, "eve")
    screen = await open_screen(http, served, autoping=False)  # never answers a ping

    async def keep_alive() -> None:  # traffic holds off the ping until the browser vanishes
        while True:
            await screen.ws.send_str('["ping", "x"]')
            await asyncio.sleep(0.1)

    alive = asyncio.create_task(keep_alive())
    try:
        await screen.wait_for("case-001")
        await screen.press("4")
        await wait_until(lambda: served.labels("eve") == 1, 15, "eve's label")
        alive.cancel()  # the browser is gone: no traffic, no answer to pings
        session = served.server.sessions[("eve", "review")]
        assert session.process is not None
        pid = session.process.pid
        await wait_until(lambda: not served.server.sessions, 10, "the session to end")
        assert not pid_alive(pid)
        end = _events(served.store, "web.session_end")[0]
        assert end[2]["reason"] == "the browser stopped answering"
        assert served.labels("eve") == 1  # saved at the key
    finally:
        alive.cancel()
        await close_quietly(screen, http)


async def test_quitting_the_app_closes_the_page(serve: StartServer) -> None:
    served = await serve()
    http = await sign_in(served, "finn")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-001")
        await screen.press("5q")
        await screen.wait_closed(timeout=15)
        assert served.labels("finn") == 1
        await wait_until(
            lambda: len(_events(served.store, "web.session_end")) == 1, 15, "web.session_end"
        )
        end = _events(served.store, "web.session_end")[0][2]
        assert end["reason"] == "the app ended (exit code 0)" and end["exit_code"] == 0
    finally:
        await close_quietly(screen, http)


async def test_a_lead_token_opens_the_resolve_screen(serve: StartServer) -> None:
    from labeler.cases import find_case_seq
    from labeler.identity import Actor
    from labeler.labels import set_label

    served = await serve()
    seq = find_case_seq(served.store, "case-001")
    assert seq is not None
    for name, bucket in (("r1", "wrong_intent"), ("r2", "bad_extraction")):
        set_label(served.store, seq, Actor(name, name, True), bucket, expected_version=None)
    http = await sign_in(served, "lead", mode="resolve")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("resolve")
        await screen.wait_for("case-001")
        await screen.press("a")
        await wait_until(
            lambda: bool(served.store.query("SELECT 1 FROM resolutions WHERE resolver = 'lead'")),
            15,
            "the lead's resolution",
        )
        detail = _events(served.store, "resolution.create")[0][2]
        assert detail["via"] == "web"
    finally:
        await close_quietly(screen, http)


async def test_a_warm_spare_serves_the_next_tab_and_is_stopped_with_the_server(
    serve: StartServer,
) -> None:
    served = await serve(spare_delay=0.2)
    server = served.server
    await wait_until(lambda: server._spare is not None, 20, "the warm spare")
    assert server._spare is not None
    spare_pid = server._spare.pid
    assert not any("case-" in part for part in cmdline(spare_pid))
    http = await sign_in(served, "hana")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-001")
        session = server.sessions[("hana", "review")]
        assert session.process is not None and session.process.pid == spare_pid
        await wait_until(lambda: server._spare is not None, 20, "the next spare")
        assert server._spare is not None
        next_pid = server._spare.pid
        await screen.press("6")
        await wait_until(lambda: served.labels("hana") == 1, 15, "hana's label")
    finally:
        await close_quietly(screen, http)
    await served.runner.cleanup()
    assert not pid_alive(next_pid) and not pid_alive(spare_pid)


def test_no_action_needs_a_key_the_browser_keeps() -> None:
    """Ctrl+W, Ctrl+T and Ctrl+N close or open browser tabs and windows: never bound."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import labeler.tui

    for module in pkgutil.iter_modules(labeler.tui.__path__):
        importlib.import_module(f"labeler.tui.{module.name}")
    reserved = {"ctrl+w", "ctrl+t", "ctrl+n"}

    def subclasses(cls: type[DOMNode]) -> list[type[DOMNode]]:
        found: list[type[DOMNode]] = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    checked = 0
    for cls in subclasses(DOMNode):
        if not cls.__module__.startswith("labeler."):
            continue
        for binding in getattr(cls, "BINDINGS", []):
            keys = binding.key if isinstance(binding, Binding) else binding[0]
            for key in str(keys).split(","):
                assert key.strip().lower() not in reserved, (cls.__name__, key)
            checked += 1
    assert checked > 20
