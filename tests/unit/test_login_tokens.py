"""Login tokens for ``labeler serve`` in the core: hashed, one-time, expiring, revocable; the
actor they give is authenticated by token, and the store migrates to hold them."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.login_tokens import (
    AccessRefused,
    digest,
    identify,
    issue_token,
    list_tokens,
    log_in,
    parse_duration,
    revoke,
)
from labeler.store import Store, open_store
from labeler.store.events import record_event
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

OPERATOR = Actor(name="operator", account="operator", on_trust=False)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _events(store: Store, kind: str) -> list[sqlite3.Row]:
    return store.query("SELECT actor, detail FROM events WHERE kind = ? ORDER BY id", (kind,))


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("12h", 43200), ("7d", 604800), ("2W", 1209600)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "7", "0d", "-1d", "1y", "400d", "7 days", "1e3d"])
def test_bad_durations_are_worded(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_a_token_is_stored_hashed_and_works_once(store: Store) -> None:
    issued = issue_token(store, OPERATOR, "alice", expires=timedelta(days=7), now=T0)
    row = store.query("SELECT * FROM web_tokens")[0]
    assert row["token_sha256"] == digest(issued.secret) and row["reviewer"] == "alice"
    assert issued.secret not in "\n".join(store.conn.iterdump())
    login = log_in(store, issued.secret, remote="10.0.0.1", now=T0 + timedelta(hours=1))
    assert login.identity.reviewer == "alice" and login.identity.mode == "review"
    assert store.query("SELECT cookie_sha256 FROM web_tokens")[0][0] == digest(login.cookie)
    with pytest.raises(AccessRefused, match="already used"):
        log_in(store, issued.secret, now=T0 + timedelta(hours=2))
    # The same browser opening its link again stays signed in; no second login is logged.
    again = log_in(store, issued.secret, current_cookie=login.cookie, now=T0 + timedelta(hours=2))
    assert again.cookie == login.cookie
    assert len(_events(store, "web.login")) == 1
    assert identify(store, login.cookie, now=T0 + timedelta(days=6)).reviewer == "alice"


def test_expiry_bounds_the_link_and_the_cookie(store: Store) -> None:
    issued = issue_token(store, OPERATOR, "alice", expires=timedelta(hours=1), now=T0)
    with pytest.raises(AccessRefused, match="expired"):
        log_in(store, issued.secret, now=T0 + timedelta(hours=1))
    second = issue_token(store, OPERATOR, "bob", expires=timedelta(hours=1), now=T0)
    login = log_in(store, second.secret, now=T0 + timedelta(minutes=30))
    assert identify(store, login.cookie, now=T0 + timedelta(minutes=59)).reviewer == "bob"
    with pytest.raises(AccessRefused, match="expired"):
        identify(store, login.cookie, now=T0 + timedelta(hours=1))


def test_revoking_ends_every_access_of_a_reviewer(store: Store) -> None:
    used = issue_token(store, OPERATOR, "alice", expires=timedelta(days=1), now=T0)
    unused = issue_token(store, OPERATOR, "alice", expires=timedelta(days=1), now=T0)
    other = issue_token(store, OPERATOR, "bob", expires=timedelta(days=1), now=T0)
    cookie = log_in(store, used.secret, now=T0).cookie
    assert revoke(store, OPERATOR, "alice", now=T0) == [used.token_id, unused.token_id]
    assert revoke(store, OPERATOR, "alice", now=T0) == []
    for attempt in (lambda: identify(store, cookie, now=T0), lambda: log_in(store, unused.secret)):
        with pytest.raises(AccessRefused, match="revoked"):
            attempt()
    log_in(store, other.secret, now=T0)
    statuses = {(t.reviewer, t.token_id): t.status for t in list_tokens(store, now=T0)}
    assert statuses == {
        ("alice", used.token_id): "revoked",
        ("alice", unused.token_id): "revoked",
        ("bob", other.token_id): "signed in",
    }
    revoked = _events(store, "web.token_revoke")
    assert json.loads(revoked[0]["detail"])["token_ids"] == [used.token_id, unused.token_id]


@pytest.mark.parametrize("cookie", [None, "", "nope", "x" * 10_000])
def test_no_or_unknown_cookie_is_refused(store: Store, cookie: str | None) -> None:
    with pytest.raises(AccessRefused, match="not signed in"):
        identify(store, cookie)


def test_reviewer_names_follow_the_reviewer_rules(store: Store) -> None:
    for bad in ("", "   ", "a\x1bb", "x" * 65):
        with pytest.raises(ValueError):
            issue_token(store, OPERATOR, bad, expires=timedelta(days=1))
    with pytest.raises(ValueError):
        issue_token(store, OPERATOR, "alice", expires=timedelta(days=1), mode="admin")
    odd = issue_token(store, OPERATOR, " $(touch pwned) ", expires=timedelta(days=1))
    assert odd.reviewer == "$(touch pwned)"


def test_the_actor_of_a_token_is_authenticated_and_every_event_says_so(store: Store) -> None:
    issued = issue_token(store, OPERATOR, "alice", expires=timedelta(days=1))
    actor = identify(store, log_in(store, issued.secret).cookie).actor
    assert actor.name == "alice" and not actor.on_trust and actor.token_id == issued.token_id
    with store.write() as conn:
        record_event(conn, actor, "x.none")
        record_event(conn, actor, "x.dict", detail={"a": 1})
        record_event(conn, actor, "x.list", detail=[1])
        record_event(conn, OPERATOR, "x.operator", detail={"a": 1})
    proof = {"via": "web", "token_id": issued.token_id}
    details = {
        r[0]: json.loads(r[1])
        for r in store.query("SELECT kind, detail FROM events WHERE kind LIKE 'x.%'")
    }
    assert details == {
        "x.none": proof,
        "x.dict": {"a": 1, **proof},
        "x.list": {"detail": [1], **proof},
        "x.operator": {"a": 1},
    }
    login = json.loads(_events(store, "web.login")[0]["detail"])
    assert login == {"remote": None, **proof}


def test_a_version_1_store_migrates_to_hold_tokens(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_store(path) as migrated:
        assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        issue_token(migrated, OPERATOR, "alice", expires=timedelta(days=1))
        event = migrated.query("SELECT detail FROM events WHERE kind = 'store.migrate'")
        assert json.loads(event[-1][0]) == {"from": 1, "to": SCHEMA_VERSION}


def test_serve_token_cli_makes_lists_and_revokes(store: Store, tmp_path: Path) -> None:
    path = str(store.path)
    runner = CliRunner()
    made = runner.invoke(
        main, ["serve-token", path, "--reviewer", "alice", "--expires", "2d", "--resolve"]
    )
    assert made.exit_code == 0, made.output
    link = made.stdout.strip()
    assert link.startswith("http://127.0.0.1:8765/login#token=")
    assert "one-time resolve link for alice" in made.stderr
    secret = link.split("#token=")[1]
    assert log_in(store, secret).identity.mode == "resolve"
    behind = runner.invoke(
        main, ["serve-token", path, "--reviewer", "bob", "--public-url", "https://h.example/x/"]
    )
    assert behind.stdout.startswith("https://h.example/x/login#token=")
    listed = runner.invoke(main, ["serve-token", path, "--list"])
    assert listed.exit_code == 0
    assert "alice" in listed.stdout and "signed in" in listed.stdout and secret not in listed.stdout
    revoked = runner.invoke(main, ["serve-token", path, "--revoke", "alice"])
    assert revoked.exit_code == 0 and "revoked 1 token(s) of alice" in revoked.stderr
    again = runner.invoke(main, ["serve-token", path, "--revoke", "alice"])
    assert again.exit_code == 1 and "no access to revoke" in again.stderr
    for bad in (["--list", "--revoke", "x"], [], ["--reviewer", "a", "--expires", "9y"]):
        result = runner.invoke(main, ["serve-token", path, *bad])
        assert result.exit_code != 0 and "Traceback" not in result.output


def test_serve_refuses_the_network_without_tls(store: Store) -> None:
    result = CliRunner().invoke(main, ["serve", str(store.path), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "plain HTTP to the network" in result.stderr and "Traceback" not in result.output
