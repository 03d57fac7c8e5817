"""SQL for the ``web_tokens`` table: the login tokens of ``labeler serve``, stored hashed.

Only SHA-256 digests are kept: of the one-time login token, and of the session cookie it was
exchanged for. The callers (:mod:`labeler.login_tokens`) own the rules; this module only reads
and writes rows, inside the caller's transaction where it writes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_COLUMNS = (
    "id, reviewer, mode, token_sha256, cookie_sha256, created_at, created_by, expires_at,"
    " used_at, revoked_at"
)


@dataclass(frozen=True)
class TokenRow:
    """One login token as stored."""

    id: int
    reviewer: str
    mode: str
    token_sha256: str
    cookie_sha256: str | None
    created_at: str
    created_by: str
    expires_at: str
    used_at: str | None
    revoked_at: str | None


def _row(row: sqlite3.Row | tuple[object, ...] | None) -> TokenRow | None:
    if row is None:
        return None
    values = tuple(row)
    return TokenRow(
        id=int(str(values[0])),
        reviewer=str(values[1]),
        mode=str(values[2]),
        token_sha256=str(values[3]),
        cookie_sha256=None if values[4] is None else str(values[4]),
        created_at=str(values[5]),
        created_by=str(values[6]),
        expires_at=str(values[7]),
        used_at=None if values[8] is None else str(values[8]),
        revoked_at=None if values[9] is None else str(values[9]),
    )


def insert_token(
    conn: sqlite3.Connection,
    *,
    reviewer: str,
    mode: str,
    token_sha256: str,
    created_at: str,
    created_by: str,
    expires_at: str,
) -> int:
    """Add a token; returns its id."""
    cursor = conn.execute(
        "INSERT INTO web_tokens (reviewer, mode, token_sha256, created_at, created_by,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (reviewer, mode, token_sha256, created_at, created_by, expires_at),
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def token_by_secret(conn: sqlite3.Connection, token_sha256: str) -> TokenRow | None:
    """The token whose login secret has this digest."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM web_tokens WHERE token_sha256 = ?", (token_sha256,)
    ).fetchone()
    return _row(row)


def token_by_cookie(conn: sqlite3.Connection, cookie_sha256: str) -> TokenRow | None:
    """The token whose session cookie has this digest."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM web_tokens WHERE cookie_sha256 = ?", (cookie_sha256,)
    ).fetchone()
    return _row(row)


def mark_used(conn: sqlite3.Connection, token_id: int, cookie_sha256: str, used_at: str) -> bool:
    """Exchange an unused token for a cookie; False if it was used meanwhile."""
    cursor = conn.execute(
        "UPDATE web_tokens SET used_at = ?, cookie_sha256 = ? WHERE id = ? AND used_at IS NULL",
        (used_at, cookie_sha256, token_id),
    )
    return cursor.rowcount == 1


def revoke_reviewer(conn: sqlite3.Connection, reviewer: str, revoked_at: str) -> list[int]:
    """Revoke every token of the reviewer not yet revoked; returns their ids."""
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM web_tokens WHERE reviewer = ? AND revoked_at IS NULL ORDER BY id",
            (reviewer,),
        )
    ]
    conn.execute(
        "UPDATE web_tokens SET revoked_at = ? WHERE reviewer = ? AND revoked_at IS NULL",
        (revoked_at, reviewer),
    )
    return ids


def all_tokens(conn: sqlite3.Connection) -> list[TokenRow]:
    """Every token, oldest first."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM web_tokens ORDER BY id").fetchall()
    return [r for r in (_row(row) for row in rows) if r is not None]
