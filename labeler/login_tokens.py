"""Who may use ``labeler serve``: one-time login tokens, session cookies, expiry, revocation.

The rules, apart from the web server (which needs aiohttp) so they can be tested and used by
the CLI alone:

- ``issue_token`` makes a random secret for a reviewer; the store keeps only its SHA-256.
- ``log_in`` exchanges that secret, once, for a new random session cookie (stored hashed too).
- ``identify`` turns a cookie into the reviewer it was issued for, unless the token was revoked
  or has expired. The reviewer's :class:`~labeler.identity.Actor` then carries the token's id,
  so every event written in the session says it was authenticated by token, not on trust.
- ``revoke`` ends a reviewer's access; a running server closes their session at its next check.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from labeler.identity import Actor, os_account, resolve_actor
from labeler.store.connection import Store
from labeler.store.events import record_event
from labeler.store.web_tokens import (
    TokenRow,
    all_tokens,
    insert_token,
    mark_used,
    revoke_reviewer,
    token_by_cookie,
    token_by_secret,
)

MODES = ("review", "resolve")
"""The screen a token opens: ``review`` for a reviewer, ``resolve`` for a lead."""
SECRET_BYTES = 32
"""256 bits of randomness in every login token and session cookie."""
MAX_SECRET_CHARS = 200
"""Longer strings are not ours: refused before hashing."""
MAX_EXPIRY = timedelta(days=366)
DEFAULT_EXPIRY = "7d"
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class AccessRefused(Exception):
    """A login or a cookie that gives no access, with a reason worded for the person."""


@dataclass(frozen=True)
class WebIdentity:
    """The reviewer behind a valid session cookie."""

    token_id: int
    reviewer: str
    mode: str
    expires_at: datetime

    @property
    def actor(self) -> Actor:
        """The actor for this reviewer: authenticated by token (``on_trust`` False)."""
        return Actor(
            name=self.reviewer, account=os_account(), on_trust=False, token_id=self.token_id
        )


@dataclass(frozen=True)
class IssuedToken:
    """A new login token; ``secret`` is shown once and never stored."""

    token_id: int
    reviewer: str
    mode: str
    expires_at: datetime
    secret: str


@dataclass(frozen=True)
class Login:
    """A successful login: the cookie to set, and who it is for."""

    identity: WebIdentity
    cookie: str


@dataclass(frozen=True)
class TokenInfo:
    """One token for ``serve-token --list`` (never its secret or digest)."""

    token_id: int
    reviewer: str
    mode: str
    created_at: str
    created_by: str
    expires_at: str
    used_at: str | None
    revoked_at: str | None
    status: str
    """``unused``, ``signed in``, ``expired`` or ``revoked``."""


def new_secret() -> str:
    """A fresh URL-safe random secret (256 bits)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """The SHA-256 of a secret, as stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def utc(moment: datetime | None = None) -> datetime:
    """``moment`` (default: now) as an aware UTC datetime."""
    return (moment or datetime.now(UTC)).astimezone(UTC)


def iso(moment: datetime) -> str:
    """A datetime in the store's format, e.g. ``2026-11-26T11:46:34.123Z``."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text: str) -> datetime:
    """A timestamp written by :func:`iso` (or ``labeler.clock.utc_now``)."""
    return datetime.fromisoformat(text).astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``7d`` or ``2w`` as a duration (at most a year)."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw])\s*", text.lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration: write e.g. 30m, 12h, 7d or 2w")
    duration = timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    if duration <= timedelta(0):
        raise ValueError("the duration must be longer than zero")
    if duration > MAX_EXPIRY:
        raise ValueError("a token may last at most 366 days")
    return duration


def check_reviewer_name(name: str) -> str:
    """The reviewer name as it will be recorded; ValueError if it is empty, too long or has
    control characters (the same rules as ``--reviewer``)."""
    return resolve_actor(name, environ={}).name


def issue_token(
    store: Store,
    actor: Actor,
    reviewer: str,
    *,
    expires: timedelta,
    mode: str = "review",
    now: datetime | None = None,
) -> IssuedToken:
    """Make a login token for ``reviewer`` valid for ``expires``; logged as ``web.token_create``."""
    if mode not in MODES:
        raise ValueError(f"the mode must be one of {', '.join(MODES)}")
    name = check_reviewer_name(reviewer)
    moment = utc(now)
    until = moment + expires
    secret = new_secret()
    with store.write() as conn:
        token_id = insert_token(
            conn,
            reviewer=name,
            mode=mode,
            token_sha256=digest(secret),
            created_at=iso(moment),
            created_by=actor.name,
            expires_at=iso(until),
        )
        record_event(
            conn,
            actor,
            "web.token_create",
            at=iso(moment),
            detail={"token_id": token_id, "reviewer": name, "mode": mode, "expires_at": iso(until)},
        )
    return IssuedToken(token_id, name, mode, until, secret)


