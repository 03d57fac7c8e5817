"""The open store: one SQLite connection with the pragmas, transactions and checks we rely on.

Write transactions start with ``BEGIN IMMEDIATE`` (a plain ``BEGIN`` that later writes fails at
once with "database is locked", whatever the busy timeout). The connection is in autocommit mode
and every write goes through :meth:`Store.write`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from labeler.identity import Actor
from labeler.store.errors import (
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreIOError,
    StorePermission,
    StoreWalLost,
)
from labeler.store.events import record_event
from labeler.store.opening import (
    can_write,
    check_header,
    check_path,
    check_writable,
    describe_foreign_file,
    make_group_writable,
    permission_message,
    read_header,
    shm_path,
    shown,
    wal_path,
)
from labeler.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrations

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000

# SQLite's result codes (https://www.sqlite.org/rescode.html).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
SQLITE_READONLY_DBMOVED = SQLITE_READONLY | (4 << 8)


class Store:
    """An open labeler store. Create with :func:`open_store` or :func:`create_store`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, read_only: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.read_only = read_only
        """True when this user may only read the store: writes fail with StorePermission."""
        self._lock = threading.RLock()
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        self._wal = str(journal).lower() == "wal"

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection as a sqlite-utils Database (imported on first use)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on error.

        After the commit, the store's ``-wal`` file must still exist: while a connection is
        open SQLite never deletes it, so its absence means another program removed it and the
        write just made is not durable (it is reported, never shown as saved).
        """
        if self.read_only:
            raise StorePermission(permission_message(self.path, want_write=True, store=self.path))
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise translate_error(exc, self.path) from None
                raise
            if self._wal and not wal_path(self.path).exists():
                raise StoreWalLost(
                    f"{shown(wal_path(self.path))} disappeared while labeler had the store "
                    "open: another program deleted it, and the last write may not be in the "
                    "store. Stop every labeler on this store, run `labeler check STORE`, and "
                    "compare `labeler log STORE` with what you labeled."
                )

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same state of the store."""
        with self._lock:
            try:
                self.conn.execute("BEGIN")
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path) from None
            try:
                yield self.conn
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path) from None
            finally:
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path) from None

    def data_version(self) -> int:
        """A number that changes when another connection commits (``PRAGMA data_version``)."""
        return int(self.query("PRAGMA data_version")[0][0])

    def set_busy_timeout(self, milliseconds: int) -> None:
        """How long this connection waits for another process's write lock."""
        with self._lock:
            self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A store-wide setting, or ``default``."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """Turn a SQLite error into one that tells the user what happened and what to do.

    Decided by SQLite's error code, not its wording. A full disk and an I/O error are never
    called "damaged": restoring a backup over a store whose WAL holds saved labels loses them.
    """
    code = int(getattr(exc, "sqlite_errorcode", -1) or -1)
    primary = code & 0xFF if code >= 0 else -1
    text = str(exc).lower()
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or (primary < 0 and "locked" in text):
        return StoreBusy(
            f"{shown(path)} is busy: another process held the write lock for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s (a large import?). Try again in a moment."
        )
    if code == SQLITE_READONLY_DBMOVED:
        return StoreWalLost(
            f"{shown(path)} was moved or deleted while labeler had it open; nothing more can "
            "be saved to it. Put the file back (or reopen the store where it is now)."
        )
    if primary == SQLITE_READONLY or (primary < 0 and "readonly" in text):
        return StorePermission(permission_message(path, want_write=True, store=path))
    if primary == SQLITE_FULL or _disk_is_full(path):
        return StoreFull(
            f"the disk holding {shown(path)} is full ({exc}); free some space and try again. "
            "Nothing was lost: the store is unchanged by the write that failed."
        )
    if primary == SQLITE_IOERR:
        return StoreIOError(
            f"reading or writing {shown(path)} failed ({exc}): the disk, the network share or "
            f"the store's -wal file ({shown(wal_path(path))}) is in trouble. Do not replace the "
            "store from a backup before checking: its -wal file may hold saved labels. "
            "Run `labeler check STORE` once the disk is back."
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text:
        return StoreDamaged(
            f"{shown(path)} is damaged ({exc}). Keep the file and its -wal and -shm files, "
            "then restore it from a backup (`labeler backup` makes one), or try "
            "`sqlite3 STORE .recover`."
        )
    if primary == SQLITE_CANTOPEN:
        return StoreError(
            f"SQLite cannot open {shown(path)} or its -wal/-shm files ({exc}): check that the "
            "folder exists and that you may read it."
        )
    return StoreError(f"{shown(path)}: {exc}")


def _disk_is_full(path: Path) -> bool:
    try:
        st = os.statvfs(path.parent if str(path.parent) else ".")
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _uri(path: Path, *, read_only: bool, immutable: bool = False) -> str:
    """A ``file:`` URI for ``path``; ``mode=rw`` never creates a missing file."""
    query = "mode=ro" if read_only else "mode=rw"
    if immutable:
        query += "&immutable=1"
    return f"file:{quote(str(path.absolute()))}?{query}"


def _connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        _uri(path, read_only=read_only, immutable=immutable),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


MigrationNotice = Callable[[int, int], AbstractContextManager[object]]
"""``notice(from_version, to_version)``: a context manager held while a store is migrated (the
CLI shows the elapsed time: migrating a million-case store takes 10-20 s)."""


def open_store(
    path: Path | str,
    *,
    migrate: bool = True,
    write: bool = True,
    migration_notice: MigrationNotice | None = None,
) -> Store:
    """Open an existing store after checking it; migrate an older one in one transaction.

    ``write=False`` opens it read-only (``stats``, ``info``, ``export``, ``log``): a store the
    user may only read can still be read, even in a folder they cannot write. Nothing is
    written to a file that is not a store, is damaged, or comes from a newer labeler. The store
    file is only ever opened by SQLite (see :mod:`labeler.store.opening`).
    ``migration_notice`` is entered around a migration, if one is needed.
    """
    path = Path(path)
    check_path(path)
    read_only = not write
    if write:
        check_writable(path)
    elif can_write(path):
        read_only = False  # a writable store is opened as usual, so its WAL can be checkpointed
    conn = _open_checked(path, read_only=read_only)
    store = Store(path, conn, read_only=read_only)
    try:
        header = read_header(conn)
        if header.user_version < SCHEMA_VERSION:
            if not migrate:
                raise StoreError(
                    f"{shown(path)} has schema version {header.user_version}; this labeler "
                    f"needs {SCHEMA_VERSION}. Open it with a writing command to migrate."
                )
            if read_only:
                raise StorePermission(
                    f"{shown(path)} has schema version {header.user_version} and must be "
                    f"upgraded to {SCHEMA_VERSION} by someone who may write it: "
                    + permission_message(path, want_write=True, store=path)
                )
            notice = migration_notice or _no_notice
            with notice(header.user_version, SCHEMA_VERSION):
                _migrate(store, header.user_version)
    except sqlite3.Error as exc:
        store.close()
        raise translate_error(exc, path) from None
    except BaseException:
        store.close()
        raise
    return store


def _open_checked(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """Connect, check the header through SQLite, and put a writable store in WAL mode."""
    conn: sqlite3.Connection | None = None
    try:
        try:
            conn = _connect(path, read_only=read_only)
            header = read_header(conn)
        except sqlite3.OperationalError:
            if not (read_only and _needs_immutable(path)):
                raise
            # A WAL store in a folder the user cannot write, with no -shm: SQLite cannot set
            # up its shared memory. No writer can be active (it would have made -shm), so the
            # file is read as it stands.
            if conn is not None:
                conn.close()
            conn = _connect(path, read_only=True, immutable=True)
            header = read_header(conn)
        check_header(header, path)
        if not read_only:
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(journal).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        return conn
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if int(getattr(exc, "sqlite_errorcode", -1) or -1) & 0xFF == SQLITE_NOTADB:
            raise describe_foreign_file(path) from None
        raise translate_error(exc, path) from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise


def _needs_immutable(path: Path) -> bool:
    return not shm_path(path).exists() and not wal_path(path).exists()


def _no_notice(from_version: int, to_version: int) -> AbstractContextManager[object]:
    return nullcontext()


def _migrate(store: Store, from_version: int) -> None:
    with store.write() as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != from_version:  # another process migrated it meanwhile
            return
        for number in range(from_version + 1, SCHEMA_VERSION + 1):
            for statement in migrations()[number - 1]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        record_event(
            conn,
            Actor(name="labeler", account="labeler", on_trust=False),
            "store.migrate",
            detail={"from": from_version, "to": SCHEMA_VERSION},
        )


def create_store(path: Path | str, actor: Actor, *, shared: bool = False) -> Store:
    """Create a new store at ``path`` with the default taxonomy; refuse if anything is there.

    The store is built under a temporary name in the same folder and moved into place when
    complete, so a crash never leaves a half-made store under the final name.
    """
    import tempfile  # here: opening a store, what most commands do, needs none of it (4 ms)

    from labeler.store.taxonomy import write_default_buckets

    path = Path(path)
    if path.exists() or path.is_symlink():
        raise StoreError(f"{shown(path)} already exists; not overwriting it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"the folder {shown(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorePermission(permission_message(folder, want_write=True, store=path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".creating", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        conn = _connect(tmp)
        conn.execute("PRAGMA journal_mode = DELETE")
        store = Store(path, conn)  # errors name the store the user asked for, not `tmp`
        with store.write() as c:
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for migration in migrations():
                for statement in migration:
                    c.execute(statement)
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            record_event(c, actor, "store.create", detail={"schema_version": SCHEMA_VERSION})
            write_default_buckets(c, actor)
        conn.execute("PRAGMA journal_mode = WAL")  # recorded in the header, before the link
        conn.close()
        if shared:
            make_group_writable(tmp)
        os.link(tmp, path)  # fails if someone created `path` meanwhile
    except FileExistsError:
        raise StoreError(f"{shown(path)} already exists; not overwriting it") from None
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreFull(
                f"the disk holding {shown(path)} is full; the store was not created"
            ) from None
        raise StoreError(f"could not create {shown(path)}: {exc.strerror}") from None
    finally:
        for leftover in (tmp, wal_path(tmp), shm_path(tmp), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    try:
        store = open_store(path)
    except BaseException:
        # Nobody else can have used a store made a moment ago: leave nothing half-made.
        for made in (path, wal_path(path), shm_path(path)):
            made.unlink(missing_ok=True)
        raise
    if shared:
        make_group_writable(path)
    return store


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def backup_store(store: Store, dest: Path | str) -> None:
    """Copy a live store safely with SQLite's backup API (a plain ``cp`` can lose WAL contents).

    The copy is written under a temporary name in the destination folder and renamed when
    complete: a full disk or an interruption leaves nothing under ``dest``.
    """
    import tempfile  # here, as in create_store

    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    if dest.exists() or dest.is_symlink():
        raise StoreError(f"{shown(dest)} already exists; choose a new file name")
    if not folder.is_dir():
        raise StoreError(
            f"the folder {shown(folder)} does not exist: create it first (`mkdir -p "
            f"{shown(folder)}`) or choose another destination"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorePermission(permission_message(folder, want_write=True))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        target = sqlite3.connect(tmp)
        try:
            with store._lock:
                store.conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise _backup_error(exc, dest) from None
    except OSError as exc:
        raise StoreError(f"could not write the backup {shown(dest)}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)  # SQLite leaves it when the disk fills


def _backup_error(exc: sqlite3.Error, dest: Path) -> StoreError:
    code = int(getattr(exc, "sqlite_errorcode", -1) or -1) & 0xFF
    if code == SQLITE_FULL or _disk_is_full(dest):
        return StoreFull(
            f"the disk holding {shown(dest)} is full; the backup was not written (nothing was "
            "left behind). Free some space or choose another disk."
        )
    return StoreError(f"could not write the backup {shown(dest)}: {exc}")