def _identity(row: TokenRow) -> WebIdentity:
    return WebIdentity(row.id, row.reviewer, row.mode, parse_iso(row.expires_at))


def _refuse_if_closed(row: TokenRow, moment: datetime) -> None:
    if row.revoked_at is not None:
        raise AccessRefused(
            "this access was revoked; ask the person running labeler serve for a new login link"
        )
    if parse_iso(row.expires_at) <= moment:
        raise AccessRefused(
            f"this access expired on {row.expires_at[:16].replace('T', ' ')} UTC; "
            "ask for a new login link"
        )


def log_in(
    store: Store,
    secret: str,
    *,
    current_cookie: str | None = None,
    remote: str | None = None,
    now: datetime | None = None,
) -> Login:
    """Exchange a login secret, once, for a session cookie; logged as ``web.login``.

    A second use of the same link is refused, unless ``current_cookie`` is the cookie it was
    already exchanged for (the person opened their link again): then that login stands.
    """
    moment = utc(now)
    if not secret or len(secret) > MAX_SECRET_CHARS:
        raise AccessRefused("this login link is not valid: copy the whole link")
    wanted = digest(secret)
    with store.write() as conn:
        row = token_by_secret(conn, wanted)
        if row is None:
            raise AccessRefused(
                "this login link is not valid (mistyped, or made for another store)"
            )
        _refuse_if_closed(row, moment)
        if row.used_at is not None:
            if (
                current_cookie
                and len(current_cookie) <= MAX_SECRET_CHARS
                and row.cookie_sha256 is not None
                and secrets.compare_digest(digest(current_cookie), row.cookie_sha256)
            ):
                return Login(_identity(row), current_cookie)
            raise AccessRefused(
                "this login link was already used (each link works once); "
                "ask for a new one with labeler serve-token"
            )
        cookie = new_secret()
        if not mark_used(conn, row.id, digest(cookie), iso(moment)):
            raise AccessRefused("this login link was already used (each link works once)")
        identity = _identity(row)
        record_event(conn, identity.actor, "web.login", at=iso(moment), detail={"remote": remote})
    return Login(identity, cookie)


def identify(store: Store, cookie: str | None, *, now: datetime | None = None) -> WebIdentity:
    """The reviewer a session cookie belongs to; AccessRefused if none, revoked or expired."""
    if not cookie or len(cookie) > MAX_SECRET_CHARS:
        raise AccessRefused(
            "not signed in: open the login link you were given (labeler serve-token makes one)"
        )
    with store.snapshot() as conn:
        row = token_by_cookie(conn, digest(cookie))
    if row is None:
        raise AccessRefused(
            "not signed in (or signed in to another store): open the login link you were given"
        )
    _refuse_if_closed(row, utc(now))
    return _identity(row)


def revoke(store: Store, actor: Actor, reviewer: str, *, now: datetime | None = None) -> list[int]:
    """Revoke every token of ``reviewer``; returns their ids (empty if none was open)."""
    moment = iso(utc(now))
    with store.write() as conn:
        ids = revoke_reviewer(conn, reviewer, moment)
        if ids:
            record_event(
                conn,
                actor,
                "web.token_revoke",
                at=moment,
                detail={"reviewer": reviewer, "token_ids": ids},
            )
    return ids


def list_tokens(store: Store, *, now: datetime | None = None) -> list[TokenInfo]:
    """Every token with its status, oldest first."""
    moment = utc(now)
    with store.snapshot() as conn:
        rows = all_tokens(conn)
    infos = []
    for r in rows:
        if r.revoked_at is not None:
            status = "revoked"
        elif parse_iso(r.expires_at) <= moment:
            status = "expired"
        elif r.used_at is not None:
            status = "signed in"
        else:
            status = "unused"
        infos.append(
            TokenInfo(
                r.id,
                r.reviewer,
                r.mode,
                r.created_at,
                r.created_by,
                r.expires_at,
                r.used_at,
                r.revoked_at,
                status,
            )
        )
    return infos


def record_session_event(store: Store, identity: WebIdentity, kind: str, detail: Any) -> None:
    """Log ``web.session_start`` or ``web.session_end`` under the session's reviewer."""
    with store.write() as conn:
        record_event(conn, identity.actor, kind, detail=detail)
